import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../support/paths.ts';
import { runTool } from '../support/tools.ts';
import { SCHEMAS_MISSING_REASON, schemaErrors, schemasAvailable } from '../support/schemas.ts';
import { specFixture, src } from '../support/spec-fixture.ts';
import { buildModel, checkModel } from '../../src/pipeline.ts';
import type { Plan } from '../../src/plan/index.ts';
import { sloArtifacts } from '../../generators/slo/index.ts';
import { sloAlerts } from '../../src/slo/alerts.ts';
import { parseSlothYaml } from '../../src/import/sloth-parse.ts';
import { withStack } from './wiring-fixture.ts';
import { artifactText } from '../../src/emit/render.ts';
import type { Artifact } from '../../src/model/artifact.ts';

async function projectModel(): Promise<Plan> {
  const { model } = await buildModel(join(PROJECT_ROOT, 'specs'), PROJECT_ROOT);
  if (!model) throw new Error('the project specs do not build');
  return model;
}

/** The project specs for a cluster whose SLO rules the Sloth operator writes. */
async function slothOperatorModel(): Promise<Plan> {
  const model = await projectModel();
  return withStack(model, { targets: { ...model.stack.value.targets, slo: 'sloth-operator' } });
}

async function fixtureDiagnostics(slo: string) {
  const dir = specFixture({
    'slos.ts': `import { defineSlos } from ${src('src/model/spec.ts')};
import { routerRequestDuration, routerRequestsTotal, kthenaRouter } from 'infermon/catalog/kthena-router';
export const s = defineSlos({ service: 'svc', slos: [${slo}] });`,
  });
  const { model, diagnostics } = await buildModel(dir, dir);
  rmSync(dir, { recursive: true, force: true });
  expect(diagnostics.errors).toEqual([]);
  return checkModel(model!).items.filter((d) => d.code.startsWith('slo/'));
}

describe('SLO checks', () => {
  it('rejects a latency threshold off the bucket grid and lists the valid boundaries', async () => {
    const found = await fixtureDiagnostics(
      `{ name: 'lat', objective: 99, sli: { kind: 'latency', histogram: routerRequestDuration, threshold: 0.75 }, alerting: { name: 'Lat' } }`,
    );
    const d = found.find((x) => x.code === 'slo/threshold-not-a-bucket');
    expect(d?.path).toBe('s.slos[0].sli.threshold');
    expect(d?.message).toContain('valid boundaries: 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60');
  });

  it('rejects an objective of 100 and a ratio SLI on a histogram', async () => {
    const found = await fixtureDiagnostics(
      `{ name: 'avail', objective: 100, sli: { kind: 'ratio', errors: { metric: routerRequestDuration }, total: { metric: routerRequestsTotal } }, alerting: { name: 'A' } }`,
    );
    expect(found.map((d) => d.code).sort()).toEqual(['slo/not-a-counter', 'slo/objective-out-of-range']);
  });

  it('accepts a threshold on the grid', async () => {
    const found = await fixtureDiagnostics(
      `{ name: 'lat', objective: 99, sli: { kind: 'latency', histogram: routerRequestDuration, threshold: 1 }, alerting: { name: 'Lat' } }`,
    );
    expect(found).toEqual([]);
  });
});

