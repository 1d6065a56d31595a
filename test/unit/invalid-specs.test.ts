import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildModel, checkModel, generateArtifacts } from '../../src/pipeline.ts';
import { specFixture, src } from '../support/spec-fixture.ts';
import { cli, previousOutput, snapshot } from '../support/cli.ts';

/**
 * Table of broken specs. Each must produce its diagnostic code at the right file and path; the CLI test
 * in cli.test.ts proves the exit code and that out/ is untouched.
 */
interface AlertOverrides {
  alert?: string;
  expr?: string;
  for?: string | number;
  severity?: string | undefined;
  description?: string;
  firing?: string;
  quiet?: string;
  /** false: the rule has no `tests` block. */
  tests?: false;
  /** Extra fields written into the rule as they are. */
  extra?: string;
  /** false: the group is declared but not exported. */
  exported?: false;
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
  const tests = `
      tests: {
        firing: [${o.firing ?? "{ series: [{ metric: vllmKvCacheUsage, labels: { model_name: 'm', engine: '0' }, value: 0.95 }] }"}],
        quiet: [${o.quiet ?? "{ series: [{ metric: vllmKvCacheUsage, labels: { model_name: 'm', engine: '0' }, value: 0.5 }] }"}],
      },`;
  return `${imports}
${o.exported === false ? '' : 'export '}const broken = defineRuleGroup({
  name: 'broken.alerts',
  rules: [
    { alert: ${fields.alert}, expr: ${fields.expr}, for: ${fields.for}, ${severity}
      summary: 'broken', description: ${fields.description},${o.extra ? `\n      ${o.extra}` : ''}${o.tests === false ? '' : tests}
    },${extraRules}
  ],
});
`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Case {
  name: string;
  files: Record<string, string>;
  code: string;
  file: string;
  path: string;
  message?: RegExp;
  /** The message and the fix, word for word. */
  says?: [message: string, fix: string];
  /** Text on the line of `file` the diagnostic points at; without it, it must point at some line; false: at none. */
  line?: string | false;
  severity?: 'warning';
}

const expr = 'broken.rules[0].expr';

/** A second alert whose severity the schema refuses, so the group as a whole fails its schema. */
const pagingRule = `
    { alert: 'BrokenPage', expr: 'vllm:kv_cache_usage_perc > 0.5', severity: 'page', summary: 's', description: 'd',
      tests: { firing: [{ series: [{ metric: vllmKvCacheUsage, value: 0.9 }] }], quiet: [{ series: [{ metric: vllmKvCacheUsage, value: 0.1 }] }] } },`;

/** A dashboard whose second panel has a field no panel has, so the dashboard as a whole fails its schema. */
function dashboardFile(panels: string, variables = "labelVariable('model', 'Model', routerRequestsTotal, 'model')"): string {
  return `
import { defineDashboard } from ${src('src/model/spec.ts')};
import { labelVariable } from ${src('src/grafana/variables.ts')};
import { routerRequestsTotal } from 'infermon/catalog/kthena-router';
export const board = defineDashboard({
  id: 'broken-board', title: 'Broken', description: 'Broken on purpose.',
  variables: [${variables}],
  rows: [{ title: 'Traffic', panels: [${panels}
    { title: 'Requests', description: 'Rate.', unit: 'reqps', colour: 'red',
      queries: [{ expr: 'sum(rate(kthena_router_requests_total{model=~"$model"}[$__rate_interval]))' }] },
  ] }],
});
`;
}

const removedMetricPanel = `
    { title: 'Cache', description: 'KV cache.', unit: 'percentunit',
      queries: [{ expr: 'max by (model_name) (vllm:gpu_cache_usage_perc{model_name=~"$model"})' }] },`;

/** An SLO service whose second SLO's objective is a string, so the service as a whole fails its schema. */
function sloFile(sli: string, service = 'brokensvc'): string {
  return `
import { defineSlos } from ${src('src/model/spec.ts')};
export const svc = defineSlos({
  service: '${service}',
  slos: [
    { name: 'cache', objective: 99, alerting: { name: 'BrokenCacheBudget' },
      sli: ${sli} },
    { name: 'other', objective: '99.9', alerting: { name: 'BrokenOtherBudget' },
      sli: { kind: 'raw', errorRatio: 'max(avg_over_time(vllm:kv_cache_usage_perc[{{.window}}]))' } },
  ],
});
`;
}

const removedMetricSli = "{ kind: 'raw', errorRatio: 'max(avg_over_time(vllm:gpu_cache_usage_perc[{{.window}}]))' }";

/** A log spec whose second alert's name is not UpperCamelCase, so the spec as a whole fails its schema. */
function logsFile(o: { expr: string; stream?: string; runbook?: string }): string {
  return `
import { defineLogs } from ${src('src/model/spec.ts')};
export const logs = defineLogs({
  loki: { schema: [{ from: '2025-01-01' }] },
  streams: [
    { name: 'web', namespace: 'web', podLabels: { app: 'web' }, app: 'web',
      parsers: [{ type: 'json', expressions: { level: 'level' } }], fields: { level: { kind: 'bounded', description: 'log level' } }${o.stream ?? ''} },
  ],
  alerts: [
    { alert: 'WebErrors', expr: ${JSON.stringify(o.expr)}, severity: 'warning', summary: 's', description: 'd'${o.runbook ?? ''} },
    { alert: 'web-errors', expr: 'sum(count_over_time({namespace="web", app="web"}[5m])) > 1', severity: 'warning', summary: 's', description: 'd' },
  ],
});
`;
}

const cases: Case[] = [
  { name: "typo'd metric", files: { 'alerts/broken.ts': alertFile({ expr: 'vllm:kv_cache_usage_pec > 0.9' }) }, code: 'promql/unknown-metric', file: 'alerts/broken.ts', path: expr, message: /vllm:kv_cache_usage_perc/ },
  { name: 'removed vLLM metric', files: { 'alerts/broken.ts': alertFile({ expr: 'vllm:gpu_cache_usage_perc > 0.9' }) }, code: 'promql/removed-metric', file: 'alerts/broken.ts', path: expr, message: /vllm:kv_cache_usage_perc/ },
  {
    name: 'removed metric beside a schema error', files: { 'alerts/broken.ts': alertFile({ expr: 'vllm:gpu_cache_usage_perc > 0.9' }, pagingRule) },
    code: 'promql/removed-metric', file: 'alerts/broken.ts', path: expr, message: /vllm:kv_cache_usage_perc/, line: 'vllm:gpu_cache_usage_perc',
  },
  {
    name: 'schema error beside a removed metric', files: { 'alerts/broken.ts': alertFile({ expr: 'vllm:gpu_cache_usage_perc > 0.9' }, pagingRule) },
    code: 'spec/invalid', file: 'alerts/broken.ts', path: 'broken.rules[1].severity',
    says: ["`severity: 'page'` is not one of critical, warning, info", 'use one of critical, warning, info'], line: "severity: 'page'",
  },
  {
    name: 'removed metric in a dashboard beside a schema error', files: { 'dashboards/broken.ts': dashboardFile(removedMetricPanel) },
    code: 'promql/removed-metric', file: 'dashboards/broken.ts', path: 'board.rows[0].panels[0].queries[0].expr', message: /vllm:kv_cache_usage_perc/, line: 'vllm:gpu_cache_usage_perc',
  },
  {
    name: 'removed metric in an SLI beside a schema error', files: { 'slos/broken.ts': sloFile(removedMetricSli) },
    code: 'promql/removed-metric', file: 'slos/broken.ts', path: 'svc.slos[0].sli.errorRatio', message: /vllm:kv_cache_usage_perc/, line: 'vllm:gpu_cache_usage_perc',
  },
  {
    name: 'log alert on no stream beside a schema error', files: { 'logs.ts': logsFile({ expr: 'sum(count_over_time({namespace="api", app="web"}[5m])) > 1' }) },
    code: 'logql/no-stream', file: 'logs.ts', path: 'logs.alerts[0].expr', line: 'namespace=\\"api\\"',
  },
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
  {
    name: 'missing severity', files: { 'alerts/broken.ts': alertFile({ severity: undefined }) }, code: 'spec/invalid', file: 'alerts/broken.ts', path: 'broken.rules[0].severity',
    says: ['`severity` is missing', 'add `severity` (one of critical, warning, info)'], line: "alert: \"BrokenAlert\"",
  },
  {
    name: 'severity outside critical|warning|info', files: { 'alerts/broken.ts': alertFile({ severity: 'page' }) }, code: 'spec/invalid', file: 'alerts/broken.ts', path: 'broken.rules[0].severity',
    says: ["`severity: 'page'` is not one of critical, warning, info", 'use one of critical, warning, info'], line: 'severity: "page"',
  },
  {
    name: 'severity misspelt as a value', files: { 'alerts/broken.ts': alertFile({ severity: 'warn' }) }, code: 'spec/invalid', file: 'alerts/broken.ts', path: 'broken.rules[0].severity',
    says: ["`severity: 'warn'` is not one of critical, warning, info", 'use `warning`'],
  },
  {
    name: 'bad duration', files: { 'alerts/broken.ts': alertFile({ for: '5 minutes' }) }, code: 'spec/invalid', file: 'alerts/broken.ts', path: 'broken.rules[0].for',
    says: ["`for: '5 minutes'`: not a Prometheus duration (expected e.g. 30s, 5m, 1h30m, 28d)", 'correct `for`'], line: 'for: "5 minutes"',
  },
  {
    name: 'duration given as a number', files: { 'alerts/broken.ts': alertFile({ for: 300 }) }, code: 'spec/invalid', file: 'alerts/broken.ts', path: 'broken.rules[0].for',
    says: ['`for: 300` is a number, not a string', 'make `for` a string'],
  },
  {
    name: 'alert name not UpperCamelCase', files: { 'alerts/broken.ts': alertFile({ alert: 'kv-cache-full' }) }, code: 'spec/invalid', file: 'alerts/broken.ts', path: 'broken.rules[0].alert',
    says: ["`alert: 'kv-cache-full'`: alert names are UpperCamelCase", 'change `alert` to match /^[A-Z][A-Za-z0-9]*$/'],
  },
  {
    name: 'missing tests block', files: { 'alerts/broken.ts': alertFile({ tests: false }) }, code: 'spec/invalid', file: 'alerts/broken.ts', path: 'broken.rules[0].tests',
    says: ['`tests` is missing', 'add `tests` (an object)'], line: "alert: \"BrokenAlert\"",
  },
  {
    name: "typo'd field", files: { 'alerts/broken.ts': alertFile({ severity: undefined, extra: "sevrity: 'warning'," }) }, code: 'spec/invalid', file: 'alerts/broken.ts', path: 'broken.rules[0].sevrity',
    says: ['unknown field `sevrity`; did you mean `severity`?', 'rename `sevrity` to `severity`'], line: "sevrity: 'warning'",
  },
  {
    name: 'field no rule has', files: { 'alerts/broken.ts': alertFile({ extra: "colour: 'red'," }) }, code: 'spec/invalid', file: 'alerts/broken.ts', path: 'broken.rules[0].colour',
    says: ['unknown field `colour`', 'remove `colour`; the fields here are alert, expr, for, keepFiringFor, severity, summary, description, runbookUrl, runbook, dashboard, team, service, labels, annotations, tests'],
    line: "colour: 'red'",
  },
  {
    name: "typo'd field deep in a test series", files: { 'alerts/broken.ts': alertFile({ firing: "{ series: [{ metric: vllmKvCacheUsage,\n          rat: 3 }] }" }) }, code: 'spec/invalid', file: 'alerts/broken.ts', path: 'broken.rules[0].tests.firing[0].series[0].rat',
    says: ['unknown field `rat`; did you mean `rate`?', 'rename `rat` to `rate`'], line: 'rat: 3',
  },
  {
    name: "typo'd field of a metric written out in a test series",
    files: { 'alerts/broken.ts': alertFile({ firing: "{ series: [{ metric: { name: 'vllm:kv_cache_usage_perc', type: 'gauge',\n          hlep: 'KV cache usage.', unit: 'ratio' }, value: 0.95 }] }" }) },
    code: 'spec/invalid', file: 'alerts/broken.ts', path: 'broken.rules[0].tests.firing[0].series[0].metric.hlep',
    says: ['unknown field `hlep`; did you mean `help`?', 'rename `hlep` to `help`'], line: "hlep: 'KV cache usage.'",
  },
  {
    name: "typo'd field of a recording rule", files: { 'alerts/broken.ts': alertFile({}, "\n    { record: 'broken:usage:max', expr: 'max(vllm:kv_cache_usage_perc)', labls: { team: 'x' } },") }, code: 'spec/invalid', file: 'alerts/broken.ts', path: 'broken.rules[1].labls',
    says: ['unknown field `labls`; did you mean `labels`?', 'rename `labls` to `labels`'], line: 'labls:',
  },
  {
    name: 'group declared but not exported', files: { 'alerts/broken.ts': alertFile({ exported: false }) }, code: 'spec/nothing-exported', file: 'alerts/broken.ts', path: '', severity: 'warning',
    says: ['the file calls `defineRuleGroup` but exports no spec, so infermon ignores it', 'export the result: `export const name = defineRuleGroup({...})`'], line: 'const broken = defineRuleGroup(',
  },
  {
    name: 'a module that exports nothing infermon knows', files: { 'alerts/labels.ts': "export const modelLabel = 'model_name';\n" }, code: 'spec/nothing-exported', file: 'alerts/labels.ts', path: '', severity: 'warning',
    says: ['the file exports no infermon spec, so infermon ignores it', 'export a value made by a `define*` function, or move the file out of the spec directory'], line: false,
  },
  { name: 'annotation template promtool tests cannot render', files: { 'alerts/broken.ts': alertFile({ description: 'for {{ $value | humanizeDuration }}', firing: "{ series: [{ metric: vllmKvCacheUsage, value: 0.95 }], value: 0.95 }" }) }, code: 'rule/unsupported-template', file: 'alerts/broken.ts', path: 'broken.rules[0].description' },
  { name: 'annotation prints $value but the firing case has none', files: { 'alerts/broken.ts': alertFile({ description: 'usage {{ $value | humanizePercentage }}' }) }, code: 'rule/test-value-missing', file: 'alerts/broken.ts', path: 'broken.rules[0].tests.firing[0].value' },
  { name: 'test series shaped for the wrong metric type', files: { 'alerts/broken.ts': alertFile({ firing: "{ series: [{ metric: vllmKvCacheUsage, rate: 3 }] }" }) }, code: 'rule/test-series-shape', file: 'alerts/broken.ts', path: 'broken.rules[0].tests.firing[0].series[0]' },
  {
    name: 'no quiet test case', files: { 'alerts/broken.ts': alertFile({ quiet: '' }) }, code: 'spec/invalid', file: 'alerts/broken.ts', path: 'broken.rules[0].tests.quiet',
    says: ['`quiet` is an empty list; it needs at least 1 item', 'add at least 1 item to `quiet`'], line: 'quiet: [],',
  },
  {
    name: 'metric defined twice in the catalog',
    files: { 'zz-extra.ts': `${imports}\nexport const extra = defineSource({ name: 'extra', component: 'Extra', job: 'extra', port: { name: 'metrics', number: 9000 }, metrics: [metric({ name: 'vllm:kv_cache_usage_perc', type: 'gauge', help: 'again', unit: 'ratio' })] });\n` },
    code: 'catalog/duplicate-metric', file: 'zz-extra.ts', path: 'extra.metrics[0].name',
  },
  {
    name: 'histogram without buckets',
    files: { 'catalog/extra.ts': `${imports}\nexport const extra = defineSource({ name: 'extra', component: 'Extra', job: 'extra', port: { name: 'metrics', number: 9000 }, metrics: [metric({ name: 'extra_latency_seconds', type: 'histogram', help: 'h', unit: 'seconds' })] });\n` },
    code: 'spec/invalid', file: 'catalog/extra.ts', path: 'extra.metrics[0].buckets',
    says: ['`buckets`: a histogram needs its bucket boundaries', 'add `buckets`'], line: 'export const extra',
  },
];

/** Builds and checks a fixture of `files`, as `check` does: the plan, when one is built, and every diagnostic. */
async function checkedFixture(files: Record<string, string>): ReturnType<typeof buildModel> {
  const dir = specFixture(files);
  const built = await buildModel(dir, dirname(dir));
  if (built.model) checkModel(built.model, built.diagnostics);
  return built;
}

describe('invalid specs', () => {
  it('has at least twenty cases', () => expect(cases.length).toBeGreaterThanOrEqual(20));

  it.each(cases)('$name → $code', async (c) => {
    const dir = specFixture(c.files);
    const { model, diagnostics } = await buildModel(dir, dirname(dir));
    if (model) checkModel(model, diagnostics);
    const rel = `${dir.split('/').pop()}/${c.file}`;
    const severity = c.severity ?? 'error';
    const found = diagnostics.items.filter((d) => d.code === c.code && d.file === rel && d.severity === severity);
    const match = c.says ? found.find((d) => d.path === c.path) : found.find((d) => d.path.startsWith(c.path));
    expect(match, JSON.stringify(diagnostics.items, null, 2)).toBeDefined();
    expect(match!.fix.length).toBeGreaterThan(0);
    if (c.message) expect(`${match!.message} ${match!.fix}`).toMatch(c.message);
    if (c.says) {
      expect([match!.message, match!.fix]).toEqual(c.says);
      // One problem, one diagnostic: a misspelt field is not also reported as a missing one.
      expect(found.filter((d) => d.code === 'spec/invalid')).toHaveLength(c.code === 'spec/invalid' ? 1 : 0);
    }
    const text = readFileSync(join(dir, c.file), 'utf8');
    const needle = c.line;
    const line = needle === undefined ? ':\\d+' : needle === false ? '' : `:${text.split('\n').findIndex((l) => l.includes(needle)) + 1}`;
    const where = new RegExp(`${severity} ${c.code} ${escapeRegExp(rel)}${line}${match!.path ? `: ${escapeRegExp(match!.path)}` : ''}\n`);

    if (severity === 'warning') {
      const run = cli(['check', '--specs', dir], dirname(dir));
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(where);
      return;
    }
    // The same spec through the CLI: exit 1, the diagnostic printed at its line, the previous output untouched.
    const out = previousOutput();
    const before = snapshot(out);
    const run = cli(['generate', '--specs', dir, '--out', out], dirname(dir));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(where);
    expect(snapshot(out)).toEqual(before);
  });

  it('a missing spec directory is one diagnostic, not a crash', async () => {
    const dir = specFixture({});
    const { model, diagnostics } = await buildModel(join(dir, 'nowhere'), dir);
    expect(model).toBeUndefined();
    expect(diagnostics.items.map((d) => [d.code, d.file, d.message])).toEqual([
      ['spec/no-spec-directory', 'nowhere', 'the spec directory nowhere: no such directory'],
      ['spec/missing-stack', 'nowhere/stack.ts', 'no stack settings were found'],
    ]);
  });

  it('a group that fails its schema has its valid rules checked, and no more', async () => {
    const { diagnostics } = await checkedFixture({ 'alerts/broken.ts': alertFile({ expr: 'vllm:gpu_cache_usage_perc > 0.9' }, pagingRule) });
    expect(diagnostics.items.map((d) => [d.code, d.path])).toEqual([
      ['spec/invalid', 'broken.rules[1].severity'],
      ['promql/removed-metric', 'broken.rules[0].expr'],
    ]);
  });

  it("what a failing group's rules record is no unknown metric to the queries that read it", async () => {
    const recordings = `
    { record: 'broken:usage:max', expr: 'max(vllm:kv_cache_usage_perc)' },
    { record: 'broken:usage:min', expr: 'min(vllm:kv_cache_usage_perc)', labls: { team: 'x' } },
    { alert: 'BrokenMin', expr: 'broken:usage:min > 0.9', severity: 'warning', summary: 's', description: 'd',
      tests: { firing: [{ series: [{ metric: vllmKvCacheUsage, value: 0.95 }] }], quiet: [{ series: [{ metric: vllmKvCacheUsage, value: 0.1 }] }] } },`;
    const reader = alertFile({ expr: 'broken:usage:max > 0.9' }).replace("'broken.alerts'", "'reader.alerts'").replace('const broken', 'const reader');
    const { diagnostics } = await checkedFixture({ 'alerts/broken.ts': alertFile({ alert: 'BrokenMax', expr: 'broken:usage:max > 0.9' }, recordings), 'alerts/reader.ts': reader });
    expect(diagnostics.items.map((d) => [d.code, d.path])).toEqual([['spec/invalid', 'broken.rules[2].labls']]);
  });

  it('a dashboard that fails its schema has its valid panels checked, and nothing generated', async () => {
    const { model, diagnostics } = await checkedFixture({ 'dashboards/broken.ts': dashboardFile(removedMetricPanel) });
    expect(diagnostics.items.map((d) => [d.code, d.path])).toEqual([
      ['spec/invalid', 'board.rows[0].panels[1].colour'],
      ['promql/removed-metric', 'board.rows[0].panels[0].queries[0].expr'],
    ]);
    expect(JSON.stringify(generateArtifacts(model!, { documentation: false }))).not.toContain('broken-board');
  });

  it('a dashboard that fails its schema is still declared to the alerts that link it', async () => {
    const linking = (id: string) => alertFile({}).replace('defineRuleGroup({', `defineRuleGroup({ dashboard: '${id}',`);
    const linked = await checkedFixture({ 'dashboards/broken.ts': dashboardFile(''), 'alerts/broken.ts': linking('broken-board') });
    expect(linked.diagnostics.items.map((d) => [d.code, d.path])).toEqual([['spec/invalid', 'board.rows[0].panels[0].colour']]);
    const unknown = await checkedFixture({ 'dashboards/broken.ts': dashboardFile(''), 'alerts/broken.ts': linking('nowhere-board') });
    expect(unknown.diagnostics.items.map((d) => d.code)).toContain('rule/unknown-dashboard');
  });

  it("the variables of a dashboard that fails its schema, its broken ones too, are its panels' variables", async () => {
    const panels = `
    { title: 'Requests', description: 'Rate.', unit: 'reqps', queries: [{ expr: 'sum(rate(kthena_router_requests_total{model=~"$model"}[$__rate_interval]))' }] },
    { title: 'Typo', description: 'Rate.', unit: 'reqps', queries: [{ expr: 'sum(rate(kthena_router_requests_total{model=~"$modle"}[$__rate_interval]))' }] },`;
    const brokenVariable = "{ ...labelVariable('model', 'Model', routerRequestsTotal, 'model'), multi: 'yes' }";
    const { diagnostics } = await checkedFixture({ 'dashboards/broken.ts': dashboardFile(panels, brokenVariable) });
    expect(diagnostics.items.map((d) => [d.code, d.path])).toEqual([
      ['spec/invalid', 'board.variables[0].multi'],
      ['spec/invalid', 'board.rows[0].panels[2].colour'],
      ['promql/grafana-variable', 'board.rows[0].panels[1].queries[0].expr'],
    ]);
    // A variable without a name leaves the names unknown: no panel is told its variable is undeclared.
    const built = await checkedFixture({ 'dashboards/broken.ts': dashboardFile(panels, "{ type: 'custom', title: 'Model', values: ['a'] }") });
    expect(built.diagnostics.items.map((d) => d.code)).not.toContain('promql/grafana-variable');
  });

  it('an SLO service that fails its schema has its valid SLIs checked, and nothing generated', async () => {
    const { model, diagnostics } = await checkedFixture({ 'slos/broken.ts': sloFile(removedMetricSli) });
    expect(diagnostics.items.map((d) => [d.code, d.path])).toEqual([
      ['spec/invalid', 'svc.slos[1].objective'],
      ['promql/removed-metric', 'svc.slos[0].sli.errorRatio'],
    ]);
    expect(model!.slos).toEqual([]);
    expect(JSON.stringify(generateArtifacts(model!, { documentation: false }))).not.toContain('brokensvc');
  });

  it("what a failing SLO service's valid SLOs record is no unknown metric to the queries that read it", async () => {
    const sli = "{ kind: 'raw', errorRatio: 'max(avg_over_time(vllm:kv_cache_usage_perc[{{.window}}]))' }";
    const reader = alertFile({ expr: 'max(slo:sli_error:ratio_rate5m{sloth_id="brokensvc-cache"}) > 0.1' });
    const { diagnostics } = await checkedFixture({ 'slos/broken.ts': sloFile(sli), 'alerts/reader.ts': reader });
    expect(diagnostics.items.map((d) => [d.code, d.path])).toEqual([['spec/invalid', 'svc.slos[1].objective']]);
    // The SLO that fails its schema records nothing, so reading it stays an error.
    const other = alertFile({ expr: 'max(slo:sli_error:ratio_rate5m{sloth_id="brokensvc-other"}) > 0.1' });
    const built = await checkedFixture({ 'slos/broken.ts': sloFile(sli), 'alerts/reader.ts': other });
    expect(built.diagnostics.items.map((d) => [d.code, d.path])).toEqual([
      ['spec/invalid', 'svc.slos[1].objective'],
      ['promql/label-value-not-in-enum', 'broken.rules[0].expr'],
    ]);
  });

  it('a log spec that fails its schema has its valid alerts and their runbook queries checked, and nothing generated', async () => {
    const runbook = ", runbook: { meaning: 'm', firstChecks: ['c'], queries: [{ title: 't', logql: '{namespace=\"web\", app=\"api\"}' }] }";
    const { model, diagnostics } = await checkedFixture({ 'logs.ts': logsFile({ expr: '{namespace="web", app="web"} |= "error"', runbook }) });
    expect(diagnostics.items.map((d) => [d.code, d.path])).toEqual([
      ['spec/invalid', 'logs.alerts[1].alert'],
      ['logql/no-stream', 'logs.alerts[0].runbook.queries[0].logql'],
      ['logql/not-a-metric-query', 'logs.alerts[0].expr'],
    ]);
    expect(JSON.stringify(generateArtifacts(model!, { documentation: false }))).not.toContain('WebErrors');
  });

  it('the alerts of a log spec with a broken stream are not checked against the streams left', async () => {
    const { diagnostics } = await checkedFixture({ 'logs.ts': logsFile({ expr: 'sum(count_over_time({namespace="api", app="api"}[5m])) > 1', stream: " }, { name: 'api', namespace: 'api', app: 'api'" }) });
    expect(diagnostics.items.map((d) => d.code)).not.toContain('logql/no-stream');
  });

  it('a valid spec in the same fixture has no errors', async () => {
    const dir = specFixture({ 'alerts/ok.ts': alertFile({}) });
    const { model, diagnostics } = await buildModel(dir, dirname(dir));
    if (model) checkModel(model, diagnostics);
    expect(diagnostics.errors).toEqual([]);
  });
});
