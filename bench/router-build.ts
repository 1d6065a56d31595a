import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(import.meta.dirname, '..');

/**
 * The router bench's child entry (`router-serve.ts`: the router, the simulated pod, the OTLP receiver)
 * compiled into one file the way `scripts/bundle.mjs` compiles the package: esbuild, dependencies bundled,
 * the same target and conditions. The router is measured as it ships, not as tsx transpiles it on the
 * fly (its `keepNames` helper costs a call for every function created, and closures are created per
 * request). Returns the file's path; the source map lies beside it, for profiles.
 */
export async function buildServeScript(outDir: string, sourceRoot = ROOT): Promise<string> {
  const outfile = join(outDir, 'router-serve.mjs');
  await build({
    absWorkingDir: sourceRoot,
    entryPoints: ['bench/router-serve.ts'],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: ['infermon-source'],
    sourcemap: true,
    // Bundled CommonJS dependencies call require() for Node's built-in modules.
    banner: { js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return outfile;
}

/**
 * The sources a serve script is built from as they are at the git ref `ref`, extracted into `dir` (the
 * working tree and its branches stay untouched), with this checkout's node_modules.
 */
export function sourceAt(ref: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const tar = execFileSync('git', ['archive', '--format=tar', ref, 'src', 'bench', 'test/support', 'package.json'], { cwd: ROOT, maxBuffer: 256 * 2 ** 20 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}
