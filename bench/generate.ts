import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { installPackedPackage } from '../test/packaging/build.ts';
import { BASELINE, builtCheckout, mustRun, recordedCell } from './baseline-build.ts';
import { median, type BenchSection } from './stats.ts';

const ROOT = join(import.meta.dirname, '..');
const RUNS = 11;
/** Targets for whole processes of the installed CLI, in milliseconds. */
const TARGET = { version: 150, generate: 500, check: 400 };
const COLD = '(nothing cached)';

/** The package as built at `ref`, installed into a repository of its own with that commit's specs. */
function installBaseline(ref: string, work: string): { repo: string; bin: string; cleanup: () => void } {
  const { source, cleanup } = builtCheckout(ref, join(work, 'baseline-source'));
  try {
    const packed = JSON.parse(mustRun('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], source)) as Array<{ filename: string }>;
    const repo = join(work, 'baseline-repo');
    mkdirSync(repo);
    mustRun('npm', ['install', '--save-dev', '--no-audit', '--no-fund', '--prefer-offline', join(work, packed[0]!.filename)], repo);
    cpSync(join(source, 'specs'), join(repo, 'specs'), { recursive: true });
    return { repo, bin: join(repo, 'node_modules', 'infermon', 'bin', 'infermon.mjs'), cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}

function timeOnce(command: string, args: readonly string[], cwd: string): number {
  const start = performance.now();
  const r = spawnSync(command, args, { cwd, encoding: 'utf8' });
  const elapsed = performance.now() - start;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr}`);
  return elapsed;
}

/**
 * The CLI as a platform team runs it: the packed package installed into a fresh repository holding this
 * repository's example specs, each command a whole process, interleaved with `node -e 0` so the
 * machine's noise hits them alike.
 */
export async function benchGenerate(): Promise<BenchSection> {
  const work = mkdtempSync(join(tmpdir(), 'infermon-bench-cli-'));
  const cleanups: Array<() => void> = [];
  try {
    const { repo } = installPackedPackage(work);
    cpSync(join(ROOT, 'specs'), join(repo, 'specs'), { recursive: true });
    const bin = join(repo, 'node_modules', 'infermon', 'bin', 'infermon.mjs');
    const out = join(work, 'out');
    const cache = join(repo, 'node_modules', '.cache', 'infermon');
    // The cold run finds no cache; the cache the other commands made is put back after it.
    const stash = `${cache}.stash`;
    const noCache = {
      before() {
        renameSync(cache, stash);
      },
      after() {
        rmSync(cache, { recursive: true, force: true });
        renameSync(stash, cache);
      },
    };
    const baseline = BASELINE ? installBaseline(BASELINE, work) : undefined;
    if (baseline) cleanups.push(baseline.cleanup);
    const commands: Array<[string, string[], string, { before(): void; after(): void }?]> = [
      ['node -e 0', ['-e', '0'], repo],
      ['infermon --version', [bin, '--version'], repo],
      ['infermon check', [bin, 'check'], repo],
      ['infermon generate', [bin, 'generate', '--out', out], repo],
      [`infermon check ${COLD}`, [bin, 'check'], repo, noCache],
      ...(baseline
        ? ([
            [`${BASELINE}: infermon check`, [baseline.bin, 'check'], baseline.repo],
            [`${BASELINE}: infermon generate`, [baseline.bin, 'generate', '--out', join(work, 'baseline-out')], baseline.repo],
          ] as Array<[string, string[], string]>)
        : []),
    ];
    // One untimed round: the first generate creates the output tree, later ones rewrite it.
    for (const [, args, cwd, around] of commands) {
      around?.before();
      timeOnce(process.execPath, args, cwd);
      around?.after();
    }
    const times = new Map(commands.map(([name]) => [name, [] as number[]]));
    for (let i = 0; i < RUNS; i++)
      for (const [name, args, cwd, around] of commands) {
        around?.before();
        times.get(name)!.push(timeOnce(process.execPath, args, cwd));
        around?.after();
      }
    const rows = [...times].map(([name, t]) => `| \`${name}\` | ${median(t).toFixed(0)} ms | ${Math.min(...t).toFixed(0)} ms | ${Math.max(...t).toFixed(0)} ms |`);
    const nodeStart = median(times.get('node -e 0')!);
    const verdict = (name: string, target: number) => {
      const m = median(times.get(name)!);
      return `\`${name}\` ${m.toFixed(0)} ms (${(m / nodeStart).toFixed(1)}× \`node -e 0\`): ${m <= target ? 'within' : 'OVER'} the ${target} ms target.`;
    };
    return {
      title: 'Installed CLI: version, check and generate on the example specs',
      body: [
        `The packed package installed into a fresh repository with this repository's \`specs/\` copied in; each command a whole process (\`node node_modules/infermon/bin/infermon.mjs ...\`), ${RUNS} interleaved rounds after one untimed round, medians with the range. The untimed round leaves the compiled spec bundle and the CLI's compiled code (V8's code cache, one per command) in \`node_modules/.cache/infermon\`, as any earlier run in a repository does; \`check ${COLD}\` removes them before each run and so pays for bundling the specs with esbuild and compiling the CLI.${BASELINE ? ` The \`${BASELINE}:\` rows are the package built at that commit, installed into a repository of its own with that commit's \`specs/\`, in the same rounds.` : ''}`,
        '',
        '| command | median | min | max |',
        '| --- | --- | --- | --- |',
        ...rows,
        '',
        verdict('infermon --version', TARGET.version),
        verdict('infermon check', TARGET.check),
        verdict('infermon generate', TARGET.generate),
        `\`infermon check\` with nothing cached: ${median(times.get(`infermon check ${COLD}`)!).toFixed(0)} ms.`,
        ...(BASELINE ? againstBaseline(BASELINE, times) : []),
      ].join('\n'),
    };
  } finally {
    for (const cleanup of cleanups) cleanup();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * `check` and `generate` against the baseline build timed in the same rounds, and what that ratio makes of
 * the baseline's own recorded row: this build's time on the machine that recorded it.
 */
function againstBaseline(ref: string, times: ReadonlyMap<string, number[]>): string[] {
  return (['check', 'generate'] as const).map((command) => {
    const ratio = median(times.get(`infermon ${command}`)!) / median(times.get(`${ref}: infermon ${command}`)!);
    const compared = `\`${command}\` against the build of \`${ref}\` in the same run: median ratio ${ratio.toFixed(2)} (${ratio <= 1 ? 'no slower' : 'SLOWER'}).`;
    const recorded = Number(/^(\d+) ms\b/.exec(recordedCell(ref, 'Installed CLI', `\`infermon ${command}\``, 1) ?? '')?.[1]);
    if (!recorded) return compared;
    const projected = recorded * ratio;
    return `${compared} \`${ref}\`'s own BENCHMARKS.md recorded ${recorded} ms for it; on the machine that recorded that row, this build takes ${recorded} ms × ${ratio.toFixed(2)} = ${projected.toFixed(0)} ms: ${projected <= TARGET[command] ? 'within' : 'OVER'} the ${TARGET[command]} ms target.`;
  });
}