describe('SLO artifacts of the project specs', () => {
  it('pass the SLO checks', async () => {
    const model = await projectModel();
    expect(checkModel(model).items.filter((d) => d.code.startsWith('slo/') && d.severity === 'error')).toEqual([]);
  });

  it('list every page and ticket alert with routable labels', async () => {
    const alerts = sloAlerts((await projectModel()).slos);
    expect(alerts.length).toBeGreaterThan(0);
    for (const a of alerts) {
      expect(a.labels.team, a.alertname).toBeTruthy();
      expect(a.labels.service, a.alertname).toBeTruthy();
      expect(a.labels.severity).toBe(a.labels.sloth_severity === 'page' ? 'critical' : 'warning');
    }
  });

  it.skipIf(!schemasAvailable)('Sloth CRs are valid PrometheusServiceLevels', async () => {
    const crs = sloArtifacts(await slothOperatorModel()).filter((a) => a.path.startsWith('kubernetes/sloth/'));
    expect(crs.length).toBeGreaterThan(0);
    for (const cr of crs) expect(schemaErrors('sloth/sloth.slok.dev_prometheusservicelevels.yaml', parse(artifactText(cr))), cr.path).toEqual([]);
  });

  it('Sloth specs and CRs read back as the same services', async () => {
    const artifacts = sloArtifacts(await slothOperatorModel());
    for (const spec of artifacts.filter((a) => a.path.startsWith('sloth/') && !a.path.includes('/windows/'))) {
      const cr = artifacts.find((a) => a.path === `kubernetes/${spec.path.replace(/\.yml$/, '.yaml')}`)!;
      const fromSpec = parseSlothYaml(artifactText(spec))[0]!;
      const fromCr = parseSlothYaml(artifactText(cr))[0]!;
      expect({ ...fromCr, format: fromSpec.format, metadata: undefined }).toEqual({ ...fromSpec, metadata: undefined });
    }
  });

  it('promtool checks the rules and passes every SLO unit test', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infermon-slo-'));
    try {
      const artifacts = sloArtifacts(await projectModel()).filter((a) => a.path.startsWith('prometheus/'));
      for (const a of artifacts) {
        mkdirSync(dirname(join(dir, a.path)), { recursive: true });
        writeFileSync(join(dir, a.path), artifactText(a));
      }
      const rules = artifacts.filter((a) => a.path.startsWith('prometheus/rules/')).map((a) => join(dir, a.path));
      const check = runTool('promtool', ['check', 'rules', ...rules]);
      expect(check.status, check.stdout + check.stderr).toBe(0);
      const tests = artifacts.filter((a) => a.path.startsWith('prometheus/tests/')).map((a) => a.path.split('/').pop()!);
      expect(tests.length).toBe(rules.length);
      const run = runTool('promtool', ['test', 'rules', ...tests], { cwd: join(dir, 'prometheus', 'tests') });
      expect(run.status, run.stdout + run.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});

/** SLO artifacts of a fixture service (written under prometheus/, sloth/) and its SLO alerts. */
async function fixtureSlos(service: string) {
  const dir = specFixture({
    'slos.ts': `import { defineSlos } from ${src('src/model/spec.ts')};
import { routerRequestDuration, routerRequestsTotal } from 'infermon/catalog/kthena-router';
export const s = defineSlos(${service});`,
  });
  try {
    const { model, diagnostics } = await buildModel(dir, dir);
    expect(diagnostics.errors).toEqual([]);
    expect(checkModel(model!).items.filter((d) => d.severity === 'error')).toEqual([]);
    return { artifacts: sloArtifacts(model!), alerts: sloAlerts(model!.slos) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function promtoolTests(artifacts: readonly Artifact[]): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'infermon-slo-grouped-'));
  try {
    for (const a of artifacts.filter((x) => x.path.startsWith('prometheus/'))) {
      mkdirSync(dirname(join(dir, a.path)), { recursive: true });
      writeFileSync(join(dir, a.path), artifactText(a));
    }
    const tests = artifacts.filter((a) => a.path.startsWith('prometheus/tests/')).map((a) => a.path.split('/').pop()!);
    const run = runTool('promtool', ['test', 'rules', ...tests], { cwd: join(dir, 'prometheus', 'tests') });
    return { status: run.status, output: run.stdout + run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('grouped SLOs and burn-rate tiers', () => {
  const grouped = `{ service: 'svc', labels: { team: 't' }, options: { zeroTrafficGuard: true }, slos: [
    { name: 'availability', objective: 99.9, groupBy: ['model'],
      sli: { kind: 'ratio', errors: { metric: routerRequestsTotal, matchers: { status_code: { re: '5..' } } }, total: { metric: routerRequestsTotal } },
      alerting: { name: 'SvcBudgetBurn', tiers: ['page-fast', 'ticket-slow'] } },
    { name: 'latency', objective: 99, groupBy: ['model'],
      sli: { kind: 'latency', histogram: routerRequestDuration, threshold: 1 },
      alerting: { name: 'SvcLatencyBudgetBurn', tiers: ['ticket-fast'] } },
  ] }`;

  it('gives Sloth the grouped queries, and alerts per chosen tier with the group label', async () => {
    const { artifacts, alerts } = await fixtureSlos(grouped);
    const sloth = parse(artifactText(artifacts.find((a) => a.path === 'sloth/svc.yml')!)) as { slos: Array<Record<string, any>> };
    expect(sloth.slos[0]!.sli.events.total_query).toBe('sum by (model) (rate(kthena_router_requests_total[{{.window}}]))');
    expect(sloth.slos[0]!.sli.events.error_query).toBe(
      '(sum by (model) (rate(kthena_router_requests_total{status_code=~"5.."}[{{.window}}])) or sum by (model) (rate(kthena_router_requests_total[{{.window}}])) * 0)',
    );
    // Sloth has page and ticket alerts only: a severity with no chosen tier is disabled there.
    expect(sloth.slos[1]!.alerting.page_alert).toEqual({ disable: true });
    expect(alerts.map((a) => [a.alertname, a.labels.slo_tier, a.labels.sloth_severity, a.dynamicLabels])).toEqual([
      ['SvcBudgetBurn', 'page-fast', 'page', ['model']],
      ['SvcBudgetBurn', 'ticket-slow', 'ticket', ['model']],
      ['SvcLatencyBudgetBurn', 'ticket-fast', 'ticket', ['model']],
    ]);
    const rules = parse(artifactText(artifacts.find((a) => a.path === 'prometheus/rules/slo-svc.yml')!)) as { groups: Array<{ name: string; rules: Array<Record<string, any>> }> };
    const alertRules = rules.groups.flatMap((g) => g.rules.filter((r) => r.alert));
    expect(alertRules.map((r) => r.labels.slo_tier)).toEqual(['page-fast', 'ticket-slow', 'ticket-fast']);
    expect(alertRules[0]!.expr).toContain('slo:sli_error:ratio_rate1h');
    expect(alertRules[0]!.expr).not.toContain('slo:sli_error:ratio_rate6h');
  });

  it('passes its generated promtool tests: a burn on one model alerts for that model only, an idle model stays quiet', async () => {
    const { artifacts } = await fixtureSlos(grouped);
    const tests = artifactText(artifacts.find((a) => a.path === 'prometheus/tests/slo-svc.test.yml')!);
    expect(tests).toContain('alerts for model-a only, not for model-b');
    expect(tests).toContain('no traffic on model-b raises no alert and records no NaN for it while model-a is served');
    const run = promtoolTests(artifacts);
    expect(run.status, run.output).toBe(0);
  }, 600_000);

  it('fails its promtool tests when the rules drop the group label (the tests can fail)', async () => {
    const { artifacts } = await fixtureSlos(grouped);
    const planted = artifacts.map((a) => (a.path === 'prometheus/rules/slo-svc.yml' ? { path: a.path, format: 'text' as const, text: artifactText(a).replaceAll('sum by (model) (', 'sum(') } : a));
    const run = promtoolTests(planted);
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('alerts for model-a only');
  }, 600_000);
});

if (!schemasAvailable) console.warn(SCHEMAS_MISSING_REASON);
