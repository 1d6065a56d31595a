import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dashboardQueries, generateDashboards } from '../../generators/grafana/index.ts';
import { lintDashboard } from '../../src/grafana/lint.ts';
import { checkDashboards } from '../../src/check/dashboards.ts';
import { GRAFANA_DASHBOARD_LABEL, GRAFANA_FOLDER_ANNOTATION } from '../../src/conventions.ts';
import type { Artifact } from '../../src/model/artifact.ts';
import { Diagnostics } from '../../src/model/diagnostics.ts';
import { planOf, type Plan } from '../../src/plan/index.ts';
import { checkPromQL } from '../../src/promql/check.ts';
import { buildModel } from '../../src/pipeline.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { SCHEMAS_MISSING_REASON, schemaErrors, schemasAvailable } from '../support/schemas.ts';
import { specFixture, src } from '../support/spec-fixture.ts';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { SCHEMA_DIR } from '../support/schemas.ts';
import { artifactText } from '../../src/emit/render.ts';

let model: Plan;
let artifacts: Artifact[];
const dashboards = new Map<string, Record<string, unknown>>();

beforeAll(async () => {
  const built = await buildModel(join(PROJECT_ROOT, 'specs'), PROJECT_ROOT);
  model = built.model!;
  artifacts = generateDashboards(model);
  for (const a of artifacts.filter((a) => a.path.startsWith('grafana/dashboards/')))
    dashboards.set(a.path.replace(/^.*\//, '').replace(/\.json$/, ''), JSON.parse(artifactText(a)) as Record<string, unknown>);
});

const EXPECTED = ['kthena-router', 'llm-runtime', 'arks-gateway', 'gpu', 'slos', 'model-drilldown', 'rag-overview', 'moe-router', 'kthena-overview', 'benchmark-results'];

/** Per-panel schemas: options and custom field config by panel type, and each Prometheus target. */
function panelSchemaErrors(d: Record<string, unknown>): string[] {
  const ajv = new Ajv.default({ allErrors: true, strict: false, keywords: ['x-deprecation-message'], formats: { 'date-time': true } });
  for (const name of ['prometheus', 'timeseries', 'stat', 'heatmap']) {
    const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, 'grafana', `${name}.jsonschema.json`), 'utf8')) as object;
    ajv.addSchema({ ...schema, $id: name });
  }
  const errors: string[] = [];
  const push = (where: string, errs: unknown[] | null | undefined) => (errs ?? []).forEach((e) => errors.push(`${where} ${JSON.stringify(e)}`));
  ((d.panels ?? []) as Array<Record<string, any>>).forEach((p, i) => {
    if (p.type === 'row') return;
    const options = ajv.getSchema(`${p.type}#/definitions/Options`);
    expect(options, `schema for ${p.type}`).toBeDefined();
    if (!options!(p.options)) push(`panels[${i}].options`, options!.errors);
    const custom = ajv.getSchema(`${p.type}#/definitions/FieldConfig`);
    if (custom && p.fieldConfig?.defaults?.custom && !custom(p.fieldConfig.defaults.custom)) push(`panels[${i}].custom`, custom.errors);
    const target = ajv.getSchema('prometheus')!;
    (p.targets as unknown[]).forEach((t, j) => {
      if (!target(t)) push(`panels[${i}].targets[${j}]`, target.errors);
    });
  });
  return errors;
}

