import { rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOKI3_MAX_LABEL_NAMES } from '../../src/conventions.ts';
import { metric, label, type FamilyChangeSpec, type SourceHistorySpec, type SourceSpec } from '../../src/model/catalog.ts';
import type { DashboardSpec, VariableSpec } from '../../src/model/dashboard.ts';
import type { Diagnostic, Severity } from '../../src/model/diagnostics.ts';
import { DISCOVERY_LABELS, type LogsSpec } from '../../src/model/logs.ts';
import type { RoutingSpec } from '../../src/model/routing.ts';
import { promql, type RuleGroupSpec } from '../../src/model/rules.ts';
import type { AlertWindowsSpec, SloSpec } from '../../src/model/slo.ts';
import type { SpecDeclaration, SpecKind } from '../../src/model/spec.ts';
import { buildModel, checkModel } from '../../src/pipeline.ts';
import { kthenaRouter, routerRequestDuration, routerRequestsTotal } from '../../src/catalog/kthena-router.ts';
import { k6HttpReqsTotal } from '../../src/catalog/k6.ts';
import { otelSpanMetrics } from '../../src/catalog/otel-spanmetrics.ts';
import { stack } from '../../specs/stack.ts';
import { specFixture, src } from '../support/spec-fixture.ts';

/**
 * Every diagnostic code of the checks, each with a spec that produces it (reported once, at its file and
 * dotted path, with a message and a fix) and the same spec corrected (no longer reported). Specs are
 * written as real spec files in a fixture directory and go through the loader, the model and every check.
 */

const DEFINE = {
  source: 'defineSource',
  rules: 'defineRuleGroup',
  stack: 'defineStack',
  routing: 'defineRouting',
  logs: 'defineLogs',
  dashboard: 'defineDashboard',
  slos: 'defineSlos',
} as const satisfies Record<SpecKind, string>;

/** A spec file exporting one declaration of `kind` under `name`. */
function declaration<K extends SpecKind>(kind: K, name: string, spec: SpecDeclaration<K>['spec']): string {
  return `import { ${DEFINE[kind]} } from ${src('src/model/spec.ts')};\nexport const ${name} = ${DEFINE[kind]}(${JSON.stringify(spec, null, 2)});\n`;
}

interface CodeCase {
  code: string;
  /** What the broken spec gets wrong. */
  what: string;
  /** Spec files by path in the fixture: `broken` gives the input that produces the code, else the corrected one. */
  files: (broken: boolean) => Record<string, string>;
  /** Where the diagnostic points: a file of the fixture and the dotted path inside it. */
  file: string;
  path: string;
  severity?: Severity;
}

