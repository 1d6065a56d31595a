import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/paths.ts';
import { runTool, type ToolResult } from '../support/tools.ts';

/** What the compiled package is built from. */
const BUILD_INPUTS = ['src', 'generators', 'templates', 'scripts/bundle.mjs', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
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

/** `npm run build` when dist/ is stale, so packing (with scripts off) ships the current sources. */
export function ensureBuilt(): void {
  if (!distIsStale()) return;
  const r = runTool('npm', ['run', 'build'], { cwd: PROJECT_ROOT });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}${r.stderr}`);
}

/** The package packed as `npm publish` would ship it and installed into a fresh repository. */
export interface InstalledPackage {
  /** Files the tarball holds, by path inside the package. */
  packedFiles: string[];
  /** A new repository outside this one with the tarball (and `extraPackages`) installed. */
  repo: string;
  /** What `npm install` printed. */
  installLog: string;
}

function checked(r: ToolResult, what: string): ToolResult {
  if (r.status !== 0) throw new Error(`${what} failed:\n${r.stdout}${r.stderr}`);
  return r;
}

/** Builds when stale, packs, and installs the tarball into `<workDir>/platform-monitoring`. */
export function installPackedPackage(workDir: string, extraPackages: readonly string[] = []): InstalledPackage {
  ensureBuilt();
  // dist/ is fresh, so the `prepack` build npm would run while packing is skipped.
  const listed = checked(runTool('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PROJECT_ROOT }), 'npm pack --dry-run');
  const packedFiles = (JSON.parse(listed.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
  const packed = checked(runTool('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', workDir], { cwd: PROJECT_ROOT }), 'npm pack');
  const tarball = join(workDir, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename);
  const repo = join(workDir, 'platform-monitoring');
  mkdirSync(repo);
  const installed = checked(runTool('npm', ['install', '--save-dev', '--no-audit', '--no-fund', '--prefer-offline', tarball, ...extraPackages], { cwd: repo }), 'npm install');
  return { packedFiles, repo, installLog: `${installed.stdout}${installed.stderr}` };
}
