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
import type { Model } from '../../src/model/model.ts';
import { sloArtifacts } from '../../generators/slo/index.ts';
import { sloAlerts } from '../../src/slo/alerts.ts';
import { parseSlothYaml } from '../../src/import/sloth-parse.ts';
import { withStack } from './wiring-fixture.ts';

async function projectModel(): Promise<Model> {
  const { model } = await buildModel(join(PROJECT_ROOT, 'specs'), PROJECT_ROOT);
  if (!model) throw new Error('the project specs do not build');
  return model;
}

/** The project specs for a cluster whose SLO rules the Sloth operator writes. */
async function slothOperatorModel(): Promise<Model> {
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
    const alerts = sloAlerts(await projectModel());
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
    for (const cr of crs) expect(schemaErrors('sloth/sloth.slok.dev_prometheusservicelevels.yaml', parse(cr.body)), cr.path).toEqual([]);
  });

  it('Sloth specs and CRs read back as the same services', async () => {
    const artifacts = sloArtifacts(await slothOperatorModel());
    for (const spec of artifacts.filter((a) => a.path.startsWith('sloth/') && !a.path.includes('/windows/'))) {
      const cr = artifacts.find((a) => a.path === `kubernetes/${spec.path.replace(/\.yml$/, '.yaml')}`)!;
      const fromSpec = parseSlothYaml(spec.body)[0]!;
      const fromCr = parseSlothYaml(cr.body)[0]!;
      expect({ ...fromCr, format: fromSpec.format, metadata: undefined }).toEqual({ ...fromSpec, metadata: undefined });
    }
  });

  it('promtool checks the rules and passes every SLO unit test', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infermon-slo-'));
    try {
      const artifacts = sloArtifacts(await projectModel()).filter((a) => a.path.startsWith('prometheus/'));
      for (const a of artifacts) {
        mkdirSync(dirname(join(dir, a.path)), { recursive: true });
        writeFileSync(join(dir, a.path), a.body);
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
if (!schemasAvailable) console.warn(SCHEMAS_MISSING_REASON);
