import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/paths.ts';
import { parseSlothYaml } from '../../src/import/sloth-parse.ts';
import { slothSlosFromParsed } from '../../src/import/sloth-slos.ts';
import { SLOTH_CLI_K8S, SLOTH_CLI_PROM, SLOTH_VERSION } from '../../src/slo/names.ts';
import { slothRuleGroups } from '../../generators/slo/sloth-rules.ts';
import { slothCliPrometheusRule, slothCliRules } from '../../src/emit/sloth-cli.ts';

/**
 * Golden files in Sloth's own output format: each `.out.yaml` is what `sloth generate` (v0.16) prints for
 * the `.in.yaml` beside it with the named period; infermon's rules must match byte for byte.
 */
const DIR = join(PROJECT_ROOT, 'test', 'golden', 'slo');
const read = (name: string): string => readFileSync(join(DIR, name), 'utf8');
const DAY = 24 * 3600_000;

function generate(input: string, periodDays: number): string {
  return parseSlothYaml(read(input), input)
    .map((service) => {
      const groups = slothRuleGroups(slothSlosFromParsed(service, periodDays * DAY), service.metadata ? SLOTH_CLI_K8S : SLOTH_CLI_PROM);
      return service.metadata
        ? slothCliPrometheusRule(groups, SLOTH_VERSION, service.metadata.name, service.metadata.namespace ?? 'default')
        : slothCliRules(groups, SLOTH_VERSION);
    })
    .join('');
}

describe('Sloth-identical rules against golden files', () => {
  it.each([
    ['events SLI 99.9 over 30d with page and ticket alerts, labels at every level', 'events-availability.in.yaml', 30, 'events-availability-30d.out.yaml'],
    ['the same SLO over 28d (factors 13.44, 5.6000000000000005, ...)', 'events-availability.in.yaml', 28, 'events-availability-28d.out.yaml'],
    ['the same SLO over 7d with the 7-day window table', 'events-availability.in.yaml', 7, 'events-availability-7d.out.yaml'],
    ['raw SLI 95 with both alerts disabled', 'raw-no-alerts.in.yaml', 30, 'raw-no-alerts-30d.out.yaml'],
    ['a PrometheusServiceLevel CR printed as a PrometheusRule', 'events-availability-k8s.in.yaml', 30, 'events-availability-k8s-30d.out.yaml'],
  ])('%s', (_title, input, days, golden) => {
    expect(generate(input, days)).toBe(read(golden));
  });
});
