import { z } from 'zod';
import { promql } from '../model/rules.ts';
import { defineRuleGroup } from '../model/spec.ts';
import { blackbox, probeSuccess } from '../catalog/blackbox.ts';
import { scopeRuleGroup, type ContentScope } from './scope.ts';
import { contentFactory, contentScopeFields } from './options.ts';
import { durationSchema } from '../model/duration.ts';
import { labelNameSchema } from '../model/label-name.ts';

/** What the probe alerts watch. */
export interface ProbeAlertsConfig extends ContentScope {
  /** Names of the probed endpoints (`stack.probes[].name`); each gets an alert for its missing series. */
  probes: readonly string[];
  /** The probe series' `job` label. */
  job?: string;
  /** How long a probe fails before `EndpointProbeFailing` fires. */
  failingFor?: string;
  /** How long a probe's series stays missing before `EndpointProbeMissing` fires. */
  missingFor?: string;
}

const probeAlertsConfigSchema = z.strictObject({
  ...contentScopeFields,
  probes: z.array(z.string().min(1)).readonly(),
  job: z.string().min(1).optional(),
  failingFor: durationSchema.optional(),
  missingFor: durationSchema.optional(),
});

const url = 'https://api.example.com/readyz';

export const probeAlerts = contentFactory('probeAlerts', probeAlertsConfigSchema, (config: ProbeAlertsConfig) => {
  const { job = blackbox.spec.job, failingFor = '2m', missingFor = '10m', probes = [] } = config;
  const failing = {
    alert: 'EndpointProbeFailing',
    expr: promql`${probeSuccess}{job="${job}"} == 0`,
    for: failingFor,
    severity: 'critical' as const,
    summary: 'A public endpoint fails its blackbox probe',
    description: `The {{ $labels.probe }} probe of {{ $labels.instance }} has failed for ${failingFor}: the endpoint is down, answers non-2xx, or reports itself unhealthy.`,
    tests: {
      firing: [{ series: [{ metric: probeSuccess, labels: { job, probe: 'api', instance: url }, value: 0 }] }],
      quiet: [{ series: [{ metric: probeSuccess, labels: { job, probe: 'api', instance: url }, value: 1 }] }],
    },
  };
  // absent() only names the missing series through equality matchers, so each probe gets its own rule;
  // `for` keeps a Prometheus restart or a reload that briefly drops the target from paging.
  const missing = probes.map((probe) => ({
    alert: 'EndpointProbeMissing',
    expr: promql`absent(${probeSuccess}{job="${job}", probe="${probe}"})`,
    for: missingFor,
    severity: 'warning' as const,
    summary: 'A configured blackbox probe reports nothing',
    description: `No ${probe} probe result for ${missingFor}: the blackbox exporter, its Probe or scrape job, or the probe's name changed.`,
    tests: {
      firing: [{ description: 'only another probe reports', series: [{ metric: probeSuccess, labels: { job, probe: `${probe}-other`, instance: url }, value: 1 }], labels: { job, probe } }],
      quiet: [{ description: 'a failing probe is still present', series: [{ metric: probeSuccess, labels: { job, probe, instance: url }, value: 0 }] }],
    },
  }));
  return defineRuleGroup(
    scopeRuleGroup(
      { name: 'blackbox-probes.alerts', team: 'inference-platform', service: 'public-endpoints', rules: [failing, ...missing] },
      config,
      'alerts',
    ),
  );
});