describe('generated dashboards', () => {
  it('builds every dashboard with a file, a ConfigMap, provisioning and docs', () => {
    expect([...dashboards.keys()].sort()).toEqual([...EXPECTED].sort());
    const paths = artifacts.map((a) => a.path);
    for (const id of EXPECTED) expect(paths).toContain(`kubernetes/grafana-dashboards/${id}.yaml`);
    expect(paths).toContain('grafana/provisioning/dashboards.yaml');
    expect(paths).toContain('docs/dashboards.md');
  });

  it.skipIf(!schemasAvailable)('validates against the Grafana dashboard, panel and Prometheus query schemas', () => {
    if (!schemasAvailable) console.warn(SCHEMAS_MISSING_REASON);
    for (const [id, d] of dashboards) {
      expect(schemaErrors('grafana/dashboard.jsonschema.json', d), id).toEqual([]);
      expect(panelSchemaErrors(d), id).toEqual([]);
    }
  });

  it.skipIf(!schemasAvailable)('the schemas reject a broken dashboard', () => {
    const d = structuredClone(dashboards.get('kthena-router')!) as Record<string, any>;
    d.pannels = d.panels;
    d.panels[1].options.legend.placement = 'middle';
    d.panels[1].targets[0].format = 'csv';
    expect(schemaErrors('grafana/dashboard.jsonschema.json', d).length).toBeGreaterThan(0);
    expect(panelSchemaErrors(d).length).toBe(2);
  });

  it('passes the dashboard lint rules', () => {
    for (const [id, d] of dashboards) expect(lintDashboard(d), id).toEqual([]);
  });

  it('every panel query passes the PromQL checker', () => {
    for (const entry of dashboardQueries(model)) {
      const problems = checkPromQL(entry.expr, { catalog: model.catalog, prometheusMajor: model.stack.value.prometheusMajor, grafanaVariables: true });
      expect(problems, `${entry.dashboard} › ${entry.panel}: ${entry.expr}`).toEqual([]);
    }
  });

  it('the dashboard check reports nothing on the shipped specs', () => {
    const diagnostics = new Diagnostics();
    checkDashboards(model, diagnostics);
    expect(diagnostics.items).toEqual([]);
  });

  it('gives every dashboard a stable UID, tags, links and the datasource variable', () => {
    for (const [id, d] of dashboards) {
      expect(d.uid).toBe(`infermon-${id}`);
      const list = (d.templating as { list: Array<{ name: string; type: string }> }).list;
      expect(list[0]).toMatchObject({ name: 'datasource', type: 'datasource' });
      expect((d.links as unknown[]).length).toBeGreaterThan(1);
    }
  });

  it('wraps each dashboard in a sidecar ConfigMap with the folder annotation', () => {
    const cm = parse(artifactText(artifacts.find((a) => a.path === 'kubernetes/grafana-dashboards/gpu.yaml')!)) as Record<string, any>;
    expect(cm.kind).toBe('ConfigMap');
    expect(cm.metadata.labels).toMatchObject(GRAFANA_DASHBOARD_LABEL);
    expect(cm.metadata.annotations[GRAFANA_FOLDER_ANNOTATION]).toBeTruthy();
    expect(JSON.parse(cm.data['gpu.json'])).toEqual(dashboards.get('gpu'));
  });

  it('lists every query with its variables and marks conditional metrics', () => {
    const queries = dashboardQueries(model);
    const total = [...dashboards.values()].flatMap((d) => ((d.panels ?? []) as Array<{ targets?: unknown[] }>).flatMap((p) => p.targets ?? [])).length;
    expect(queries).toHaveLength(total);
    const fairness = queries.find((q) => q.panel === 'Fairness queue size')!;
    expect(fairness.conditional).toMatch(/fairness/i);
    expect(fairness.variables).toEqual(['model']);
    expect(queries.find((q) => q.panel === 'Request rate by model and status')!.conditional).toBeUndefined();
  });

  it('RAG overview filters on every external label of the stack', () => {
    const d = dashboards.get('rag-overview')!;
    const names = (d.templating as { list: Array<{ name: string }> }).list.map((v) => v.name);
    for (const label of Object.keys(model.stack.value.externalLabels)) expect(names).toContain(label);
  });

  it('keeps the SLO dashboard one size for any number of SLOs with the same group labels: a row Grafana repeats per selected SLO', () => {
    const slosJson = (m: Plan) => artifactText(generateDashboards(m).find((a) => a.path === 'grafana/dashboards/slos.json')!);
    expect(model.specs.slos.length).toBeGreaterThan(1);
    const grouped = model.specs.slos.filter((s) => s.value.slos.some((slo) => slo.groupBy.includes('model')));
    expect(grouped).toHaveLength(1);
    expect(slosJson(planOf({ ...model, specs: { ...model.specs, slos: grouped } }))).toBe(slosJson(model));
    expect(slosJson(planOf({ ...model, specs: { ...model.specs, slos: model.specs.slos.filter((s) => !grouped.includes(s)) } }))).not.toBe(slosJson(model));
    const d = dashboards.get('slos') as Record<string, any>;
    const rows = (d.panels as Array<Record<string, any>>).filter((p) => p.type === 'row');
    expect(rows.map((r) => r.repeat)).toEqual(['slo']);
    const slo = (d.templating.list as Array<Record<string, any>>).find((v) => v.name === 'slo')!;
    expect(slo).toMatchObject({ multi: true, includeAll: true });
    expect(slo.query).toContain('sloth_id');
    // The grouped router SLOs: a variable per group label, and the per-group panels keep one series per model.
    const group = (d.templating.list as Array<Record<string, any>>).find((v) => v.name === 'model')!;
    expect(group).toMatchObject({ multi: true, includeAll: true, query: 'label_values(slo:sli_error:ratio_rate5m{sloth_id=~"$slo"}, model)' });
    const exprs = (d.panels as Array<Record<string, any>>).flatMap((p) => (p.targets ?? []).map((t: { expr: string }) => t.expr));
    expect(exprs).toContain('max by (model) (slo:current_burn_rate:ratio{sloth_id=~"$slo", model=~"$model"})');
  });

  it('is deterministic: two runs give identical bytes', async () => {
    const again = await buildModel(join(PROJECT_ROOT, 'specs'), PROJECT_ROOT);
    expect(generateDashboards(again.model!)).toEqual(artifacts);
  });
});

