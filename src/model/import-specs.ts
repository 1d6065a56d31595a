import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** One spec file after import: its exports, or why it could not be loaded (with the line when known). */
export type ImportedSpec =
  | { file: string; module: Record<string, unknown> }
  | { file: string; error: string; line?: number };

/**
 * Spec files are TypeScript that users never build. Run from this package's sources (under tsx), they
 * import as they are. Run from the compiled package, they are bundled in one esbuild call and imported
 * as one module: registering a TypeScript loader instead would send every later module load through its
 * hooks thread, which costs more than the rest of a run. The package itself and every other bare import
 * stay external, resolved where the spec file would resolve them, so specs share the running package's
 * modules.
 */
export async function importSpecFiles(files: readonly string[]): Promise<ImportedSpec[]> {
  if (import.meta.url.endsWith('.ts')) return importEach(files);
  return importBundled(files);
}

async function importEach(files: readonly string[]): Promise<ImportedSpec[]> {
  const out: ImportedSpec[] = [];
  for (const file of files) {
    try {
      out.push({ file, module: (await import(pathToFileURL(file).href)) as Record<string, unknown> });
    } catch (err) {
      out.push({ file, error: firstLine(err) });
    }
  }
  return out;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

interface BuildFailure {
  errors: Array<{ text: string; location: { file: string; line: number } | null }>;
}

async function importBundled(files: readonly string[]): Promise<ImportedSpec[]> {
  if (files.length === 0) return [];
  const { build } = await import('esbuild');
  // Imported from a file of its own so Node maps stack traces back to the spec files through the inline
  // source map; it lives in the system's temporary directory, never in the user's repository.
  const workDir = mkdtempSync(join(tmpdir(), 'infermon-specs-'));
  const outfile = join(workDir, 'specs.mjs');
  const entry = files.map((file, i) => `export * as f${i} from ${JSON.stringify(file)};`).join('\n');
  let code: string;
  try {
    const result = await build({
      stdin: { contents: entry, resolveDir: dirname(files[0]!), loader: 'ts', sourcefile: 'infermon-specs' },
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      outfile,
      sourcemap: 'inline',
      logLevel: 'silent',
      plugins: [
        {
          name: 'external-packages',
          setup(b) {
            // The bundle lives outside the user's repository: resolve bare imports here, from the
            // importing spec file, and import them by absolute URL.
            b.onResolve({ filter: /^[^./]/ }, (args) => {
              if (args.path.startsWith('node:')) return { path: args.path, external: true };
              const resolved = createRequire(join(args.resolveDir, 'spec.js')).resolve(args.path);
              return { path: resolved.startsWith('/') ? pathToFileURL(resolved).href : resolved, external: true };
            });
          },
        },
      ],
    });
    code = result.outputFiles[0]!.text;
  } catch (err) {
    rmSync(workDir, { recursive: true, force: true });
    return buildErrors(files, err as BuildFailure);
  }
  process.setSourceMapsEnabled(true);
  try {
    writeFileSync(outfile, code);
    const bundle = (await import(pathToFileURL(outfile).href)) as Record<string, Record<string, unknown>>;
    return files.map((file, i) => ({ file, module: bundle[`f${i}`]! }));
  } catch (err) {
    return evaluationError(files, err);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Syntax and resolution errors, each on the file and line esbuild names (paths relative to the cwd). */
function buildErrors(files: readonly string[], failure: BuildFailure): ImportedSpec[] {
  const errors = failure.errors ?? [{ text: String(failure), location: null }];
  return errors.map((e): ImportedSpec => {
    const file = e.location ? resolve(e.location.file) : undefined;
    return file && files.includes(file) ? { file, error: e.text, line: e.location!.line } : { file: files[0]!, error: e.text };
  });
}

/** An exception while the specs run: blamed on the spec file (and line) closest to where it was thrown. */
function evaluationError(files: readonly string[], err: unknown): ImportedSpec[] {
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  for (const match of stack.matchAll(/\(?((?:file:\/\/)?\/[^\s():]+):(\d+):\d+\)?/g)) {
    const path = match[1]!.startsWith('file:') ? fileURLToPath(match[1]!) : match[1]!;
    if (files.includes(path)) return [{ file: path, error: firstLine(err), line: Number(match[2]) }];
  }
  return [{ file: files[0]!, error: firstLine(err) }];
}