async function diagnose(files: Record<string, string>): Promise<{ dir: string; items: Diagnostic[] }> {
  const dir = specFixture(files);
  try {
    const { model, diagnostics } = await buildModel(dir, dirname(dir));
    if (model) checkModel(model, diagnostics);
    return { dir: basename(dir), items: diagnostics.items };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function codeTests(cases: CodeCase[]): void {
  for (const c of cases) codeTest(c);
}

function codeTest(c: CodeCase): void {
  it(`${c.code}: ${c.what}`, async () => {
    const { dir, items } = await diagnose(c.files(true));
    const found = items.filter((d) => d.code === c.code);
    expect(found, JSON.stringify(items, null, 2)).toHaveLength(1);
    const [d] = found;
    expect(d).toMatchObject({ severity: c.severity ?? 'error', file: `${dir}/${c.file}`, path: c.path });
    expect(d!.message.trim()).not.toBe('');
    expect(d!.fix.trim()).not.toBe('');
  });

  it(`${c.code}: ${c.what}, corrected, is not reported`, async () => {
    const { items } = await diagnose(c.files(false));
    // A corrected fixture may be a module without specs, which is worth a warning but is not broken.
    expect(items.filter((d) => d.code.startsWith('spec/') && d.severity === 'error')).toEqual([]);
    expect(items.filter((d) => d.code === c.code)).toEqual([]);
  });
}

const workloadNamespace = stack.spec.workloadNamespaces[0]!;

describe('a spec file that fails to load', () => {
  it('is all that is reported: checks across files would read the platform without it', async () => {
    const { dir, items } = await diagnose({ 'stack.ts': "throw new Error('the stack is broken');\n" });
    expect(items.map((d) => [d.code, d.file])).toEqual([['spec/load-failed', `${dir}/stack.ts`]]);
  });
});

describe('spec', () => {
  codeTests([
    {
      code: 'spec/missing-stack',
      what: 'stack.ts declares no stack',
      files: (broken): Record<string, string> => (broken ? { 'stack.ts': 'export {};\n' } : {}),
      file: 'stack.ts',
      path: 'stack',
    },
    {
      code: 'spec/duplicate-stack',
      what: 'a second file declares a stack',
      files: (broken): Record<string, string> => (broken ? { 'staging-stack.ts': declaration('stack', 'stagingStack', stack.spec) } : {}),
      file: 'staging-stack.ts',
      path: 'stagingStack',
    },
    {
      code: 'spec/load-failed',
      what: 'a spec imports a metric its catalog module does not export',
      files: (broken) => ({
        'alerts/broken.ts': `import { ${broken ? 'routerRequestTotal' : 'routerRequestsTotal'} as requests } from 'infermon/catalog/kthena-router';\nexport const watched = [requests.name];\n`,
      }),
      file: 'alerts/broken.ts',
      path: '',
    },
    {
      code: 'spec/invalid-option',
      what: 'a bundled factory is given a percent where its option is a ratio',
      files: (broken) => ({
        'alerts/vllm.ts': `import * as content from 'infermon/content';\nexport const chatAlerts = content.vllmAlerts({\n  name: 'chat',\n  kvCacheWarning: ${broken ? 95 : 0.95},\n});\n`,
      }),
      file: 'alerts/vllm.ts',
      path: 'chatAlerts.kvCacheWarning',
    },
  ]);
});

const extraMetric = metric({ name: 'extra_queue_depth', type: 'gauge', help: 'Requests waiting in the extra queue.', unit: 'requests' });
const extraOldMetric = metric({ name: 'extra_queue_length', type: 'gauge', help: 'Former name of the queue depth.', unit: 'requests' });

function extraSource(change: Partial<SourceSpec> = {}): Record<string, string> {
  const source: SourceSpec = {
    name: 'extra',
    component: 'Extra exporter',
    job: 'extra',
    port: { name: 'metrics', number: 9000 },
    kubernetes: { namespace: workloadNamespace, podLabels: { app: 'extra' } },
    metrics: [extraMetric],
    ...change,
  };
  return { 'zz-extra.ts': declaration('source', 'extraSource', source) };
}

const extraRef = { repo: 'example/extra', path: 'metrics.go', at: 'v2.0.0' };
const extraAdded: FamilyChangeSpec = { change: 'added', version: '2.0', family: extraMetric.name, ref: extraRef };
const extraHistory = (change: FamilyChangeSpec = extraAdded): SourceHistorySpec => ({ upstream: 'example/extra', releases: ['1.0', '2.0'], current: '2.0', changes: [change] });
const extraRecording = declaration('rules', 'extraRules', { name: 'extra.rules', rules: [{ record: 'job:extra_queue_depth:max', expr: 'max by (job) (extra_queue_depth)' }] });

describe('catalog', () => {
  codeTests([
    {
      code: 'catalog/unknown-version',
      what: 'a deployment pins a release its history does not know',
      files: (broken) => extraSource({ history: extraHistory(), version: broken ? '3.0' : '2.0' }),
      file: 'zz-extra.ts',
      path: 'extraSource.version',
    },
    {
      code: 'catalog/history-unknown-family',
      what: 'a history change names a family the source lacks',
      files: (broken) => extraSource({ history: extraHistory({ ...extraAdded, family: broken ? 'extra_queue_size' : extraMetric.name }) }),
      file: 'zz-extra.ts',
      path: 'extraSource.history.changes[0].family',
    },
    {
      code: 'catalog/history-unknown-release',
      what: 'a history change names a release not in the list',
      files: (broken) => extraSource({ history: extraHistory({ ...extraAdded, version: broken ? '1.5' : '2.0' }) }),
      file: 'zz-extra.ts',
      path: 'extraSource.history.changes[0].version',
    },
    {
      code: 'catalog/history-mismatch',
      what: 'a rename in the history disagrees with the family entry',
      files: (broken) =>
        extraSource({
          metrics: [{ ...extraOldMetric, removedIn: broken ? '1.0' : '2.0', renamedTo: extraMetric.name }, extraMetric],
          history: extraHistory({ change: 'renamed', version: '2.0', family: extraOldMetric.name, to: extraMetric.name, ref: extraRef }),
        }),
      file: 'zz-extra.ts',
      path: 'extraSource.history.changes[0].version',
    },
    {
      code: 'promql/not-in-pinned-version',
      what: 'a rule reads a family added after the release the source pins',
      files: (broken) => ({ ...extraSource({ history: extraHistory(), version: broken ? '1.0' : '2.0' }), 'rules/extra.ts': extraRecording }),
      file: 'rules/extra.ts',
      path: 'extraRules.rules[0].expr',
    },
    {
      code: 'catalog/unknown-replacement',
      what: 'renamedTo names a metric no source defines',
      files: (broken) => extraSource({ metrics: [{ ...extraOldMetric, deprecated: '2.0', renamedTo: broken ? 'extra_queue_size' : extraMetric.name }, extraMetric] }),
      file: 'zz-extra.ts',
      path: 'extraSource.metrics[0].renamedTo',
    },
    {
      code: 'catalog/rename-without-version',
      what: 'a renamed metric states no version',
      files: (broken) => extraSource({ metrics: [{ ...extraOldMetric, renamedTo: extraMetric.name, ...(broken ? {} : { deprecated: '2.0' }) }, extraMetric] }),
      file: 'zz-extra.ts',
      path: 'extraSource.metrics[0]',
      severity: 'warning',
    },
  ]);
});

describe('wiring', () => {
  codeTests([
    {
      code: 'wiring/duplicate-job',
      what: 'two scraped sources produce one job',
      files: (broken) => extraSource({ job: broken ? kthenaRouter.spec.job : 'extra' }),
      file: 'zz-extra.ts',
      path: 'extraSource.job',
    },
    {
      code: 'wiring/invalid-port-name',
      what: 'port name longer than 15 characters',
      files: (broken) => extraSource({ port: { name: broken ? 'metrics-endpoint-http' : 'metrics', number: 9000 } }),
      file: 'zz-extra.ts',
      path: 'extraSource.port.name',
    },
    {
      code: 'wiring/namespace-not-watched',
      what: 'source runs in a namespace the stack does not watch',
      files: (broken) => extraSource({ kubernetes: { namespace: broken ? 'elsewhere' : workloadNamespace, podLabels: { app: 'extra' } } }),
      file: 'zz-extra.ts',
      path: 'extraSource.kubernetes.namespace',
      severity: 'warning',
    },
    {
      code: 'wiring/span-metrics-port',
      what: 'the span-metrics source scrapes another port than the collector config serves them on',
      files: (broken) => ({
        'stack.ts': declaration('stack', 'stack', {
          ...stack.spec,
          tracing: { ...stack.spec.tracing!, collector: { prometheusPort: broken ? 9464 : otelSpanMetrics.spec.port.number } },
        }),
      }),
      file: 'sources.ts',
      path: 'otelSpanMetrics.port.number',
    },
    {
      code: 'wiring/unscraped-source',
      what: 'scraped source with neither Kubernetes placement nor static targets',
      files: (broken) => extraSource({ kubernetes: broken ? undefined : { namespace: workloadNamespace, podLabels: { app: 'extra' } } }),
      file: 'zz-extra.ts',
      path: 'extraSource',
    },
  ]);
});

const unknownCounter = metric({ name: 'extra_failures_total', type: 'counter', help: 'Failures no source exports.', unit: 'requests' });
const unknownHistogram = metric({ name: 'extra_latency_seconds', type: 'histogram', help: 'Latency no source exports.', unit: 'seconds', buckets: [0.5, 1, 2] });

function recordingGroup(name: string, record: string): RuleGroupSpec {
  return { name, rules: [{ record, expr: promql`sum by (model) (rate(${routerRequestsTotal}[5m]))` }] };
}

/** An alert group watching the router, whose spec a case changes. */
function routerAlertGroup(change: Partial<RuleGroupSpec> = {}, alert: Record<string, unknown> = {}): RuleGroupSpec {
  return {
    name: 'extra.alerts',
    team: 'extra',
    service: 'extra-router',
    rules: [
      {
        alert: 'ExtraRouterErrors',
        expr: promql`sum by (model) (rate(${routerRequestsTotal}{status_code=~"5.."}[5m])) > 1`,
        severity: 'warning',
        summary: 'Router errors.',
        description: 'Model {{ $labels.model }} fails.',
        tests: {
          firing: [{ series: [{ metric: routerRequestsTotal, labels: { model: 'm', status_code: '503' }, rate: 5 }] }],
          quiet: [{ series: [{ metric: routerRequestsTotal, labels: { model: 'm', status_code: '503' }, rate: 0 }] }],
        },
        ...alert,
      },
    ],
    ...change,
  };
}

function routerAlertFiles(change: Partial<RuleGroupSpec> = {}, alert: Record<string, unknown> = {}): Record<string, string> {
  return {
    'alerts/extra.ts': declaration('rules', 'extraAlerts', routerAlertGroup(change, alert)),
    'dashboards/extra.ts': declaration('dashboard', 'extraDashboard', dashboard('extra-router')),
  };
}

describe('rule', () => {
  codeTests([
    {
      code: 'rule/unknown-dashboard',
      what: 'an alert group linking a dashboard no spec declares',
      files: (broken) => routerAlertFiles({ dashboard: broken ? 'extra-routers' : 'extra-router' }),
      file: 'alerts/extra.ts',
      path: 'extraAlerts.dashboard',
    },
    {
      code: 'rule/unresolved-link',
      what: 'a runbook URL under the runbook base naming a page no generator writes',
      files: (broken) => routerAlertFiles({}, { runbookUrl: `${stack.spec.runbookBaseUrl}/${broken ? 'ExtraRouterFailures' : 'ExtraRouterErrors'}.md` }),
      file: 'alerts/extra.ts',
      path: 'extraAlerts.rules[0].runbookUrl',
    },
    {
      code: 'rule/unresolved-link',
      what: 'a dashboard_url annotation naming a UID no dashboard has',
      files: (broken) => routerAlertFiles({}, { annotations: { dashboard_url: `${stack.spec.grafanaUrl}/d/infermon-extra-${broken ? 'routers' : 'router'}` } }),
      file: 'alerts/extra.ts',
      path: 'extraAlerts.rules[0].annotations.dashboard_url',
    },
    {
      code: 'rule/no-grafana-url',
      what: 'alerts name a dashboard but the stack has no Grafana URL',
      files: (broken) => ({
        ...routerAlertFiles({ dashboard: 'extra-router' }),
        'stack.ts': declaration('stack', 'stack', { ...stack.spec, grafanaUrl: broken ? undefined : stack.spec.grafanaUrl }),
      }),
      file: 'stack.ts',
      path: 'stack.grafanaUrl',
      severity: 'warning',
    },
    {
      code: 'promql/unknown-metric',
      what: 'a runbook query on a metric outside the catalog',
      files: (broken) =>
        routerAlertFiles({}, {
          runbook: {
            meaning: 'Requests fail.',
            firstChecks: ['Look at the errors.'],
            queries: [{ title: 'Errors', promql: broken ? 'sum(rate(kthena_router_request_errors_total[5m]))' : promql`sum(rate(${routerRequestsTotal}[5m]))` }],
          },
        }),
      file: 'alerts/extra.ts',
      path: 'extraAlerts.rules[0].runbook.queries[0].promql',
    },
    {
      code: 'rule/duplicate-group',
      what: 'two files declare a rule group of one name',
      files: (broken) => ({
        'rules/a.ts': declaration('rules', 'aRules', recordingGroup('extra.a', 'model:extra_a_requests:rate5m')),
        'rules/b.ts': declaration('rules', 'bRules', recordingGroup(broken ? 'extra.a' : 'extra.b', 'model:extra_b_requests:rate5m')),
      }),
      file: 'rules/b.ts',
      path: 'bRules.name',
    },
    {
      code: 'rule/test-unknown-metric',
      what: 'a test series on a metric outside the catalog',
      files: (broken) => ({
        'alerts/extra.ts': declaration('rules', 'extraAlerts', {
          name: 'extra.alerts',
          rules: [
            {
              alert: 'ExtraRouterTraffic',
              expr: promql`sum(rate(${routerRequestsTotal}[5m])) > 1`,
              severity: 'info',
              summary: 'Router traffic.',
              description: 'The router serves requests.',
              tests: {
                firing: [{ series: [{ metric: broken ? unknownCounter : routerRequestsTotal, rate: 5 }] }],
                quiet: [{ series: [{ metric: routerRequestsTotal, rate: 0 }] }],
              },
            },
          ],
        }),
      }),
      file: 'alerts/extra.ts',
      path: 'extraAlerts.rules[0].tests.firing[0].series[0]',
    },
  ]);
});

const ratioSli = {
  kind: 'ratio',
  errors: { metric: routerRequestsTotal, matchers: { status_code: { re: '5..' } } },
  total: { metric: routerRequestsTotal },
} as const satisfies SloSpec['sli'];
const rawSli = {
  kind: 'raw',
  errorRatio: promql`sum(rate(${routerRequestsTotal}{status_code=~"5.."}[{{.window}}])) / sum(rate(${routerRequestsTotal}[{{.window}}]))`,
} as const satisfies SloSpec['sli'];
const WINDOWS: AlertWindowsSpec = {
  page: { quick: { errorBudgetPercent: 4, shortWindow: '5m', longWindow: '1h' }, slow: { errorBudgetPercent: 10, shortWindow: '30m', longWindow: '6h' } },
  ticket: { quick: { errorBudgetPercent: 15, shortWindow: '2h', longWindow: '1d' }, slow: { errorBudgetPercent: 30, shortWindow: '6h', longWindow: '3d' } },
};

function sloFile(change: Partial<SloSpec>): Record<string, string> {
  const slo: SloSpec = { name: 'availability', objective: 99.9, sli: ratioSli, alerting: { name: 'ExtraAvailabilityBudgetBurn' }, ...change };
  return { 'slos.ts': declaration('slos', 'extraSlos', { service: 'extra', labels: { team: 'extra' }, slos: [slo] }) };
}

describe('slo', () => {
  codeTests([
    {
      code: 'slo/duplicate-id',
      what: 'two services whose <service>-<slo> ids coincide',
      files: (broken) => ({
        'slos/platform.ts': declaration('slos', 'platformSlos', {
          service: 'extra',
          slos: [{ name: 'api-availability', objective: 99.9, sli: ratioSli, alerting: { name: 'ExtraApiAvailabilityBudgetBurn' } }],
        }),
        'slos/tenant.ts': declaration('slos', 'tenantSlos', {
          service: 'extra-api',
          slos: [{ name: broken ? 'availability' : 'uptime', objective: 99.9, sli: ratioSli, alerting: { name: 'ExtraApiUptimeBudgetBurn' } }],
        }),
      }),
      file: 'slos/tenant.ts',
      path: 'tenantSlos.slos[0].name',
    },
    {
      code: 'slo/efficient-needs-events',
      what: 'efficient mode on a raw error-ratio SLI',
      files: (broken) => sloFile({ sli: rawSli, options: { mode: broken ? 'efficient' : 'sloth' } }),
      file: 'slos.ts',
      path: 'extraSlos.slos[0].options.mode',
    },
    {
      code: 'slo/efficient-needs-native',
      what: 'efficient mode while the Sloth operator writes the SLO rules',
      files: (broken) => ({
        'stack.ts': declaration('stack', 'stack', { ...stack.spec, targets: { ...stack.spec.targets, slo: 'sloth-operator' } }),
        ...sloFile({ options: { mode: broken ? 'efficient' : 'sloth' } }),
      }),
      file: 'slos.ts',
      path: 'extraSlos.slos[0].options.mode',
    },
    {
      code: 'slo/min-event-rate-needs-events',
      what: 'minimum event rate on a raw error-ratio SLI',
      files: (broken) => sloFile({ sli: rawSli, options: broken ? { minEventRate: 0.05 } : {} }),
      file: 'slos.ts',
      path: 'extraSlos.slos[0].options.minEventRate',
    },
    {
      code: 'slo/no-alert-windows',
      what: 'a 14d period without a burn-rate table',
      files: (broken) => sloFile({ period: '14d', ...(broken ? {} : { windows: WINDOWS }) }),
      file: 'slos.ts',
      path: 'extraSlos.slos[0].period',
    },
    {
      code: 'slo/window-order',
      what: 'short window longer than the long window',
      files: (broken) => sloFile({ windows: broken ? { ...WINDOWS, page: { ...WINDOWS.page, quick: { errorBudgetPercent: 4, shortWindow: '1h', longWindow: '5m' } } } : WINDOWS }),
      file: 'slos.ts',
      path: 'extraSlos.slos[0].windows.page.quick',
    },
    {
      code: 'slo/not-a-histogram',
      what: 'latency SLI on a counter',
      files: (broken) => sloFile({ sli: { kind: 'latency', histogram: broken ? routerRequestsTotal : routerRequestDuration, threshold: 1 } }),
      file: 'slos.ts',
      path: 'extraSlos.slos[0].sli.histogram',
    },
    {
      code: 'slo/unknown-metric',
      what: 'ratio SLI counting errors on a metric outside the catalog',
      files: (broken) => sloFile({ sli: { ...ratioSli, errors: { metric: broken ? unknownCounter : routerRequestsTotal } } }),
      file: 'slos.ts',
      path: 'extraSlos.slos[0].sli.errors.metric',
    },
    {
      code: 'slo/unknown-metric',
      what: 'latency SLI on a histogram outside the catalog',
      files: (broken) => sloFile({ sli: { kind: 'latency', histogram: broken ? unknownHistogram : routerRequestDuration, threshold: 1 } }),
      file: 'slos.ts',
      path: 'extraSlos.slos[0].sli.histogram',
    },
    {
      code: 'slo/group-needs-metrics',
      what: 'a grouped SLO whose SLI is a raw query template',
      files: (broken) => sloFile({ sli: broken ? rawSli : ratioSli, groupBy: ['model'] }),
      file: 'slos.ts',
      path: 'extraSlos.slos[0].groupBy',
    },
    {
      code: 'slo/unknown-group-label',
      what: 'an SLO grouped by a label its metric does not carry',
      files: (broken) => sloFile({ groupBy: [broken ? 'tenant' : 'model'] }),
      file: 'slos.ts',
      path: 'extraSlos.slos[0].groupBy[0]',
    },
    {
      code: 'slo/unbounded-group-label',
      what: 'an SLO grouped by an unbounded label (the request URL)',
      files: (broken) =>
        sloFile({
          sli: { kind: 'ratio', errors: { metric: k6HttpReqsTotal, matchers: { expected_response: 'false' } }, total: { metric: k6HttpReqsTotal } },
          groupBy: [broken ? 'url' : 'name'],
        }),
      file: 'slos.ts',
      path: 'extraSlos.slos[0].groupBy[0]',
    },
    {
      code: 'slo/group-label-conflict',
      what: 'an SLO grouped by a label it also sets as a static rule label',
      files: (broken) => sloFile({ groupBy: ['model'], labels: broken ? { model: 'llama-3-8b' } : {} }),
      file: 'slos.ts',
      path: 'extraSlos.slos[0].groupBy[0]',
    },
    {
      code: 'slo/untested-sli',
      what: 'alerting SLI given as a query template',
      files: (broken) => sloFile({ sli: broken ? rawSli : ratioSli }),
      file: 'slos.ts',
      path: 'extraSlos.slos[0].sli',
      severity: 'warning',
    },
  ]);
});

function dashboard(id: string, variables: VariableSpec[] = []): DashboardSpec {
  return {
    id,
    title: 'Extra router traffic',
    description: 'Requests through the router.',
    variables,
    rows: [
      {
        title: 'Traffic',
        panels: [{ title: 'Requests', description: 'Request rate.', unit: 'reqps', queries: [{ expr: promql`sum(rate(${routerRequestsTotal}[$__rate_interval]))` }] }],
      },
    ],
  };
}

const customVariable = (name: string): VariableSpec => ({ type: 'custom', name, title: 'Window', values: ['5m', '1h'] });

describe('dashboard', () => {
  codeTests([
    {
      code: 'dashboard/duplicate-id',
      what: 'two dashboards with one id',
      files: (broken) => ({
        'dashboards/a.ts': declaration('dashboard', 'routerLoad', dashboard('router-load')),
        'dashboards/b.ts': declaration('dashboard', 'routerQueue', dashboard(broken ? 'router-load' : 'router-queue')),
      }),
      file: 'dashboards/b.ts',
      path: 'routerQueue.id',
    },
    {
      code: 'dashboard/duplicate-uid',
      what: 'two ids differing only in doubled dashes',
      files: (broken) => ({
        'dashboards/a.ts': declaration('dashboard', 'routerLoad', dashboard('router-load')),
        'dashboards/b.ts': declaration('dashboard', 'routerQueue', dashboard(broken ? 'router--load' : 'router-queue')),
      }),
      file: 'dashboards/b.ts',
      path: 'routerQueue.id',
    },
    {
      code: 'dashboard/duplicate-variable',
      what: 'two variables of one name',
      files: (broken) => ({
        'dashboards/extra.ts': declaration('dashboard', 'extraDashboard', dashboard('extra', [customVariable('window'), customVariable(broken ? 'window' : 'range')])),
      }),
      file: 'dashboards/extra.ts',
      path: 'extraDashboard.variables[1]',
    },
    {
      code: 'dashboard/duplicate-variable',
      what: 'a variable named like the reserved datasource variable',
      files: (broken) => ({ 'dashboards/extra.ts': declaration('dashboard', 'extraDashboard', dashboard('extra', [customVariable(broken ? 'datasource' : 'source')])) }),
      file: 'dashboards/extra.ts',
      path: 'extraDashboard.variables[0]',
    },
  ]);
});

type LogStreamSpec = LogsSpec['streams'][number];

const ACCESS_LINE = '^(?P<level>[A-Z]+) (?P<model>\\S+) (?P<request_id>\\S+)$';
const accessStream: LogStreamSpec = {
  name: 'extra-access',
  namespace: workloadNamespace,
  podLabels: { app: 'extra' },
  app: 'extra',
  parsers: [{ type: 'regex', expression: ACCESS_LINE }],
  fields: { level: label.enum(['INFO', 'ERROR']), model: label.bounded(), request_id: label.unbounded() },
  labels: { level: 'level', model: 'model' },
  structuredMetadata: { request_id: 'request_id' },
};
const ACTIVE_PERIOD = { from: '2025-01-01', store: 'tsdb', schema: 'v13' } as const;

function logs(change: Partial<LogsSpec> = {}): LogsSpec {
  return { loki: { schema: [ACTIVE_PERIOD] }, streams: [accessStream], ...change };
}

function logsFile(spec: LogsSpec, more: Record<string, string> = {}): Record<string, string> {
  return { 'logs.ts': declaration('logs', 'logs', spec), ...more };
}

/** A stream with `count` field labels besides the discovery labels, each from a JSON field. */
function labelledStream(count: number): LogStreamSpec {
  const names = Array.from({ length: count }, (_, i) => `field_${i}`);
  return {
    ...accessStream,
    parsers: [{ type: 'json', expressions: Object.fromEntries(names.map((n) => [n, n])) }],
    fields: Object.fromEntries(names.map((n) => [n, label.bounded()])),
    labels: Object.fromEntries(names.map((n) => [n, n])),
    structuredMetadata: {},
  };
}

describe('logs', () => {
  const labelRoom = LOKI3_MAX_LABEL_NAMES - DISCOVERY_LABELS.length;
  codeTests([
    {
      code: 'logs/duplicate-logs',
      what: 'a second file declares log pipelines',
      files: (broken) => logsFile(logs(), broken ? { 'more-logs.ts': declaration('logs', 'moreLogs', logs()) } : {}),
      file: 'more-logs.ts',
      path: 'moreLogs',
    },
    {
      code: 'logs/invalid-regex',
      what: 'a parser regex with an unclosed group',
      files: (broken) => logsFile(logs({ streams: [{ ...accessStream, parsers: [{ type: 'regex', expression: broken ? ACCESS_LINE.replace('+)', '+') : ACCESS_LINE }] }] })),
      file: 'logs.ts',
      path: 'logs.streams[0].parsers[0].expression',
    },
    {
      code: 'logs/no-loki-url',
      what: 'neither the log spec nor the stack names Loki',
      files: (broken) =>
        logsFile(logs({ loki: { schema: [ACTIVE_PERIOD], ...(broken ? {} : { url: 'http://loki.monitoring.svc:3100' }) } }), {
          'stack.ts': declaration('stack', 'stack', { ...stack.spec, lokiUrl: undefined }),
        }),
      file: 'logs.ts',
      path: 'logs.loki.url',
    },
    {
      code: 'logs/schema-order',
      what: 'an index period starting before the one it follows',
      files: (broken) =>
        logsFile(logs({ loki: { schema: [{ ...ACTIVE_PERIOD, from: '2024-06-01' }, { ...ACTIVE_PERIOD, from: broken ? '2024-01-01' : '2025-01-01' }] } })),
      file: 'logs.ts',
      path: 'logs.loki.schema[1].from',
    },
    {
      code: 'logs/too-many-labels',
      what: `more than ${LOKI3_MAX_LABEL_NAMES} stream labels`,
      files: (broken) => logsFile(logs({ streams: [labelledStream(broken ? labelRoom + 1 : labelRoom)] })),
      file: 'logs.ts',
      path: 'logs.streams[0].labels',
    },
    {
      code: 'logql/unknown-label',
      what: 'a log alert runbook query selecting on a label no stream carries',
      files: (broken) =>
        logsFile(
          logs({
            alerts: [
              {
                alert: 'ExtraErrorsBurst',
                expr: 'sum by (namespace) (count_over_time({namespace="' + workloadNamespace + '", app="extra", level="ERROR"}[5m])) > 10',
                severity: 'warning',
                team: 'extra',
                summary: 'Errors logged.',
                description: 'Errors logged.',
                runbook: {
                  meaning: 'The extra exporter logs errors.',
                  firstChecks: ['Read them.'],
                  queries: [{ title: 'Errors', logql: `{namespace="${workloadNamespace}", app="extra", ${broken ? 'severity' : 'level'}="ERROR"}` }],
                },
              },
            ],
          }),
        ),
      file: 'logs.ts',
      path: 'logs.alerts[0].runbook.queries[0].logql',
    },
    {
      code: 'logs/undeclared-field',
      what: 'an extracted field without a declared cardinality',
      files: (broken) =>
        logsFile(logs({ streams: [{ ...accessStream, fields: broken ? { level: label.enum(['INFO', 'ERROR']), model: label.bounded() } : accessStream.fields }] })),
      file: 'logs.ts',
      path: 'logs.streams[0].fields',
    },
  ]);
});

const opsReceiver = { name: 'ops', email: [{ to: 'ops@example.com' }] };

function routing(change: Partial<RoutingSpec> = {}): RoutingSpec {
  return { receivers: [opsReceiver], route: { receiver: 'ops' }, ...change };
}

function routingFile(spec: RoutingSpec, more: Record<string, string> = {}): Record<string, string> {
  return { 'routing.ts': declaration('routing', 'routing', spec), ...more };
}

/** An alert that is down and one that is slow, for inhibit rules to pair. */
const downAndSlow: RuleGroupSpec = {
  name: 'extra-router.alerts',
  team: 'extra',
  service: 'extra-router',
  rules: [
    {
      alert: 'ExtraRouterDown',
      expr: `up{job="${kthenaRouter.spec.job}"} == 0`,
      severity: 'critical',
      summary: 'Router down.',
      description: 'The router is down.',
      tests: { firing: [{ series: [] }], quiet: [{ series: [] }] },
    },
    {
      alert: 'ExtraRouterSlow',
      expr: promql`histogram_quantile(0.99, sum by (model, le) (rate(${routerRequestDuration}_bucket[5m]))) > 2`,
      severity: 'warning',
      summary: 'Router slow.',
      description: 'The router is slow.',
      tests: { firing: [{ series: [] }], quiet: [{ series: [] }] },
    },
  ],
};

function inhibitFiles(rule: NonNullable<RoutingSpec['inhibitRules']>[number]): Record<string, string> {
  return routingFile(routing({ inhibitRules: [rule] }), { 'alerts/extra-router.ts': declaration('rules', 'extraRouterAlerts', downAndSlow) });
}

describe('route', () => {
  codeTests([
    {
      code: 'route/inhibit-matches-nothing',
      what: 'an inhibit rule whose source matchers match no generated alert',
      files: (broken) =>
        inhibitFiles({ sourceMatchers: [`alertname="${broken ? 'ExtraRouterGone' : 'ExtraRouterDown'}"`], targetMatchers: ['alertname="ExtraRouterSlow"'], equal: ['service'] }),
      file: 'routing.ts',
      path: 'routing.inhibitRules[0].sourceMatchers',
    },
    {
      code: 'route/inhibit-matches-nothing',
      what: 'an inhibit rule whose target matchers match no generated alert',
      files: (broken) =>
        inhibitFiles({ sourceMatchers: ['alertname="ExtraRouterDown"'], targetMatchers: [broken ? 'service="extra-routers"' : 'service="extra-router"', 'severity="warning"'], equal: ['service'] }),
      file: 'routing.ts',
      path: 'routing.inhibitRules[0].targetMatchers',
    },
    {
      code: 'route/inhibit-label-missing',
      what: 'an inhibit rule comparing a label the source alert does not carry',
      files: (broken) =>
        inhibitFiles({ sourceMatchers: ['alertname="ExtraRouterDown"'], targetMatchers: ['alertname="ExtraRouterSlow"'], equal: ['service', broken ? 'model' : 'team'] }),
      file: 'routing.ts',
      path: 'routing.inhibitRules[0].equal',
    },
    {
      code: 'route/unknown-time-interval',
      what: 'a route muted by a time interval nobody declares',
      files: (broken) =>
        routingFile(
          routing({
            route: { receiver: 'ops', routes: [{ matchers: ['team="extra"'], receiver: 'ops', muteTimeIntervals: [broken ? 'maintenance-window' : 'maintenance'] }] },
            timeIntervals: [{ name: 'maintenance', intervals: [{ weekdays: ['sunday'], times: [{ start: '02:00', end: '04:00' }], location: 'UTC' }] }],
          }),
        ),
      file: 'routing.ts',
      path: 'routing.route.routes[0].muteTimeIntervals',
    },
    {
      code: 'route/cr-time-zone',
      what: 'a time interval outside UTC',
      files: (broken) =>
        routingFile(routing({ timeIntervals: [{ name: 'business-hours', intervals: [{ weekdays: ['monday:friday'], location: broken ? 'Europe/Berlin' : 'UTC' }] }] })),
      file: 'routing.ts',
      path: 'routing.timeIntervals[0].intervals[0].location',
      severity: 'warning',
    },
    {
      code: 'route/credential-not-a-secret',
      what: 'a receiver reading its credential from a file',
      files: (broken) =>
        routingFile(
          routing({
            receivers: [
              opsReceiver,
              { name: 'team-slack', slack: [{ apiUrl: broken ? { file: '/etc/alertmanager/slack-url' } : { secret: { name: 'alertmanager-slack', key: 'team' } }, channel: '#team' }] },
            ],
          }),
        ),
      file: 'routing.ts',
      path: 'routing.receivers[1]',
    },
    {
      code: 'route/duplicate-receiver',
      what: 'two receivers of one name',
      files: (broken) => routingFile(routing({ receivers: [opsReceiver, { ...opsReceiver, name: broken ? 'ops' : 'ops-mail' }] })),
      file: 'routing.ts',
      path: 'routing.receivers[1].name',
    },
    {
      code: 'route/duplicate-routing',
      what: 'a second file declares routing',
      files: (broken) => routingFile(routing(), broken ? { 'team/routing.ts': declaration('routing', 'teamRouting', routing()) } : {}),
      file: 'team/routing.ts',
      path: 'teamRouting',
    },
    {
      code: 'route/invalid-matcher',
      what: 'a route matcher with an unquoted value',
      files: (broken) =>
        routingFile(routing({ route: { receiver: 'ops', routes: [{ matchers: [broken ? 'severity=critical' : 'severity="critical"'], receiver: 'ops' }] } })),
      file: 'routing.ts',
      path: 'routing.route.routes[0].matchers[0]',
    },
    {
      code: 'route/invalid-matcher',
      what: 'an inhibit matcher with a single-quoted value',
      files: (broken) =>
        routingFile(
          routing({ inhibitRules: [{ sourceMatchers: ['severity="critical"'], targetMatchers: [broken ? "severity='warning'" : 'severity="warning"'], equal: ['alertname'] }] }),
        ),
      file: 'routing.ts',
      path: 'routing.inhibitRules[0].targetMatchers[0]',
    },
    {
      code: 'route/namespace-scoped',
      what: 'the operator scopes the AlertmanagerConfig to its namespace',
      files: (broken) =>
        routingFile(routing(), { 'stack.ts': declaration('stack', 'stack', { ...stack.spec, alertmanagerConfigMatcherStrategy: broken ? 'OnNamespace' : 'None' }) }),
      file: 'stack.ts',
      path: 'stack.alertmanagerConfigMatcherStrategy',
      severity: 'warning',
    },
    {
      code: 'route/no-default-receiver',
      what: 'a root route without a receiver',
      files: (broken) =>
        routingFile(routing({ route: { ...(broken ? {} : { receiver: 'ops' }), routes: [{ matchers: ['severity="critical"'], receiver: 'ops' }] } })),
      file: 'routing.ts',
      path: 'routing.route.receiver',
    },
    {
      code: 'route/root-matchers',
      what: 'matchers on the root route',
      files: (broken) => routingFile(routing({ route: { receiver: 'ops', matchers: broken ? ['severity="critical"'] : [] } })),
      file: 'routing.ts',
      path: 'routing.route.matchers',
      severity: 'warning',
    },
  ]);
});
