import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/paths.ts';

/** What the compiled package is built from. */
const BUILD_INPUTS = ['src', 'generators', 'templates', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
const BUILT_MARKER = join(PROJECT_ROOT, 'dist', 'src', 'index.js');

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestChange(join(path, entry))));
}

/** Whether dist/ is missing or older than anything it is built from. */
export function distIsStale(): boolean {
  if (!existsSync(BUILT_MARKER) || !existsSync(join(PROJECT_ROOT, 'dist', 'templates'))) return true;
  const built = statSync(BUILT_MARKER).mtimeMs;
  return BUILD_INPUTS.some((input) => existsSync(join(PROJECT_ROOT, input)) && newestChange(join(PROJECT_ROOT, input)) > built);
}

export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; the output is kept for the assertion message. */
export function runCommand(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): CommandResult {
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `npm run build` when dist/ is stale, so packing (with scripts off) ships the current sources. */
export function ensureBuilt(): void {
  if (!distIsStale()) return;
  const r = runCommand('npm', ['run', 'build'], PROJECT_ROOT);
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}${r.stderr}`);
}

/** The package packed as `npm publish` would ship it and installed into a fresh repository. */
export interface InstalledPackage {
  /** Files the tarball holds, by path inside the package. */
  packedFiles: string[];
  /** A new repository outside this one with the tarball (and `extraPackages`) installed. */
  repo: string;
}

function checked(r: CommandResult, what: string): CommandResult {
  if (r.status !== 0) throw new Error(`${what} failed:\n${r.stdout}${r.stderr}`);
  return r;
}

/** Builds when stale, packs, and installs the tarball into `<workDir>/platform-monitoring`. */
export function installPackedPackage(workDir: string, extraPackages: readonly string[] = []): InstalledPackage {
  ensureBuilt();
  // dist/ is fresh, so the `prepare` build npm would run while packing is skipped.
  const listed = checked(runCommand('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], PROJECT_ROOT), 'npm pack --dry-run');
  const packedFiles = (JSON.parse(listed.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
  const packed = checked(runCommand('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', workDir], PROJECT_ROOT), 'npm pack');
  const tarball = join(workDir, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename);
  const repo = join(workDir, 'platform-monitoring');
  mkdirSync(repo);
  checked(runCommand('npm', ['install', '--save-dev', '--no-audit', '--no-fund', '--prefer-offline', tarball, ...extraPackages], repo), 'npm install');
  return { packedFiles, repo };
}
