import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { listFiles } from '../../src/emit/write.ts';
import { PROJECT_ROOT } from './paths.ts';

/** Runs the infermon CLI as users do, in its own process. */
export function cli(args: string[], cwd: string) {
  return spawnSync(process.execPath, nodeArgs(CLI_ENTRY, args), { cwd, encoding: 'utf8' });
}

/** The CLI in its own process without blocking this one, for tests whose servers must keep answering. */
export function cliAsync(args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs(CLI_ENTRY, args), { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
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

const TSX_LOADER = pathToFileURL(join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/**
 * Node arguments that run a TypeScript entry point in one process (no tsx launcher in between), so a
 * signal sent to the child's PID reaches the code under test.
 */
export function nodeArgs(entry: string, args: readonly string[]): string[] {
  return ['--conditions=infermon-source', '--import', TSX_LOADER, entry, ...args];
}

export const CLI_ENTRY = join(PROJECT_ROOT, 'src', 'cli', 'main.ts');
