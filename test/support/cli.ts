import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listFiles } from '../../src/emit/write.ts';
import { PROJECT_ROOT } from './paths.ts';

/** Runs the infermon CLI as users do, in its own process. */
export function cli(args: string[], cwd: string) {
  const tsx = join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const main = join(PROJECT_ROOT, 'src', 'cli', 'main.ts');
  return spawnSync(process.execPath, [tsx, '--conditions=infermon-source', main, ...args], { cwd, encoding: 'utf8' });
}

/** Every file under `dir` with its content, to prove a failed run changed nothing. */
export function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

/** An existing output directory holding one file from an earlier run. */
export function previousOutput(): string {
  const out = join(mkdtempSync(join(tmpdir(), 'infermon-out-')), 'out');
  mkdirSync(out);
  writeFileSync(join(out, 'keep.txt'), 'previous output\n');
  return out;
}
