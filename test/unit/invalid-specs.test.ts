import { describe, expect, it } from 'vitest';
import { dirname } from 'node:path';
import { buildModel, checkModel } from '../../src/pipeline.ts';
import { specFixture, src } from '../support/spec-fixture.ts';
import { cli, previousOutput, snapshot } from '../support/cli.ts';

/**
 * Table of broken specs. Each must produce its diagnostic code at the right file and path; the CLI test
 * in cli.test.ts proves the exit code and that out/ is untouched.
 */
interface AlertOverrides {
  alert?: string;
  expr?: string;
  for?: string;
  severity?: string | undefined;
  description?: string;
  firing?: string;
  quiet?: string;
}

const imports = `
import { defineRuleGroup, defineSource } from ${src('src/model/spec.ts')};
import { metric, label } from ${src('src/model/catalog.ts')};
import { vllmKvCacheUsage, vllmNumPreemptions, vllmTimeToFirstToken } from 'infermon/catalog/vllm';
import { routerTokensTotal, routerRequestDuration } from 'infermon/catalog/kthena-router';
`;

function alertFile(o: AlertOverrides, extraRules = ''): string {
  const fields = {
    alert: JSON.stringify(o.alert ?? 'BrokenAlert'),
    expr: JSON.stringify(o.expr ?? 'max by (model_name) (vllm:kv_cache_usage_perc) > 0.9'),
    for: JSON.stringify(o.for ?? '5m'),
    description: JSON.stringify(o.description ?? 'usage is high on {{ $labels.model_name }}'),
  };
  const severity = 'severity' in o && o.severity === undefined ? '' : `severity: ${JSON.stringify(o.severity ?? 'warning')},`;
  return `${imports}
export const broken = defineRuleGroup({
  name: 'broken.alerts',
  rules: [
    {
      alert: ${fields.alert}, expr: ${fields.expr}, for: ${fields.for}, ${severity}
      summary: 'broken', description: ${fields.description},
      tests: {
        firing: [${o.firing ?? "{ series: [{ metric: vllmKvCacheUsage, labels: { model_name: 'm', engine: '0' }, value: 0.95 }] }"}],
        quiet: [${o.quiet ?? "{ series: [{ metric: vllmKvCacheUsage, labels: { model_name: 'm', engine: '0' }, value: 0.5 }] }"}],
      },
    },${extraRules}
  ],
});
`;
}

interface Case {
  name: string;
  files: Record<string, string>;
  code: string;
  file: string;
  path: string;
  message?: RegExp;
}

const expr = 'broken.rules[0].expr';

