import { execFileSync, spawnSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

/**
 * A git ref (`INFERMON_BENCH_BASELINE=HEAD~1`) whose build the benches time side by side with this one, in
 * the same rounds, so a ratio holds however fast or busy the machine is.
 */
export const BASELINE = process.env.INFERMON_BENCH_BASELINE;

export function mustRun(command: string, args: readonly string[], cwd: string): string {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd}: ${r.stderr}`);
  return r.stdout;
}

/**
 * The checkout of `ref` in a worktree at `dir` (this checkout's branches and files stay as they are), with
 * this checkout's node_modules and `npm run build` run in it. `cleanup` removes the worktree.
 */
export function builtCheckout(ref: string, dir: string): { source: string; cleanup: () => void } {
  mustRun('git', ['worktree', 'add', '--detach', dir, ref], ROOT);
  const cleanup = () => void spawnSync('git', ['worktree', 'remove', '--force', dir], { cwd: ROOT });
  try {
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    mustRun('npm', ['run', 'build'], dir);
    return { source: dir, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}

/** The abbreviated commit `ref` names, so a table keeps saying which build it measured once `ref` moves on. */
export function commitOf(ref: string): string {
  return execFileSync('git', ['rev-parse', '--short', `${ref}^{commit}`], { cwd: ROOT, encoding: 'utf8' }).trim();
}

/**
 * One cell of a table `commit`'s own BENCHMARKS.md recorded: in the section whose title starts with
 * `section`, the row whose first cell is `rowKey`, the `column`th cell (0 is the first). Undefined when
 * that commit recorded no such cell. A build's own recorded row, times a ratio measured side by side with
 * that build today, says what this build takes on the machine that recorded the row.
 */
export function recordedCell(commit: string, section: string, rowKey: string, column: number): string | undefined {
  const r = spawnSync('git', ['show', `${commit}:BENCHMARKS.md`], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) return undefined;
  const start = r.stdout.indexOf(`\n## ${section}`);
  if (start === -1) return undefined;
  const end = r.stdout.indexOf('\n## ', start + 1);
  const lines = r.stdout.slice(start, end === -1 ? undefined : end).split('\n');
  const row = lines.find((line) => line.split('|')[1]?.trim() === rowKey);
  return row?.split('|')[column + 1]?.trim();
}
