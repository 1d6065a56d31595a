import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/paths.ts';
import { specFixture } from '../support/spec-fixture.ts';
import { buildModel, checkModel, generateArtifacts } from '../../src/pipeline.ts';
import type { Plan } from '../../src/plan/index.ts';
import type { Slo, SloService } from '../../src/model/slo.ts';
import { parseDuration } from '../../src/model/duration.ts';
import { OUT } from '../../src/conventions.ts';
import { sliQueries } from '../../src/slo/sli.ts';
import { ImportError, type ImportInput } from '../../src/import/documents.ts';
import { importPyrra } from '../../src/import/pyrra.ts';
import { importOpenSlo } from '../../src/import/openslo.ts';
import { artifactText } from '../../src/emit/render.ts';

/**
 * Pyrra and OpenSLO documents become SLO specs the real loader reads and `infermon check` accepts; the
 * OpenSLO export of every SLO of the example platform imports back as the same SLOs.
 */
const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'import');
const fixtures = (tool: string): ImportInput[] =>
  readdirSync(join(FIXTURES, tool))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ file: `${tool}/${f}`, text: readFileSync(join(FIXTURES, tool, f), 'utf8') }));

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function checked(files: Record<string, string>): Promise<Plan> {
  const dir = specFixture(files);
  dirs.push(dir);
  const { model, diagnostics } = await buildModel(dir, dir);
  expect(model).toBeDefined();
  checkModel(model!, diagnostics);
  expect(diagnostics.errors).toEqual([]);
  return model!;
}

const sloOf = (model: Plan, service: string, name: string): Slo | undefined =>
  model.specs.slos.find((s) => s.value.service === service)?.value.slos.find((s) => s.name === name);

describe('infermon import pyrra', () => {
  it('turns ratio, latency and bool_gauge objectives into SLOs that pass `infermon check`', async () => {
    const result = importPyrra(fixtures('pyrra'));
    const model = await checked({ 'slos-pyrra.ts': result.text });
    const availability = sloOf(model, 'kthena-system', 'router-availability')!;
    expect(availability).toMatchObject({ objective: 99.5, period: '4w', labels: { team: 'inference-platform' }, alerting: { name: 'KthenaRouterErrorBudgetBurn' } });
    expect(sliQueries(availability.sli, 3)).toEqual({
      kind: 'events',
      errorQuery: '(sum(rate(kthena_router_requests_total{status_code=~"5.."}[{{.window}}])) or vector(0))',
      totalQuery: 'sum(rate(kthena_router_requests_total[{{.window}}]))',
    });
    expect(sloOf(model, 'inference', 'vllm-time-to-first-token')!.sli).toMatchObject({ kind: 'latency', threshold: 0.5, matchers: { model_name: 'llama-3-8b' } });
    const probe = sloOf(model, 'monitoring', 'inference-api-probe')!;
    expect(probe.alerting.page.disable && probe.alerting.ticket.disable).toBe(true);
    expect(probe.sli).toEqual({
      kind: 'ratio',
      errors: 'sum(count_over_time(probe_success{probe="inference-api"}[{{.window}}])) - sum(sum_over_time(probe_success{probe="inference-api"}[{{.window}}]))',
      total: 'sum(count_over_time(probe_success{probe="inference-api"}[{{.window}}]))',
    });
    expect(generateArtifacts(model).map((a) => a.path)).toContain(`${OUT.prometheusRules}/slo-kthena-system.yml`);
    // Pyrra's `grouping` becomes a grouped SLO over the catalog counter: one set of rules for every model.
    expect(sloOf(model, 'inference', 'vllm-request-errors')).toMatchObject({ groupBy: ['model_name'], sli: { kind: 'ratio', errors: { metric: { name: 'vllm:request_success_total' } } } });
  });

  it('reports each part it cannot express with the file, document, field and reason', () => {
    const { skipped, notes } = importPyrra(fixtures('pyrra'));
    expect(skipped).toEqual([
      { where: 'pyrra/inference-probes.yaml (document 2)', field: 'spec.window', why: expect.stringContaining('a 2w SLO needs its own `windows` table') },
      { where: 'pyrra/inference-probes.yaml (document 2)', field: 'spec.indicator.latencyNative', why: expect.stringContaining('native-histogram latency has no infermon SLI') },
    ]);
    expect(notes).toContainEqual({ where: 'pyrra/kthena-router-availability.yaml', field: 'metadata.labels.prometheus', why: expect.stringContaining('selects the CR') });
    expect(notes).toContainEqual({ where: 'pyrra/kthena-router-availability.yaml', field: 'spec.alerting.absent', why: expect.stringContaining('no absent alert') });
  });

  it('refuses documents that are not Pyrra objectives, all at once', () => {
    expect(() => importPyrra([{ file: 'a.yaml', text: 'kind: Deployment\n' }, { file: 'b.yaml', text: 'a: [\n' }])).toThrow(ImportError);
    try {
      importPyrra([{ file: 'a.yaml', text: 'kind: Deployment\n' }, { file: 'b.yaml', text: 'apiVersion: openslo/v1\nkind: SLO\n' }]);
    } catch (err) {
      expect((err as ImportError).problems).toEqual(['a.yaml: not a pyrra.dev/v1alpha1 ServiceLevelObjective', 'b.yaml: not a pyrra.dev/v1alpha1 ServiceLevelObjective']);
    }
  });
});