const cases: Case[] = [
  { name: "typo'd metric", files: { 'alerts/broken.ts': alertFile({ expr: 'vllm:kv_cache_usage_pec > 0.9' }) }, code: 'promql/unknown-metric', file: 'alerts/broken.ts', path: expr, message: /vllm:kv_cache_usage_perc/ },
  { name: 'removed vLLM metric', files: { 'alerts/broken.ts': alertFile({ expr: 'vllm:gpu_cache_usage_perc > 0.9' }) }, code: 'promql/removed-metric', file: 'alerts/broken.ts', path: expr, message: /vllm:kv_cache_usage_perc/ },
  { name: 'wrong label', files: { 'alerts/broken.ts': alertFile({ expr: 'max by (modelname) (vllm:kv_cache_usage_perc) > 0.9' }) }, code: 'promql/unknown-label', file: 'alerts/broken.ts', path: expr },
  { name: 'rate on a gauge', files: { 'alerts/broken.ts': alertFile({ expr: 'rate(vllm:kv_cache_usage_perc[5m]) > 0.9' }) }, code: 'promql/rate-on-non-counter', file: 'alerts/broken.ts', path: expr },
  { name: 'quantile on a bare histogram', files: { 'alerts/broken.ts': alertFile({ expr: 'histogram_quantile(0.99, rate(vllm:time_to_first_token_seconds[5m])) > 1' }) }, code: 'promql/quantile-without-bucket', file: 'alerts/broken.ts', path: expr },
  { name: 'quantile dropping le', files: { 'alerts/broken.ts': alertFile({ expr: 'histogram_quantile(0.99, sum by (model_name) (rate(vllm:time_to_first_token_seconds_bucket[5m]))) > 1' }) }, code: 'promql/quantile-drops-le', file: 'alerts/broken.ts', path: expr },
  { name: 'threshold not a bucket', files: { 'alerts/broken.ts': alertFile({ expr: 'sum(rate(vllm:time_to_first_token_seconds_bucket{le="0.7"}[5m])) > 1' }) }, code: 'promql/le-not-a-bucket', file: 'alerts/broken.ts', path: expr },
  { name: 'le spelled for the wrong Prometheus major', files: { 'alerts/broken.ts': alertFile({ expr: 'sum(rate(kthena_router_request_duration_seconds_bucket{le="1"}[5m])) > 1' }) }, code: 'promql/le-spelling', file: 'alerts/broken.ts', path: expr },
  { name: '_bucket on a gauge', files: { 'alerts/broken.ts': alertFile({ expr: 'sum(vllm:kv_cache_usage_perc_bucket) > 1' }) }, code: 'promql/suffix-on-non-histogram', file: 'alerts/broken.ts', path: expr },
  { name: 'label value outside its enum', files: { 'alerts/broken.ts': alertFile({ expr: 'sum(rate(kthena_router_tokens_total{token_type="prompt"}[5m])) > 1' }) }, code: 'promql/label-value-not-in-enum', file: 'alerts/broken.ts', path: expr },
  { name: 'PromQL syntax error', files: { 'alerts/broken.ts': alertFile({ expr: 'sum(rate(vllm:num_preemptions_total[5m]) > 1' }) }, code: 'promql/syntax', file: 'alerts/broken.ts', path: expr },
  { name: 'range shorter than two scrapes', files: { 'alerts/broken.ts': alertFile({ expr: 'rate(vllm:num_preemptions_total[10s]) > 1' }) }, code: 'promql/range-too-short', file: 'alerts/broken.ts', path: expr },
  { name: 'aggregation keeps an unbounded label', files: { 'alerts/broken.ts': alertFile({ expr: 'count by (running_lora_adapters) (vllm:lora_requests_info) > 1' }) }, code: 'promql/unbounded-label-kept', file: 'alerts/broken.ts', path: expr },
  { name: 'Grafana variable in a rule', files: { 'alerts/broken.ts': alertFile({ expr: 'rate(vllm:num_preemptions_total[$__rate_interval]) > 1' }) }, code: 'promql/grafana-variable', file: 'alerts/broken.ts', path: expr },
  { name: 'duplicate alert name and labels', files: { 'alerts/broken.ts': alertFile({}, `{ alert: 'BrokenAlert', expr: 'vllm:kv_cache_usage_perc > 0.5', severity: 'warning', summary: 's', description: 'd', tests: { firing: [{ series: [{ metric: vllmKvCacheUsage, value: 0.9 }] }], quiet: [{ series: [{ metric: vllmKvCacheUsage, value: 0.1 }] }] } },`) }, code: 'rule/duplicate-alert', file: 'alerts/broken.ts', path: 'broken.rules[1]' },
  { name: 'missing severity', files: { 'alerts/broken.ts': alertFile({ severity: undefined }) }, code: 'spec/invalid', file: 'alerts/broken.ts', path: 'broken.rules[0]' },
  { name: 'severity outside critical|warning|info', files: { 'alerts/broken.ts': alertFile({ severity: 'page' }) }, code: 'spec/invalid', file: 'alerts/broken.ts', path: 'broken.rules[0]' },
  { name: 'bad duration', files: { 'alerts/broken.ts': alertFile({ for: '5 minutes' }) }, code: 'spec/invalid', file: 'alerts/broken.ts', path: 'broken.rules[0]' },
  { name: 'alert name not UpperCamelCase', files: { 'alerts/broken.ts': alertFile({ alert: 'kv-cache-full' }) }, code: 'spec/invalid', file: 'alerts/broken.ts', path: 'broken.rules[0]' },
  { name: 'annotation template promtool tests cannot render', files: { 'alerts/broken.ts': alertFile({ description: 'for {{ $value | humanizeDuration }}', firing: "{ series: [{ metric: vllmKvCacheUsage, value: 0.95 }], value: 0.95 }" }) }, code: 'rule/unsupported-template', file: 'alerts/broken.ts', path: 'broken.rules[0].description' },
  { name: 'annotation prints $value but the firing case has none', files: { 'alerts/broken.ts': alertFile({ description: 'usage {{ $value | humanizePercentage }}' }) }, code: 'rule/test-value-missing', file: 'alerts/broken.ts', path: 'broken.rules[0].tests.firing[0].value' },
  { name: 'test series shaped for the wrong metric type', files: { 'alerts/broken.ts': alertFile({ firing: "{ series: [{ metric: vllmKvCacheUsage, rate: 3 }] }" }) }, code: 'rule/test-series-shape', file: 'alerts/broken.ts', path: 'broken.rules[0].tests.firing[0].series[0]' },
  { name: 'no quiet test case', files: { 'alerts/broken.ts': alertFile({ quiet: '' }) }, code: 'spec/invalid', file: 'alerts/broken.ts', path: 'broken.rules[0]' },
  {
    name: 'metric defined twice in the catalog',
    files: { 'zz-extra.ts': `${imports}\nexport const extra = defineSource({ name: 'extra', component: 'Extra', job: 'extra', port: { name: 'metrics', number: 9000 }, metrics: [metric({ name: 'vllm:kv_cache_usage_perc', type: 'gauge', help: 'again', unit: 'ratio' })] });\n` },
    code: 'catalog/duplicate-metric', file: 'zz-extra.ts', path: 'extra.metrics[0].name',
  },
  {
    name: 'histogram without buckets',
    files: { 'catalog/extra.ts': `${imports}\nexport const extra = defineSource({ name: 'extra', component: 'Extra', job: 'extra', port: { name: 'metrics', number: 9000 }, metrics: [metric({ name: 'extra_latency_seconds', type: 'histogram', help: 'h', unit: 'seconds' })] });\n` },
    code: 'spec/invalid', file: 'catalog/extra.ts', path: 'extra.metrics[0].buckets',
  },
];

