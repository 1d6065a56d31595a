import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog } from '../../src/model/catalog-index.ts';
import { sourceSpecSchema, type Source } from '../../src/model/catalog.ts';
import { isSpecDeclaration } from '../../src/model/spec.ts';
import { startVllmSim, type RunningVllmSim } from '../../src/runtime/sim/vllm-server.ts';
import { catalogDiff, readExposition } from '../../src/verify/catalog-diff.ts';
import type { Report } from '../../src/verify/findings.ts';
import { cliAsync } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

/**
 * `infermon catalog diff` against the vLLM simulator's /metrics and a saved copy of it: clean as scraped,
 * and with a family and a label planted that the catalog does not know, it names both.
 */

async function builtInCatalog(): Promise<Catalog> {
  const module = (await import('../../src/catalog/index.ts')) as Record<string, unknown>;
  const sources = Object.values(module)
    .filter((v) => isSpecDeclaration(v) && v.kind === 'source')
    .map((v) => sourceSpecSchema.parse((v as { spec: unknown }).spec) as Source);
  return new Catalog(sources);
}

const PLANTED = [
  '# HELP vllm:made_up_total A family no vLLM release has.',
  '# TYPE vllm:made_up_total counter',
  'vllm:made_up_total{engine="0",model_name="llama"} 3',
  'vllm:num_requests_running{engine="0",model_name="llama",tenant="acme"} 1',
].join('\n');

describe('infermon catalog diff', () => {
  let sim: RunningVllmSim;
  let catalog: Catalog;
  let exposition: string;
  const dir = mkdtempSync(join(tmpdir(), 'infermon-diff-'));
  const clean = join(dir, 'clean.prom');
  const planted = join(dir, 'planted.prom');

  beforeAll(async () => {
    [sim, catalog] = await Promise.all([startVllmSim({ model: 'llama', faults: { ttftMs: 1, itlMs: 1 } }), builtInCatalog()]);
    for (const stream of [false, true])
      await (await fetch(`${sim.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'llama', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3, stream }) })).text();
    exposition = await readExposition(`${sim.url}/metrics`);
    writeFileSync(clean, exposition);
    writeFileSync(planted, `${exposition.trimEnd()}\n${PLANTED}\n`);
  });
  afterAll(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the scrape clean against the vLLM source', async () => {
    const report = catalogDiff(exposition, sim.url, catalog);
    expect(report.findings.filter((f) => f.severity !== 'note')).toEqual([]);
    expect(report.findings.map((f) => f.subject).every((s) => s.startsWith('vllm'))).toBe(true);
  });

  it('names the planted family and the planted label in a saved file', async () => {
    const report = catalogDiff(await readExposition(planted), planted, catalog);
    expect(report.findings.filter((f) => f.severity === 'problem')).toEqual([
      { check: 'families', severity: 'problem', subject: 'vllm', message: "families the catalog's vllm lacks: vllm:made_up_total" },
      { check: 'labels', severity: 'problem', subject: 'vllm vllm:num_requests_running', message: 'labels the catalog does not declare: tenant' },
    ]);
  });

  it('names the catalog families a scrape lacks', () => {
    const withoutRunning = exposition
      .split('\n')
      .filter((l) => !l.includes('vllm:num_requests_running'))
      .join('\n');
    const report = catalogDiff(withoutRunning, 'edited', catalog, 'vllm');
    expect(report.findings.filter((f) => f.severity === 'problem')).toEqual([
      { check: 'families', severity: 'problem', subject: 'vllm', message: 'catalog families of vllm not exposed: vllm:num_requests_running' },
    ]);
  });

  it('the command reads a URL or a file and exits 1 on a difference', async () => {
    const [url, file] = await Promise.all([
      cliAsync(['catalog', 'diff', '--scrape', `${sim.url}/metrics`], PROJECT_ROOT),
      cliAsync(['catalog', 'diff', '--scrape', planted, '--format', 'json'], PROJECT_ROOT),
    ]);
    expect(url.status, url.stderr).toBe(0);
    expect(url.stdout).toMatch(/^infermon catalog diff http:\/\/127\.0\.0\.1:\d+\/metrics: checked \d+ series; 0 problems, 0 warnings/);
    expect(file.status, file.stderr).toBe(1);
    const report = JSON.parse(file.stdout) as Report;
    expect(report.findings.filter((f) => f.severity === 'problem').map((f) => f.message)).toEqual([
      "families the catalog's vllm lacks: vllm:made_up_total",
      'labels the catalog does not declare: tenant',
    ]);
  });
});
