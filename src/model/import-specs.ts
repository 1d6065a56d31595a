import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { SourceMap, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { cachedBundle, storeBundle, type BundleSources, type ExternalImport } from './spec-bundle-cache.ts';

/** One spec file after import: its exports, or why it could not be loaded (with the line when known). */
export type ImportedSpec = { file: string; module: Record<string, unknown> } | SpecLoadError;

export interface SpecLoadError {
  file: string;
  error: string;
  line?: number;
}

export interface SpecImportOptions {
  /** Where compiled bundles are kept between runs (`node_modules/.cache/infermon`); without it every run bundles. */
  cacheDir?: string;
}

/**
 * How spec modules are imported. The package's CLI runs as CommonJS through V8's code cache, where
 * `import()` has no loader to call: its ES module entry hands over its own (src/cli/load-program-compiled.ts).
 */
let importModule = (url: string): Promise<unknown> => import(url);

export function useModuleImporter(importer: (url: string) => Promise<unknown>): void {
  importModule = importer;
}

/**
 * Spec files are TypeScript that users never build. Run from this package's sources (under tsx), they
 * import as they are. Run from the compiled package, they are bundled in one esbuild call and imported
 * as one module: registering a TypeScript loader instead would send every later module load through its
 * hooks thread, which costs more than the rest of a run. The package itself and every other bare import
 * stay external, resolved where the spec file would resolve them, so specs share the running package's
 * modules.
 */
export async function importSpecFiles(files: readonly string[], options: SpecImportOptions = {}): Promise<ImportedSpec[]> {
  if (import.meta.url.endsWith('.ts')) return importEach(files);
  return importBundled(files, options.cacheDir);
}

async function importEach(files: readonly string[]): Promise<ImportedSpec[]> {
  const out: ImportedSpec[] = [];
  for (const file of files) {
    try {
      out.push({ file, module: (await importModule(pathToFileURL(file).href)) as Record<string, unknown> });
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

/** A bare import as the bundle imports it: resolved from the importing file, by absolute URL. */
function externalUrl(specifier: string, resolveDir: string): string {
  const resolved = createRequire(join(resolveDir, 'spec.js')).resolve(specifier);
  return resolved.startsWith('/') ? pathToFileURL(resolved).href : resolved;
}

/**
 * Everything besides the spec files a bundle depends on: the versions of this package and of esbuild,
 * this code (the compiled file it runs from, as built), and the temporary directory its source map's
 * paths are relative to.
 */
function bundleSalt(): string {
  const require = createRequire(import.meta.url);
  const versionOf = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
  const { size, mtimeMs } = statSync(fileURLToPath(import.meta.url));
  return JSON.stringify({ infermon: versionOf('infermon'), esbuild: versionOf('esbuild'), code: { size, mtimeMs }, tmpdir: tmpdir() });
}

/**
 * Bundles the spec files, or takes the bundle an earlier run made of them when nothing it read has changed.
 * A bundle that does not compile or run fails as a whole, so its files are then imported one by one (see
 * `importAroundBuildErrors`, `importSeparately`) to tell which of them fail and let the others load.
 */
export async function importBundled(files: readonly string[], cacheDir?: string): Promise<ImportedSpec[]> {
  if (files.length === 0) return [];
  const salt = cacheDir ? bundleSalt() : '';
  const cached = cacheDir ? cachedBundle(cacheDir, files, salt, externalUrl) : undefined;
  if (cached !== undefined) return (await evaluateBundle(files, cached)) ?? importSeparately(files);
  const built = await bundle(files);
  if ('failure' in built) return importAroundBuildErrors(files, built.failure);
  if (cacheDir) storeBundle(cacheDir, files, salt, built.sources, built.code);
  return (await evaluateBundle(files, built.code)) ?? importSeparately(files);
}

/** esbuild's options for spec files: bare imports stay external, resolved from the file that imports them. */
function buildOptions(externals: Map<string, ExternalImport>): BuildOptions {
  return {
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    sourcemap: 'inline',
    metafile: true,
    logLevel: 'silent',
    plugins: [
      {
        name: 'external-packages',
        setup(b) {
          // The bundle lives outside the user's repository: resolve bare imports here, from the
          // importing spec file, and import them by absolute URL.
          b.onResolve({ filter: /^[^./]/ }, (args) => {
            if (args.path.startsWith('node:')) return { path: args.path, external: true };
            const resolved = externalUrl(args.path, args.resolveDir);
            externals.set(`${args.resolveDir}\0${args.path}`, { specifier: args.path, resolveDir: args.resolveDir, resolved });
            return { path: resolved, external: true };
          });
        },
      },
    ],
  };
}

async function bundle(files: readonly string[]): Promise<{ code: string; sources: BundleSources } | { failure: BuildFailure }> {
  const { build } = await import('esbuild');
  const entry = files.map((file, i) => `export * as f${i} from ${JSON.stringify(file)};`).join('\n');
  const entryDir = dirname(files[0]!);
  const entryName = 'infermon-specs';
  const externals = new Map<string, ExternalImport>();
  try {
    const result = await build({
      ...buildOptions(externals),
      stdin: { contents: entry, resolveDir: entryDir, loader: 'ts', sourcefile: entryName },
      // Where evaluateBundle runs it, as far as the source map's relative paths can tell: a folder in the
      // system's temporary directory.
      outfile: join(tmpdir(), 'infermon-specs', 'specs.mjs'),
    });
    const inputs = Object.keys(result.metafile!.inputs)
      .map((input) => resolve(input))
      .filter((input) => input !== join(entryDir, entryName));
    return { code: result.outputFiles![0]!.text, sources: { inputs, externals: [...externals.values()] } };
  } catch (err) {
    return { failure: err as BuildFailure };
  }
}

/**
 * Runs the bundle from a file of its own in the system's temporary directory, never in the user's
 * repository; undefined when it throws. Node's source-map support stays off: it would decode the inline
 * map on every run, and only an exception needs it (see evaluationError).
 */
async function evaluateBundle(files: readonly string[], code: string): Promise<ImportedSpec[] | undefined> {
  const workDir = mkdtempSync(join(tmpdir(), 'infermon-specs-'));
  try {
    const outfile = join(workDir, 'specs.mjs');
    writeFileSync(outfile, code);
    const bundled = (await importModule(pathToFileURL(outfile).href)) as Record<string, Record<string, unknown>>;
    return files.map((file, i) => ({ file, module: bundled[`f${i}`]! }));
  } catch {
    return undefined;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * Each spec file as a module of its own, for when the bundle of all of them throws: one esbuild call with
 * every file as an entry point and the modules they share split out, so a shared module still runs once
 * and its objects are the same for every file that imports it. A file that throws, or imports a name its
 * module lacks, fails alone (with every file that imports it), blamed on the spec file and line the error
 * comes from; the others load. Each error is reported once, however many files it stopped.
 */
async function importSeparately(files: readonly string[]): Promise<ImportedSpec[]> {
  const { build } = await import('esbuild');
  const workDir = mkdtempSync(join(tmpdir(), 'infermon-specs-'));
  try {
    const result = await build({
      ...buildOptions(new Map()),
      entryPoints: [...files],
      splitting: true,
      outdir: workDir,
      entryNames: 'f[hash]',
      outExtension: { '.js': '.mjs' },
    });
    const outputs = result.outputFiles!.map((output) => ({ file: output.path, code: output.text }));
    for (const output of result.outputFiles!) {
      mkdirSync(dirname(output.path), { recursive: true });
      writeFileSync(output.path, output.contents);
    }
    const outputOf = new Map(
      Object.entries(result.metafile!.outputs).flatMap(([output, meta]) => (meta.entryPoint ? [[resolve(meta.entryPoint), resolve(output)] as const] : [])),
    );
    const imported: ImportedSpec[] = [];
    const firstTime = firstTimeOnly();
    for (const file of files) {
      // The metafile may name an entry point by its real path.
      const outfile = outputOf.get(file) ?? outputOf.get(realpathSync(file))!;
      try {
        imported.push({ file, module: (await importModule(pathToFileURL(outfile).href)) as Record<string, unknown> });
      } catch (err) {
        imported.push(...(missingExportError(files, file, err) ?? evaluationError(files, err, outputs)).filter(firstTime));
      }
    }
    return imported;
  } catch (err) {
    return buildErrors(files, err as BuildFailure);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

const MISSING_EXPORT = /does not provide an export named '([^']+)'/;
const NAMED_IMPORTS = /\bimport\s+(?:type\s+)?(?:[\w$]+\s*,\s*)?\{([^}]*)\}\s*from\s*['"][^'"]+['"]/g;

/**
 * Node names the missing export and the module it was asked of, but not the importing file: the spec file
 * that imports the name is found in the sources, `file` first, and blamed with the line the name is on.
 */
function missingExportError(files: readonly string[], file: string, err: unknown): SpecLoadError[] | undefined {
  const name = MISSING_EXPORT.exec(firstLine(err))?.[1];
  if (name === undefined) return undefined;
  for (const candidate of [file, ...files.filter((f) => f !== file)]) {
    let text: string;
    try {
      text = readFileSync(candidate, 'utf8');
    } catch {
      continue;
    }
    for (const match of text.matchAll(NAMED_IMPORTS)) {
      const names = match[1]!.split(',').map((part) => part.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]);
      if (!names.includes(name)) continue;
      const at = match.index! + match[0].indexOf(name, match[0].indexOf('{'));
      return [{ file: candidate, error: firstLine(err), line: text.slice(0, at).split('\n').length }];
    }
  }
  return [{ file, error: firstLine(err) }];
}

/**
 * The spec files that do not compile, with every error esbuild finds in them, and the other files loaded
 * (see `importSeparately`), so their own problems show in the same run. Each of those is compiled alone
 * first: one that imports a broken file fails with it and is left out, its error being the broken file's.
 */
async function importAroundBuildErrors(files: readonly string[], failure: BuildFailure): Promise<ImportedSpec[]> {
  const found = buildErrors(files, failure);
  // An error esbuild could not place in a spec file leaves nothing narrower to go on.
  if (found.some((e) => e.line === undefined)) return found;
  const broken = new Set(found.map((e) => e.file));
  const { build } = await import('esbuild');
  const alone = await Promise.all(
    files
      .filter((file) => !broken.has(file))
      .map((file) =>
        build({ ...buildOptions(new Map()), entryPoints: [file] }).then(
          () => ({ file, compiles: true, errors: [] }),
          (err: BuildFailure) => ({ file, compiles: false, errors: buildErrors(files, err).filter((e) => !broken.has(e.file)) }),
        ),
      ),
  );
  const errors = [...found, ...alone.flatMap((a) => a.errors)].filter(firstTimeOnly());
  const loadable = alone.flatMap((a) => (a.compiles ? [a.file] : []));
  return [...errors, ...(loadable.length > 0 ? await importSeparately(loadable) : [])];
}

/** A filter that lets each error through once, however many files it stopped. */
function firstTimeOnly(): (error: SpecLoadError) => boolean {
  const seen = new Set<string>();
  return (error) => {
    const key = JSON.stringify(error);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
}

/** Syntax and resolution errors, each on the file and line esbuild names (paths relative to the cwd). */
function buildErrors(files: readonly string[], failure: BuildFailure): SpecLoadError[] {
  const errors = failure.errors ?? [{ text: String(failure), location: null }];
  return errors.map((e): SpecLoadError => {
    const file = e.location ? resolve(e.location.file) : undefined;
    return file && files.includes(file) ? { file, error: e.text, line: e.location!.line } : { file: files[0]!, error: e.text };
  });
}

const INLINE_SOURCE_MAP = /\n\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;

/** A compiled file spec code runs from, with its inline source map. */
export interface BundleOutput {
  file: string;
  code: string;
}

/** Maps a position in the bundle to the spec file and line it was compiled from, through the bundle's inline source map. */
function specPosition(bundle: BundleOutput): (line: number, column: number) => { path: string; line: number } | undefined {
  let map: SourceMap | undefined;
  return (line, column) => {
    if (!map) {
      const payload = INLINE_SOURCE_MAP.exec(bundle.code)?.[1];
      if (!payload) return undefined;
      map = new SourceMap(JSON.parse(Buffer.from(payload, 'base64').toString('utf8')));
    }
    const entry = map.findEntry(line - 1, column - 1);
    if (!('originalSource' in entry)) return undefined;
    return { path: resolve(dirname(bundle.file), entry.originalSource), line: entry.originalLine + 1 };
  };
}

/**
 * An exception while compiled spec code runs (from `bundles`): blamed on the spec file (and line) closest
 * to where it was thrown.
 */
export function evaluationError(files: readonly string[], err: unknown, bundles: readonly BundleOutput[]): SpecLoadError[] {
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  const inSpecs = new Map(bundles.map((bundle) => [bundle.file, specPosition(bundle)]));
  for (const match of stack.matchAll(/\(?((?:file:\/\/)?\/[^\s():]+):(\d+):(\d+)\)?/g)) {
    const path = match[1]!.startsWith('file:') ? fileURLToPath(match[1]!) : match[1]!;
    const mapped = inSpecs.get(path);
    const at = mapped ? mapped(Number(match[2]), Number(match[3])) : { path, line: Number(match[2]) };
    if (at && files.includes(at.path)) return [{ file: at.path, error: firstLine(err), line: at.line }];
  }
  return [{ file: files[0]!, error: firstLine(err) }];
}
