import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { artifactText } from '../../src/emit/render.ts';
import { recoverTree, writeTree } from '../../src/emit/write.ts';
import type { Artifact } from '../../src/model/artifact.ts';
import { buildModel, checkModel, generateArtifacts } from '../../src/pipeline.ts';
import { CLI_ENTRY, nodeArgs } from '../support/cli.ts';
import { specFixture } from '../support/spec-fixture.ts';
import { copyOf, treeState, whichState } from '../support/tree.ts';

/**
 * The real CLI, one process (so the signal reaches the writer), killed with SIGKILL at random moments:
 * half anywhere in the run, half inside the write itself (timed from the moment its work folder appears).
 * After each kill the next run must find the whole old or the whole new tree and leave no leftovers.
 */

const WORK_DIR = '.infermon-work';
const KILLS = 20;

const extraAlerts = `
import { defineRuleGroup } from 'infermon';
import { vllmKvCacheUsage } from 'infermon/catalog/vllm';
export const extra = defineRuleGroup({ name: 'extra.alerts', rules: [
  { alert: 'ExtraKvCacheFull', expr: 'max by (model_name) (vllm:kv_cache_usage_perc) > 0.95', severity: 'info', summary: 's', description: 'full on {{ $labels.model_name }}',
    tests: { firing: [{ series: [{ metric: vllmKvCacheUsage, labels: { model_name: 'm', engine: '0' }, value: 0.99 }] }], quiet: [{ series: [{ metric: vllmKvCacheUsage, labels: { model_name: 'm', engine: '0' }, value: 0.1 }] }] } },
] });
`;

const USER_FILES: Record<string, string> = {
  '.git/HEAD': 'ref: refs/heads/main\n',
  'README.md': '# our monitoring\n',
  'kubernetes/hand-written.yaml': 'apiVersion: v1\nkind: ConfigMap\n',
};

async function artifactsOf(specs: string): Promise<Artifact[]> {
  const { model, diagnostics } = await buildModel(specs, dirname(specs));
  if (model) checkModel(model, diagnostics);
  expect(diagnostics.errors).toEqual([]);
  return generateArtifacts(model!);
}

/** A previous output that differs from the new one in every file, plus one it no longer generates. */
function previousTree(artifacts: readonly Artifact[]): string {
  const earlier: Artifact[] = artifacts.slice(1).map((a) => ({ path: a.path, format: 'text', text: `${artifactText(a)}# an earlier run\n` }));
  earlier.push({ path: 'prometheus/rules/retired.yml', format: 'text', text: 'groups: []\n' });
  const out = join(mkdtempSync(join(tmpdir(), 'infermon-kill-')), 'out');
  writeTree(out, earlier);
  for (const [path, body] of Object.entries(USER_FILES)) {
    mkdirSync(dirname(join(out, path)), { recursive: true });
    writeFileSync(join(out, path), body);
  }
  return out;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** Milliseconds from spawn until the writer's work folder appeared, and until it was gone again. */
  workAt?: number;
  workGoneAt?: number;
  endedAt: number;
  /** Whether the work folder existed when the run ended. */
  midWrite: boolean;
}

/** One `infermon generate`, optionally killed some milliseconds after its spawn or after its work folder appears. */
function generate(specs: string, out: string, kill?: { afterSpawn?: number; afterWork?: number }): Promise<Run> {
  const started = performance.now();
  const child = spawn(process.execPath, nodeArgs(CLI_ENTRY, ['generate', '--specs', specs, '--out', out]), { cwd: dirname(specs) });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let workAt: number | undefined;
  let workGoneAt: number | undefined;
  const watcher = watch(out, (_event, name) => {
    if (name !== WORK_DIR) return;
    const now = performance.now() - started;
    if (workAt === undefined) {
      workAt = now;
      if (kill?.afterWork !== undefined) setTimeout(() => child.kill('SIGKILL'), kill.afterWork);
    } else if (workGoneAt === undefined && !existsSync(join(out, WORK_DIR))) workGoneAt = now;
  });
  if (kill?.afterSpawn !== undefined) setTimeout(() => child.kill('SIGKILL'), kill.afterSpawn);
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      watcher.close();
      resolve({ code, signal, stderr, workAt, workGoneAt, endedAt: performance.now() - started, midWrite: existsSync(join(out, WORK_DIR)) });
    }),
  );
}

describe('infermon generate killed at random moments', () => {
  it(`${KILLS} SIGKILLs: every one leaves a tree the next run turns whole, old or new, with no leftovers`, async () => {
    const specs = specFixture({});
    const artifacts = await artifactsOf(specs);
    const template = previousTree(artifacts);
    const expectedNew = copyOf(template);
    writeTree(expectedNew, artifacts);
    const states = { old: treeState(template), new: treeState(expectedNew) };

    const calibration = await generate(specs, copyOf(template));
    expect(calibration.code, calibration.stderr).toBe(0);
    const runMs = calibration.endedAt;
    const writeMs = Math.max(5, (calibration.workGoneAt ?? runMs) - (calibration.workAt ?? 0));

    const seed = Date.now() % 100_000;
    let state = seed;
    const random = () => ((state = (state * 48271) % 2147483647) / 2147483647);
    const tally: Record<string, number> = {};
    for (let i = 0; i < KILLS; i++) {
      const out = copyOf(template);
      const kill = i % 2 === 0 ? { afterSpawn: Math.round(random() * runMs) } : { afterWork: Math.round(random() * writeMs) };
      const run = await generate(specs, out, kill);
      const what = `kill ${i} (seed ${seed}, ${JSON.stringify(kill)}, ${run.signal ?? `exit ${run.code}`})`;
      if (run.signal !== 'SIGKILL') expect(run.code, `${what}: ${run.stderr}`).toBe(0);
      recoverTree(out);
      const whole = whichState(treeState(out), states);
      expect(whole, what).toBeDefined();
      const when = run.signal !== 'SIGKILL' ? 'not killed: finished first' : run.midWrite ? 'mid-write' : run.workAt === undefined ? 'before writing' : 'after writing';
      tally[`${when} → ${whole}`] = (tally[`${when} → ${whole}`] ?? 0) + 1;
      writeTree(out, artifacts);
      expect(treeState(out), `${what}: the next run`).toEqual(states.new);
    }
    console.log(`${KILLS} kills (seed ${seed}, run ${Math.round(runMs)} ms, write ${Math.round(writeMs)} ms):`, tally);
    expect(Object.values(tally).reduce((a, b) => a + b, 0)).toBe(KILLS);
  });

  it('two overlapping runs into one directory leave one whole tree, never a mix', async () => {
    const specsA = specFixture({});
    const specsB = specFixture({ 'alerts/extra.ts': extraAlerts });
    const [a, b] = await Promise.all([artifactsOf(specsA), artifactsOf(specsB)]);
    const template = previousTree(a);
    const wholeA = copyOf(template);
    writeTree(wholeA, a);
    const wholeB = copyOf(template);
    writeTree(wholeB, b);
    const states = { a: treeState(wholeA), b: treeState(wholeB) };
    for (let round = 0; round < 2; round++) {
      const out = copyOf(template);
      const runs = await Promise.all([generate(specsA, out), generate(specsB, out)]);
      for (const run of runs)
        if (run.code !== 0) expect(run.stderr).toMatch(/^error: another infermon run \(pid \d+\) is writing to .*; try again when it has finished, or delete .*\.infermon-lock if no infermon is running\n$/);
      expect(runs.some((r) => r.code === 0)).toBe(true);
      expect(whichState(treeState(out), states), `round ${round}`).toBeDefined();
    }
  });
});
