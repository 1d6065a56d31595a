import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median, type BenchSection } from './stats.ts';

const ROOT = join(import.meta.dirname, '..');
const RUNS = 9;

function timeOnce(args: string[]): number {
  const start = performance.now();
  const r = spawnSync('npm', ['run', '-s', ...args], { cwd: ROOT, encoding: 'utf8' });
  const elapsed = performance.now() - start;
  if (r.status !== 0) throw new Error(`npm run ${args.join(' ')} failed: ${r.stderr}`);
  return elapsed;
}

/** Wall time of the two commands users run most, on the default specs, as a user runs them (npm run). */
export async function benchGenerate(): Promise<BenchSection> {
  const out = mkdtempSync(join(tmpdir(), 'infermon-bench-'));
  try {
    // Interleaved so machine noise hits both commands alike.
    const generate: number[] = [];
    const check: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      generate.push(timeOnce(['generate', '--', '--out', join(out, 'out')]));
      check.push(timeOnce(['check']));
    }
    const rows: Array<[string, number[]]> = [['npm run generate', generate], ['infermon check', check]];
    const lines = rows.map(([name, t]) => `| ${name} | ${median(t).toFixed(0)} ms | ${Math.min(...t).toFixed(0)} ms | ${Math.max(...t).toFixed(0)} ms | ${t.length} |`);
    const gen = median(generate);
    return {
      title: 'Generate and check on the default specs',
      body: [
        `Each command spawned as a user runs it (\`npm run -s ...\`, so Node and tsx start-up are included), ${RUNS} runs each, interleaved. Target: generate ≤ 1500 ms.`,
        '',
        '| command | median | min | max | runs |',
        '| --- | --- | --- | --- | --- |',
        ...lines,
        '',
        `Generate median ${gen.toFixed(0)} ms: ${gen <= 1500 ? 'within' : 'OVER'} the 1.5 s target.`,
      ].join('\n'),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
