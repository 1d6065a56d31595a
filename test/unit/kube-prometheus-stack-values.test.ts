import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertmanagerGenerator, ALERTMANAGER_CONFIG, SECRET_MOUNT_DIR } from '../../generators/alertmanager/config.ts';
import { DATASOURCES_FILE, datasourcesGenerator } from '../../generators/grafana/datasources.ts';
import { kubePrometheusStackValuesGenerator } from '../../generators/kubernetes/kube-prometheus-stack-values.ts';
import { prometheusConfigGenerator } from '../../generators/prometheus/config.ts';
import { planOf, type Plan } from '../../src/plan/index.ts';
import { routingSpecSchema } from '../../src/model/routing.ts';
import { DEFAULT_TARGETS } from '../../src/model/targets.ts';
import { buildModel } from '../../src/pipeline.ts';
import { routing as exampleRouting } from '../../specs/routing.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { withStack } from './wiring-fixture.ts';
import { artifactText } from '../../src/emit/render.ts';

let model: Plan;
beforeAll(async () => {
  model = (await buildModel(join(PROJECT_ROOT, 'specs'), PROJECT_ROOT)).model!;
});

function valuesOf(m: Plan): { header: string; values: Record<string, any> } {
  const [artifact] = kubePrometheusStackValuesGenerator(m);
  const header = artifactText(artifact!).split('\n').filter((l) => l.startsWith('#')).join('\n');
  return { header, values: parse(artifactText(artifact!)) as Record<string, any> };
}

/** Every key anywhere in the values that ends in `NamespaceSelector`. */
function namespaceSelectorKeys(value: unknown, path = ''): string[] {
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [...(k.endsWith('NamespaceSelector') ? [`${path}${k}`] : []), ...namespaceSelectorKeys(v, `${path}${k}.`)]);
}

/** The Secrets alertmanager.yml reads its credential files from, taken from the generated config's paths. */
function secretsReadBy(m: Plan): string[] {
  const config = artifactText(alertmanagerGenerator(m).find((a) => a.path === ALERTMANAGER_CONFIG)!);
  const mounted = new RegExp(`${SECRET_MOUNT_DIR}/([^/\\s"]+)/`, 'g');
  return [...new Set([...config.matchAll(mounted)].map((match) => match[1]!))].sort();
}

function withRouting(m: Plan, spec: unknown): Plan {
  const [routing] = m.specs.routing;
  return planOf({ ...m, specs: { ...m.specs, routing: [{ ...routing!, value: routingSpecSchema.parse(spec) }] } });
}

