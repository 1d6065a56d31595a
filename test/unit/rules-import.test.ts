import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../support/paths.ts';
import { FIXTURE_ROOT, specFixture } from '../support/spec-fixture.ts';
import { runTool } from '../support/tools.ts';
import { buildModel, checkModel, generateArtifacts } from '../../src/pipeline.ts';
import { writeTree } from '../../src/emit/write.ts';
import { OUT, fileStem } from '../../src/conventions.ts';
import type { Plan } from '../../src/plan/index.ts';
import { ImportError } from '../../src/import/documents.ts';
import { importRules } from '../../src/import/rules.ts';
import { synthesiseTests } from '../../src/import/rule-tests.ts';
import { artifactText } from '../../src/emit/render.ts';

/**
 * `infermon import rules`: rule files of the kind platform teams run become rule-group specs that the
 * real loader reads and `infermon check` accepts; every converted expression comes out of `generate`
 * exactly as it went in, and the synthesised firing/quiet scenarios pass promtool.
 */
const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'import', 'rules');
const FILES = readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml')).sort();
const inputs = FILES.map((f) => ({ file: `rules/${f}`, text: readFileSync(join(FIXTURES, f), 'utf8') }));

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

let baseModel: Plan | undefined;
async function catalogOptions() {
  if (!baseModel) {
    const dir = specFixture({});
    dirs.push(dir);
    baseModel = (await buildModel(dir, dir)).model!;
  }
  return { catalog: baseModel.catalog, prometheusMajor: baseModel.stack.value.prometheusMajor };
}

interface RuleText {
  alert?: string;
  record?: string;
  expr: string;
}

/** Every group of a rule file or PrometheusRule: its name, key path and rules. */
function groupsOf(text: string): Array<{ name: string; path: string; rules: RuleText[] }> {
  const doc = parse(text) as { groups?: unknown; spec?: { groups: unknown } };
  const groups = (doc.spec?.groups ?? doc.groups) as Array<{ name: string; rules: RuleText[] }>;
  const prefix = doc.spec ? 'spec.groups' : 'groups';
  return groups.map((g, i) => ({ name: g.name, path: `${prefix}[${i}]`, rules: g.rules.map((r) => ({ ...r, expr: String(r.expr) })) }));
}

