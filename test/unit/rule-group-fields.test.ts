import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { buildModel, checkModel, generateArtifacts } from '../../src/pipeline.ts';
import { writeTree } from '../../src/emit/write.ts';
import { OUT } from '../../src/conventions.ts';
import { FIXTURE_ROOT, specFixture, src } from '../support/spec-fixture.ts';
import { runTool } from '../support/tools.ts';

/**
 * A rule group's `queryOffset` and `limit` reach the rule file and the PrometheusRule as Prometheus
 * spells them, and a group evaluating in the past still has promtool tests that fire on bad data, even
 * when a scenario is evaluated the moment its `for` has run.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const group = (extra: string) => `
import { defineRuleGroup } from 'infermon';
import { vllmKvCacheUsage } from 'infermon/catalog/vllm';
export const late = defineRuleGroup({
  name: 'late.alerts',
  ${extra}
  rules: [
    { alert: 'LateKvCacheFull', expr: 'max by (model_name) (vllm:kv_cache_usage_perc) > 0.9', for: '5m', severity: 'warning',
      summary: 'KV cache full', description: 'KV cache of {{ $labels.model_name }} is full.',
      tests: {
        firing: [{ series: [{ metric: vllmKvCacheUsage, labels: { model_name: 'm', engine: '0' }, value: 0.95 }], evalAfter: '5m' }],
        quiet: [{ series: [{ metric: vllmKvCacheUsage, labels: { model_name: 'm', engine: '0' }, value: 0.5 }] }],
      } },
  ],
});
`;

async function generated(files: Record<string, string>) {
  const specs = specFixture(files);
  dirs.push(specs);
  const { model, diagnostics } = await buildModel(specs, specs);
  checkModel(model!, diagnostics);
  return { model: model!, diagnostics };
}

describe('rule group fields', () => {
  it('write query_offset and limit, and shift the promtool cases by the offset', async () => {
    const { model, diagnostics } = await generated({ 'alerts/late.ts': group("queryOffset: '2m', limit: 50,") });
    expect(diagnostics.errors).toEqual([]);
    const out = mkdtempSync(join(FIXTURE_ROOT, 'out-'));
    dirs.push(out);
    writeTree(out, generateArtifacts(model));

    const ruleFile = parse(readFileSync(join(out, OUT.prometheusRules, 'late-alerts.yml'), 'utf8')) as { groups: Array<Record<string, unknown>> };
    expect(ruleFile.groups[0]).toMatchObject({ name: 'late.alerts', query_offset: '2m', limit: 50 });
    const crs = parseAllDocuments(readFileSync(join(out, OUT.kubernetes, 'prometheus-rules', 'late-alerts.yaml'), 'utf8')).map((d) => d.toJS());
    expect(crs[0].spec.groups[0]).toMatchObject({ query_offset: '2m', limit: 50 });

    const check = runTool('promtool', ['check', 'rules', join(out, OUT.prometheusRules, 'late-alerts.yml')]);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const tests = parse(readFileSync(join(out, OUT.prometheusTests, 'late-alerts.test.yml'), 'utf8')) as { tests: Array<{ alert_rule_test: Array<{ eval_time: string }> }> };
    // Five minutes of `for`, read two minutes late.
    expect(tests.tests[0]!.alert_rule_test[0]!.eval_time).toBe('7m');
    const run = runTool('promtool', ['test', 'rules', 'late-alerts.test.yml'], { cwd: join(out, OUT.prometheusTests) });
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });

  it('warn that Prometheus 2 reads a query offset from 2.53 on', async () => {
    const stack2 = `
import { defineStack } from 'infermon';
import { stack as example } from ${src('specs/stack.ts')};
export const stack = defineStack({ ...example.spec, prometheusMajor: 2 });
`;
    const { diagnostics } = await generated({ 'alerts/late.ts': group("queryOffset: '2m',"), 'stack.ts': stack2 });
    expect(diagnostics.items.filter((d) => d.code === 'rule/query-offset-needs-2.53').map((d) => [d.severity, d.path])).toEqual([['warning', 'late.queryOffset']]);
    const { diagnostics: without } = await generated({ 'alerts/late.ts': group(''), 'stack.ts': stack2 });
    expect(without.items.map((d) => d.code)).not.toContain('rule/query-offset-needs-2.53');
  });
});