describe('dashboard lint rules catch broken dashboards', () => {
  const broken = (mutate: (d: Record<string, any>) => void) => {
    const d = structuredClone(dashboards.get('kthena-router')!) as Record<string, any>;
    mutate(d);
    return lintDashboard(d).map((p) => p.rule);
  };
  it('flags a missing unit, a fixed datasource, duplicate ids, fixed windows and unused variables', () => {
    expect(broken((d) => delete d.panels[1].fieldConfig.defaults.unit)).toContain('panel-units');
    expect(broken((d) => (d.panels[1].datasource = { type: 'prometheus', uid: 'prom' }))).toContain('panel-datasource');
    expect(broken((d) => (d.panels[2].id = d.panels[1].id))).toContain('panel-id');
    expect(broken((d) => (d.panels[1].targets[0].expr = 'sum(rate(kthena_router_requests_total{model=~"$model"}[5m]))'))).toContain('target-rate-interval');
    expect(broken((d) => d.templating.list.push({ name: 'unused', type: 'query', query: 'label_values(up, job)' }))).toContain('template-variable-unused');
    expect(broken((d) => (d.panels[1].title = ''))).toContain('panel-title');
    expect(broken((d) => (d.panels[1].gridPos = { ...d.panels[2].gridPos }))).toContain('panel-grid');
  });
});

describe('dashboard check', () => {
  it('fails a dashboard query on a removed vLLM metric and names the replacement', async () => {
    const dir = specFixture({
      'dashboards/old.ts': `
import { defineDashboard } from ${src('src/model/spec.ts')};
import { gauge, q } from ${src('src/grafana/queries.ts')};
import { vllmGpuCacheUsagePerc } from 'infermon/catalog/vllm';
export const oldDashboard = defineDashboard({
  id: 'old-runtime', title: 'Old runtime', description: 'A dashboard still on the V0 cache metric.',
  rows: [{ title: 'Cache', panels: [{ title: 'Cache usage', description: 'KV cache.', unit: 'percentunit',
    queries: [q(gauge(vllmGpuCacheUsagePerc, {}, ['instance'], 'max'))] }] }],
});
`,
    });
    const built = await buildModel(dir, PROJECT_ROOT);
    const diagnostics = new Diagnostics();
    checkDashboards(built.model!, diagnostics);
    const removed = diagnostics.errors.find((d) => d.code === 'promql/removed-metric');
    expect(removed).toBeDefined();
    expect(removed!.message + removed!.fix).toContain('vllm:kv_cache_usage_perc');
    expect(removed!.path).toBe('oldDashboard.rows[0].panels[0].queries[0].expr');
    expect(removed!.file).toMatch(/dashboards\/old\.ts$/);
  });

  it('reports unknown links, unused variables and fixed rate windows with their paths', async () => {
    const dir = specFixture({
      'dashboards/bad.ts': `
import { defineDashboard } from ${src('src/model/spec.ts')};
import { labelVariable } from ${src('src/grafana/variables.ts')};
import { routerRequestsTotal } from 'infermon/catalog/kthena-router';
export const badDashboard = defineDashboard({
  id: 'bad', title: 'Bad', description: 'Broken on purpose.',
  variables: [labelVariable('model', 'Model', routerRequestsTotal, 'model'), labelVariable('path', 'Path', routerRequestsTotal, 'paht')],
  links: ['kthena-routr'],
  rows: [{ title: 'Traffic', panels: [{ title: 'Requests', description: 'Rate.', unit: 'reqps',
    queries: [{ expr: 'sum(rate(kthena_router_requests_total{model=~"$model"}[5m]))' }] }] }],
});
`,
    });
    const built = await buildModel(dir, PROJECT_ROOT);
    const diagnostics = new Diagnostics();
    checkDashboards(built.model!, diagnostics);
    const found = diagnostics.errors.map((d) => `${d.code} ${d.path}`);
    expect(found).toContain('dashboard/unknown-link badDashboard.links[0]');
    expect(found).toContain('dashboard/unused-variable badDashboard.variables[1]');
    expect(found).toContain('dashboard/unknown-variable-label badDashboard.variables[1]');
    expect(found).toContain('dashboard/fixed-rate-window badDashboard.rows[0].panels[0].queries[0].expr');
  });
});