describe('importing Prometheus rule files', () => {
  it('converts five teams\' rule files into specs `infermon check` accepts, expressions unchanged, tests passing promtool', async () => {
    expect(FILES.length).toBeGreaterThanOrEqual(5);
    const result = importRules(inputs, await catalogOptions());
    const specs = specFixture({ 'alerts/imported.ts': result.text });
    dirs.push(specs);
    const { model, diagnostics } = await buildModel(specs, specs);
    checkModel(model!, diagnostics);
    expect(diagnostics.errors).toEqual([]);

    const artifacts = generateArtifacts(model!);
    const skipped = new Set(result.skipped.map((s) => `${s.where}: ${s.field.split(' ')[0]}`));
    let compared = 0;
    for (const input of inputs) {
      for (const group of groupsOf(input.text)) {
        const generated = artifacts.find((a) => a.path === `${OUT.prometheusRules}/${fileStem(group.name)}.yml`);
        expect(generated, `${input.file}: group ${group.name}`).toBeDefined();
        const out = groupsOf(artifactText(generated!)).find((g) => g.name === group.name)!;
        const converted = group.rules.filter((_r, i) => !skipped.has(`${input.file}: ${group.path}.rules[${i}]`));
        expect(out.rules.map((r) => r.expr)).toEqual(converted.map((r) => r.expr));
        compared += converted.length;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(20);
    // Group fields Prometheus reads carry over too.
    const vllmAlerts = parse(artifactText(artifacts.find((a) => a.path === `${OUT.prometheusRules}/vllm-alerts.yml`)!)) as { groups: unknown[] };
    expect(vllmAlerts.groups[0]).toMatchObject({ name: 'vllm.alerts', query_offset: '1m', limit: 500 });

    const out = mkdtempSync(join(FIXTURE_ROOT, 'out-'));
    dirs.push(out);
    writeTree(join(out, 'tree'), artifacts);
    const rulesDir = join(out, 'tree', OUT.prometheusRules);
    const testsDir = join(out, 'tree', OUT.prometheusTests);
    const groups = inputs.flatMap((i) => groupsOf(i.text).map((g) => fileStem(g.name)));
    const check = runTool('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', ...groups.map((g) => join(rulesDir, `${g}.yml`))]);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const cases = readdirSync(testsDir).filter((f) => groups.some((g) => f === `${g}.test.yml`));
    expect(cases).toHaveLength(groups.length);
    const r = runTool('promtool', ['test', 'rules', ...cases], { cwd: testsDir });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('lists what it could not convert with the file, rule and reason, and keeps the rest', async () => {
    const result = importRules(inputs, await catalogOptions());
    expect(result.skipped).toContainEqual({
      where: 'rules/vllm-alerts.yaml',
      field: 'groups[1].rules[3] (alert vllm_gpu_cache_full)',
      why: expect.stringContaining('promql/removed-metric: `vllm:gpu_cache_usage_perc` was removed'),
    });
    expect(result.text).toContain('${vllmKvCacheUsage}');
    expect(result.text).not.toContain('vllm_gpu_cache_full');
  });

  it('writes catalog references and names the series each scenario needs', async () => {
    const { text } = importRules(inputs, await catalogOptions());
    expect(text).toContain("import { defineRuleGroup, promql } from 'infermon';");
    expect(text).toContain('expr: promql`histogram_quantile(0.95, sum by (le, model_name) (rate(${vllmE2eRequestLatency}_bucket[5m]))) > 30`');
    // The alert on a recording rule is tested through the rule: its series are the rule's inputs.
    expect(text).toMatch(/alert: 'VllmRequestErrorRatioHigh'[\s\S]*?metric: vllmRequestSuccess,\s*labels: \{\s*finished_reason: 'error'/);
    // absent() fires with no series at all.
    expect(text).toMatch(/alert: 'RagNoTraffic'[\s\S]*?description: 'no series at all',\s*series: \[\]/);
  });

  it('refuses input that is not a rule file, every problem at once', async () => {
    const options = await catalogOptions();
    try {
      importRules([{ file: 'a.yaml', text: 'kind: Deployment\n' }, { file: 'b.yaml', text: 'groups: {}\n' }], options);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ImportError);
      expect((err as ImportError).problems).toEqual([
        'a.yaml: neither a Prometheus rule file (`groups:`) nor a monitoring.coreos.com PrometheusRule',
        'b.yaml: groups: expected a list of rule groups',
      ]);
    }
  });
});

describe('synthesised alert scenarios', () => {
  it('fire above and stay quiet below a threshold, with the value the annotations print', async () => {
    const { catalog } = await catalogOptions();
    const t = synthesiseTests('max by (model_name) (vllm:kv_cache_usage_perc) > 0.9', 0, catalog, new Map(), ['{{ $labels.model_name }}']);
    expect(t).toEqual({
      firing: [{ series: [{ metric: expect.anything(), labels: { model_name: 'model-name-0' }, value: 1 }], labels: { model_name: 'model-name-0' }, value: 1 }],
      quiet: [{ series: [{ metric: expect.anything(), labels: { model_name: 'model-name-0' }, value: 0 }] }],
    });
  });

  it('keep the denominator of a ratio alive in the quiet case', async () => {
    const { catalog } = await catalogOptions();
    const t = synthesiseTests('sum(rate(rag_requests_total{status="error"}[5m])) / sum(rate(rag_requests_total[5m])) > 0.05', 0, catalog);
    expect('quiet' in t && t.quiet[0]).toEqual({
      series: [
        { metric: expect.anything(), labels: { status: 'error' }, rate: 0 },
        { metric: expect.anything(), rate: 0.25 },
      ],
    });
  });

  it('say why when steady data cannot decide', async () => {
    const { catalog } = await catalogOptions();
    expect(synthesiseTests('deriv(vllm:num_requests_waiting[10m]) > 0', 0, catalog)).toEqual({ reason: 'no steady levels of its series make it fire' });
    expect(synthesiseTests('timestamp(up) > 0', 0, catalog)).toEqual({ reason: 'no steady test data: timestamp() is not evaluated on steady series' });
  });
});