describe('invalid specs', () => {
  it('has at least twenty cases', () => expect(cases.length).toBeGreaterThanOrEqual(20));

  it.each(cases)('$name → $code', async (c) => {
    const dir = specFixture(c.files);
    const { model, diagnostics } = await buildModel(dir, dirname(dir));
    if (model) checkModel(model, diagnostics);
    const rel = `${dir.split('/').pop()}/${c.file}`;
    const match = diagnostics.errors.find((d) => d.code === c.code && d.file === rel && d.path.startsWith(c.path));
    expect(match, JSON.stringify(diagnostics.items, null, 2)).toBeDefined();
    expect(match!.fix.length).toBeGreaterThan(0);
    if (c.message) expect(`${match!.message} ${match!.fix}`).toMatch(c.message);

    // The same spec through the CLI: exit 1, the diagnostic printed, the previous output untouched.
    const out = previousOutput();
    const before = snapshot(out);
    const run = cli(['generate', '--specs', dir, '--out', out], dirname(dir));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${c.code} ${rel}: ${match!.path}`);
    expect(snapshot(out)).toEqual(before);
  });

  it('a valid spec in the same fixture has no errors', async () => {
    const dir = specFixture({ 'alerts/ok.ts': alertFile({}) });
    const { model, diagnostics } = await buildModel(dir, dirname(dir));
    if (model) checkModel(model, diagnostics);
    expect(diagnostics.errors).toEqual([]);
  });
});
