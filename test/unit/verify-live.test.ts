import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/plan/index.ts';
import { startVllmSim, type RunningVllmSim } from '../../src/runtime/sim/vllm-server.ts';
import type { Finding, Report } from '../../src/verify/findings.ts';
import { PrometheusApi } from '../../src/verify/prometheus-api.ts';
import { verify } from '../../src/verify/verify.ts';
import { freePort } from '../e2e/processes.ts';
import { cliAsync } from '../support/cli.ts';
import {
  BROKEN_VLLM_PLATFORM,
  VLLM_PLATFORM,
  fixtureModel,
  keepTraffic,
  prometheusBinary,
  prometheusMajor,
  stackFile,
  startPrometheus,
  writeRuleFiles,
  type RunningPrometheus,
} from './verify-fixture.ts';

/**
 * `infermon verify` against a real Prometheus scraping a simulated vLLM server: clean on the healthy
 * platform, and on a broken copy (a canary scraped on a dead port, a panel on a family the server never
 * emits) it names each problem and nothing else.
 */

const binary = prometheusBinary();
if (!binary) console.warn('skipping: no Prometheus binary (.tools/bin/prometheus or prometheus on PATH)');

/** Waits until Prometheus holds enough scrapes of `job` for a one-minute rate. */
async function untilScraped(url: string, job: string): Promise<void> {
  const api = new PrometheusApi(url);
  const deadline = Date.now() + 40_000;
  while (Date.now() < deadline) {
    if ((await api.count(`count_over_time(up{job="${job}"}[1m]) >= 4`)) > 0) return;
    await sleep(250);
  }
  throw new Error(`Prometheus at ${url} did not scrape job ${job} four times in 40 s`);
}

const problems = (r: Report): Finding[] => r.findings.filter((f) => f.severity === 'problem');

describe.skipIf(!binary)('infermon verify against a live Prometheus', () => {
  const work = mkdtempSync(join(tmpdir(), 'infermon-verify-'));
  const traffic = new AbortController();
  const cleanups: Array<() => Promise<void> | void> = [];
  let healthy: { model: Plan; dir: string; errors: string[] };
  let broken: { model: Plan; dir: string; errors: string[] };
  let sim: RunningVllmSim;
  let healthyProm: RunningPrometheus;
  let brokenProm: RunningPrometheus;

  beforeAll(async () => {
    const major = prometheusMajor(binary!);
    healthy = await fixtureModel({ 'stack.ts': stackFile(major), 'platform.ts': VLLM_PLATFORM });
    broken = await fixtureModel({ 'stack.ts': stackFile(major), 'platform.ts': BROKEN_VLLM_PLATFORM });
    cleanups.push(() => rmSync(healthy.dir, { recursive: true, force: true }), () => rmSync(broken.dir, { recursive: true, force: true }));
    sim = await startVllmSim({ model: 'llama', faults: { ttftMs: 1, itlMs: 1 } });
    cleanups.push(() => sim.close());
    const running = keepTraffic(sim, 'llama', traffic.signal);
    cleanups.push(async () => {
      traffic.abort();
      await running;
    });
    const simTarget = `127.0.0.1:${sim.port}`;
    const deadPort = `127.0.0.1:${await freePort()}`;
    [healthyProm, brokenProm] = await Promise.all([
      startPrometheus(binary!, healthy.model, { vllm: [simTarget] }, writeRuleFiles(healthy.model, join(work, 'healthy', 'rules')), join(work, 'healthy')),
      startPrometheus(binary!, broken.model, { vllm: [simTarget], 'vllm-canary': [deadPort] }, writeRuleFiles(broken.model, join(work, 'broken', 'rules')), join(work, 'broken')),
    ]);
    cleanups.push(() => healthyProm.child.stop(), () => brokenProm.child.stop());
    await Promise.all([untilScraped(healthyProm.url, 'vllm'), untilScraped(brokenProm.url, 'vllm')]);
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('the fixtures are valid specs', () => {
    expect([...healthy.errors, ...broken.errors]).toEqual([]);
  });

  it('is clean on the healthy platform, explaining the family only sleep mode exposes', async () => {
    const report = await verify(healthy.model, { prometheusUrl: healthyProm.url, rateInterval: '1m' });
    expect(report.checked.queries).toBeGreaterThan(40);
    expect(report.findings.filter((f) => f.severity !== 'note')).toEqual([]);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ check: 'queries', severity: 'note', subject: 'dashboard vllm-sleep / Asleep', message: expect.stringContaining('--enable-sleep-mode') }),
    );
  });

  it('names the dead canary target and the panel on a family the server does not emit, and nothing else', async () => {
    const report = await verify(broken.model, { prometheusUrl: brokenProm.url, rateInterval: '1m' });
    expect(problems(report)).toEqual([
      expect.objectContaining({ check: 'targets', subject: 'job vllm-canary', message: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/metrics is down: .*connection refused/) }),
      expect.objectContaining({
        check: 'queries',
        subject: 'dashboard vllm-speculation / Accepted draft tokens',
        message: 'no series of vllm:spec_decode_num_accepted_tokens_total under any job of its source (vllm, vllm-canary)',
        at: expect.objectContaining({ file: 'platform.ts', path: 'speculation.rows[0].panels[0]' }),
      }),
    ]);
  });

  it('the command prints the report as text or JSON and exits 1 only on a problem', async () => {
    const [ok, failed] = await Promise.all([
      cliAsync(['verify', '--prometheus', healthyProm.url, '--specs', '.', '--rate-interval', '1m'], healthy.dir),
      cliAsync(['verify', '--prometheus', brokenProm.url, '--specs', '.', '--rate-interval', '1m', '--format', 'json'], broken.dir),
    ]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^infermon verify http:\/\/127\.0\.0\.1:\d+: checked 1 jobs, \d+ queries; 0 problems, 0 warnings, 1 note\n/);
    expect(failed.status, failed.stderr).toBe(1);
    const report = JSON.parse(failed.stdout) as Report;
    expect(problems(report).map((f) => f.subject)).toEqual(['job vllm-canary', 'dashboard vllm-speculation / Accepted draft tokens']);
  });

  it('says in one line when Prometheus cannot be reached', async () => {
    const result = await cliAsync(['verify', '--prometheus', `http://127.0.0.1:${await freePort()}`, '--specs', '.'], healthy.dir);
    expect(result.status).toBe(1);
    // The specs' own warnings may come first; the failure itself is one line.
    const errors = result.stderr.trim().split('\n').filter((line) => line.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^error: GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/targets: .*ECONNREFUSED/);
  });
});