describe('infermon import openslo', () => {
  it('turns ratio (bad and good), latency and threshold indicators into SLOs that pass `infermon check`', async () => {
    const result = importOpenSlo(fixtures('openslo'));
    const model = await checked({ 'slos-openslo.ts': result.text });
    const router = sloOf(model, 'kthena-router', 'router-availability')!;
    expect(router).toMatchObject({ objective: 99.5, period: '28d', labels: { team: 'inference-platform' }, alerting: { name: 'RouterAvailabilityBudgetBurn' } });
    expect(router.sli).toMatchObject({ kind: 'ratio', errors: { matchers: { status_code: { re: '5..' } } } });
    expect(sloOf(model, 'vllm', 'vllm-time-to-first-token')).toMatchObject({ objective: 95, alerting: { name: 'VllmTtftBudgetBurn' }, sli: { kind: 'latency', threshold: 0.5 } });
    expect(sloOf(model, 'rag-backend', 'rag-ttft-p95')!.sli).toEqual({
      kind: 'raw',
      errorRatio: 'avg_over_time(((histogram_quantile(0.95, sum by (le) (rate(rag_ttft_seconds_bucket[5m])))) > bool 1)[{{.window}}:])',
    });
    const { skipped } = result;
    expect(skipped.map((s) => `${s.where}: ${s.field}`)).toEqual([
      'openslo/rag-ttft-threshold.yaml (document 2): spec.budgetingMethod',
      'openslo/rag-ttft-threshold.yaml (document 2): spec.timeWindow[0]',
    ]);
    // An outer `sum by` over a catalog counter becomes a grouped SLO; infermon writes that `sum by` itself.
    expect(sloOf(model, 'vllm', 'vllm-request-errors')).toMatchObject({
      groupBy: ['model_name'],
      sli: { kind: 'ratio', errors: { metric: { name: 'vllm:request_success_total' }, matchers: { finished_reason: 'error' } }, total: { metric: { name: 'vllm:request_success_total' } } },
    });
  });

  it('exports every SLO of the example platform as OpenSLO that imports back as the same SLOs', async () => {
    const { model: platform } = await buildModel(join(PROJECT_ROOT, 'specs'), PROJECT_ROOT);
    const exported = generateArtifacts(platform!).filter((a) => a.path.startsWith(`${OUT.openslo}/`));
    expect(exported.map((a) => a.path)).toEqual(platform!.specs.slos.map((s) => `${OUT.openslo}/${s.value.service}.yaml`).sort());
    const result = importOpenSlo(exported.map((a) => ({ file: a.path, text: artifactText(a) })));
    expect(result.skipped).toEqual([]);
    const reimported = await checked({ 'slos-openslo.ts': result.text });
    const major = platform!.stack.value.prometheusMajor;
    const essence = (service: SloService, slo: Slo) => ({
      service: service.service,
      name: slo.name,
      objective: slo.objective,
      period: parseDuration(slo.period),
      description: slo.description?.trim(),
      labels: { ...service.labels, ...slo.labels },
      sli: sliQueries(slo.sli, major),
      alert: slo.alerting.page.disable && slo.alerting.ticket.disable ? undefined : slo.alerting.name,
    });
    const all = (m: Plan) => m.specs.slos.flatMap((s) => s.value.slos.map((slo) => essence(s.value, slo))).sort((a, b) => `${a.service}/${a.name}`.localeCompare(`${b.service}/${b.name}`));
    const original = all(platform!);
    expect(original.length).toBeGreaterThanOrEqual(8);
    expect(all(reimported)).toEqual(original);
    // Counter and histogram SLIs come back as catalog references, not as query text.
    expect(result.text).toContain("from 'infermon/catalog'");
    expect(result.text).not.toContain('{{.window}}');
  });
});

describe('infermon import (command line)', () => {
  const cli = (args: string[]) => {
    const tsx = join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    return spawnSync(process.execPath, [tsx, '--conditions=infermon-source', join(PROJECT_ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  };

  it('prints the spec and lists what was not converted on stderr; unreadable input exits 1 with nothing printed', () => {
    const ok = cli(['import', 'openslo', join(FIXTURES, 'openslo', 'vllm-errors-by-model.yaml'), join(FIXTURES, 'openslo', 'rag-ttft-threshold.yaml')]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('export const vllmSlos = defineSlos({');
    expect(ok.stderr).toContain('not converted: ');
    expect(ok.stderr).toContain('rag-ttft-threshold.yaml (document 2): spec.budgetingMethod: `Timeslices`');
    const bad = cli(['import', 'pyrra', join(FIXTURES, 'openslo', 'vllm-ttft-latency.yaml')]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('(document 1): not a pyrra.dev/v1alpha1 ServiceLevelObjective');
  });
});
