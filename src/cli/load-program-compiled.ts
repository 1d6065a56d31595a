import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCodeCached } from './code-cache.ts';
import type { LoadedProgram } from './load-program.ts';

/**
 * The package's `loadProgram`: the program and every public module are one CommonJS file
 * (`dist/src/chunks/runtime.cjs`, see scripts/bundle.mjs), run through V8's code cache kept in the
 * `node_modules/.cache/infermon` that holds the package (or that of its own repository).
 */
const RUNTIME = fileURLToPath(new URL('../chunks/runtime.cjs', import.meta.url));
const PACKAGE_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function codeCacheDir(): string | undefined {
  const installedIn = dirname(PACKAGE_ROOT.replace(/[\\/]$/, ''));
  if (basename(installedIn) === 'node_modules') return join(installedIn, '.cache', 'infermon');
  const own = join(PACKAGE_ROOT, 'node_modules');
  return existsSync(own) ? join(own, '.cache', 'infermon') : undefined;
}

export async function loadProgram(command: string): Promise<LoadedProgram> {
  const dir = codeCacheDir();
  const runtime = runCodeCached(RUNTIME, dir === undefined ? undefined : { dir, key: /^[a-z][a-z-]*$/.test(command) ? command : 'other' });
  const { main, useModuleImporter } = runtime.exports as { main: LoadedProgram['main']; useModuleImporter(importer: (url: string) => Promise<unknown>): void };
  useModuleImporter((url) => import(url));
  return { main, saveCompiledCode: () => runtime.saveCache() };
}
