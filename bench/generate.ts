import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { installPackedPackage } from '../test/packaging/build.ts';
import { median, type BenchSection } from './stats.ts';

const ROOT = join(import.meta.dirname, '..');
const RUNS = 11;
/** Targets for whole processes of the installed CLI, in milliseconds. */
const TARGET = { version: 150, generate: 500, check: 400 };
const COLD = '(spec bundle not cached)';

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
  try {
    const { repo } = installPackedPackage(work);
    cpSync(join(ROOT, 'specs'), join(repo, 'specs'), { recursive: true });
    const bin = join(repo, 'node_modules', 'infermon', 'bin', 'infermon.mjs');
    const out = join(work, 'out');
    const cache = join(repo, 'node_modules', '.cache', 'infermon');
    const noCache = () => rmSync(cache, { recursive: true, force: true });
    const commands: Array<[string, string[], (() => void)?]> = [
      ['node -e 0', ['-e', '0']],
      ['infermon --version', [bin, '--version']],
      ['infermon check', [bin, 'check']],
      ['infermon generate', [bin, 'generate', '--out', out]],
      [`infermon check ${COLD}`, [bin, 'check'], noCache],
    ];
    // One untimed round: the first generate creates the output tree, later ones rewrite it.
    for (const [, args, before] of commands) {
      before?.();
      timeOnce(process.execPath, args, repo);
    }
    const times = new Map(commands.map(([name]) => [name, [] as number[]]));
    for (let i = 0; i < RUNS; i++)
      for (const [name, args, before] of commands) {
        before?.();
        times.get(name)!.push(timeOnce(process.execPath, args, repo));
      }
    const rows = [...times].map(([name, t]) => `| \`${name}\` | ${median(t).toFixed(0)} ms | ${Math.min(...t).toFixed(0)} ms | ${Math.max(...t).toFixed(0)} ms |`);
    const baseline = median(times.get('node -e 0')!);
    const verdict = (name: string, target: number) => {
      const m = median(times.get(name)!);
      return `\`${name}\` ${m.toFixed(0)} ms (${(m / baseline).toFixed(1)}× \`node -e 0\`): ${m <= target ? 'within' : 'OVER'} the ${target} ms target.`;
    };
    return {
      title: 'Installed CLI: version, check and generate on the example specs',
      body: [
        `The packed package installed into a fresh repository with this repository's \`specs/\` copied in; each command a whole process (\`node node_modules/infermon/bin/infermon.mjs ...\`), ${RUNS} interleaved rounds after one untimed round, medians with the range. The untimed round leaves the compiled spec bundle in \`node_modules/.cache/infermon\`, as any earlier run in a repository does; \`check ${COLD}\` removes it before each run and so pays for bundling the specs with esbuild.`,
        '',
        '| command | median | min | max |',
        '| --- | --- | --- | --- |',
        ...rows,
        '',
        verdict('infermon --version', TARGET.version),
        verdict('infermon check', TARGET.check),
        verdict('infermon generate', TARGET.generate),
        `\`infermon check\` without the cached spec bundle: ${median(times.get(`infermon check ${COLD}`)!).toFixed(0)} ms.`,
      ].join('\n'),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