describe('kube-prometheus-stack values', () => {
  it('never set a namespace selector: the chart default `{}` already watches every namespace', () => {
    const custom = withStack(model, { selectors: { rules: { team: 'inference' }, serviceMonitors: { team: 'inference' }, podMonitors: {}, probes: {}, alertmanagerConfigs: { team: 'inference' } } });
    for (const m of [model, custom]) expect(namespaceSelectorKeys(valuesOf(m).values)).toEqual([]);
  });

  it('leave label selectors to the chart when the declared ones are its `release` default', () => {
    const { values, header } = valuesOf(model);
    const spec = values.prometheus.prometheusSpec;
    expect(Object.keys(spec).filter((k) => k.includes('Selector'))).toEqual([]);
    expect(Object.keys(values.alertmanager.alertmanagerSpec).filter((k) => k.includes('Selector'))).toEqual([]);
    expect(header).not.toMatch(/Merge by hand/);
    expect(spec.externalLabels).toEqual(model.stack.value.externalLabels);
    expect(values.grafana.sidecar.dashboards.label).toBe('grafana_dashboard');
  });

  it('set a selector that differs from the chart default and name it in the header for a hand merge', () => {
    const stack = model.stack.value;
    const { values, header } = valuesOf(withStack(model, { selectors: { ...stack.selectors, rules: { team: 'inference' } } }));
    const spec = values.prometheus.prometheusSpec;
    expect(spec.ruleSelector).toEqual({ matchLabels: { team: 'inference' } });
    expect(spec.ruleSelectorNilUsesHelmValues).toBe(false);
    expect(spec.serviceMonitorSelector).toBeUndefined();
    expect(header).toMatch(/Merge by hand/);
    expect(header).toContain('prometheus.prometheusSpec.ruleSelector: team=inference');
    expect(values.alertmanager.alertmanagerSpec.alertmanagerConfigSelector).toBeUndefined();
  });

  it('mount exactly the Secrets alertmanager.yml reads its credentials from', () => {
    const expected = secretsReadBy(model);
    expect(expected.length).toBeGreaterThan(1);
    expect(valuesOf(model).values.alertmanager.alertmanagerSpec.secrets).toEqual(expected);

    const spec = exampleRouting.spec;
    const moreSecrets = withRouting(model, {
      ...spec,
      receivers: [...spec.receivers, { name: 'extra-pager', pagerduty: [{ routingKey: { secret: { name: 'extra-pagerduty', key: 'key' } } }] }],
    });
    expect(valuesOf(moreSecrets).values.alertmanager.alertmanagerSpec.secrets).toEqual(secretsReadBy(moreSecrets));
    expect(secretsReadBy(moreSecrets)).toContain('extra-pagerduty');

    const noSecrets = withRouting(model, { receivers: [{ name: 'default' }], route: { receiver: 'default' } });
    expect(valuesOf(noSecrets).values.alertmanager.alertmanagerSpec.secrets).toBeUndefined();
  });

  it('provision the chart Prometheus datasource and Loki, in the values and in out/grafana/provisioning', () => {
    const { values, header } = valuesOf(model);
    expect(values.grafana.sidecar.datasources.defaultDatasourceEnabled).toBe(true);
    expect(values.grafana.additionalDataSources).toEqual([
      expect.objectContaining({ type: 'loki', url: model.stack.value.lokiUrl, isDefault: false }),
      expect.objectContaining({ type: 'jaeger', isDefault: false }),
    ]);
    expect(header).toContain('grafana.additionalDataSources');

    const provisioned = parse(artifactText(datasourcesGenerator(model).find((a) => a.path === DATASOURCES_FILE)!)) as { datasources: Array<Record<string, unknown>> };
    expect(provisioned.datasources.map((d) => d.type)).toEqual(['prometheus', 'loki', 'jaeger']);
    expect(provisioned.datasources.filter((d) => d.isDefault)).toHaveLength(1);
  });

  it('leave Loki out without a Loki, and are not written unless the stack runs the chart', () => {
    const noLoki = withStack(planOf({ ...model, specs: { ...model.specs, logs: [] } }), { lokiUrl: undefined, tracing: undefined });
    expect(valuesOf(noLoki).values.grafana.additionalDataSources).toBeUndefined();
    expect((parse(artifactText(datasourcesGenerator(noLoki)[0]!)) as { datasources: Array<{ type: string }> }).datasources.map((d) => d.type)).toEqual(['prometheus']);
    expect(kubePrometheusStackValuesGenerator(withStack(model, { targets: { ...DEFAULT_TARGETS, prometheus: ['prometheus-operator'] } }))).toEqual([]);
  });

  it('turn on the remote-write receiver where k6 pushes, in the Prometheus CR values and the plain config header', () => {
    expect(model.specs.source.some((s) => s.value.delivery === 'remote-write')).toBe(true);
    expect(valuesOf(model).values.prometheus.prometheusSpec.enableRemoteWriteReceiver).toBe(true);
    const plain = artifactText(prometheusConfigGenerator(model)[0]!);
    expect(plain).toContain('# Start Prometheus with --web.enable-remote-write-receiver: k6 load generator pushes to its /api/v1/write.');
    const nothingPushed = planOf({ ...model, specs: { ...model.specs, source: model.specs.source.filter((s) => s.value.delivery !== 'remote-write') } });
    expect(valuesOf(nothingPushed).values.prometheus.prometheusSpec.enableRemoteWriteReceiver).toBeUndefined();
    expect(artifactText(prometheusConfigGenerator(nothingPushed)[0]!)).not.toContain('remote-write-receiver');
  });
});
