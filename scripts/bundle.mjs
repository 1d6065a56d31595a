// Compiles the package's JavaScript into dist/ (tsc writes only the declarations beside it).
//
// Every public entry point (`infermon`, `infermon/catalog/*`, `infermon/content/*`) and the CLI is
// an entry of one esbuild run with code splitting: code they share lives in chunks, so the CLI and
// the spec files it loads through the public entries share one instance of every module. Dependencies
// are bundled in: loading a few dozen files instead of several hundred (and no CommonJS export
// scanning) is most of a `check` run's start-up. esbuild stays a package of its own: it runs its
// native binary.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every TypeScript module under a folder of src/, as a path from the package root. */
function modulesUnder(folder) {
  return readdirSync(join(ROOT, folder), { recursive: true })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => join(folder, file))
    .sort();
}

await build({
  absWorkingDir: ROOT,
  entryPoints: ['src/index.ts', 'src/cli/main.ts', ...modulesUnder('src/catalog'), ...modulesUnder('src/content')],
  outdir: 'dist',
  outbase: '.',
  chunkNames: 'src/chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['esbuild'],
  // The runtime imports the catalog as users do (`infermon/catalog/...`): the same modules as the entries.
  conditions: ['infermon-source'],
  sourcemap: true,
  // Bundled CommonJS dependencies call require() for Node's built-in modules.
  banner: { js: "import { createRequire as __infermonCreateRequire } from 'node:module'; const require = __infermonCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
