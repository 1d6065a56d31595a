import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Compiled spec bundles kept between runs, so an unchanged spec directory skips the bundler. An entry is
 * found by the spec files it was built from and used only when everything the bundler read is as it was
 * then: every bundled file (imported helpers and files outside the spec directory included), every
 * package.json and tsconfig.json that could change how they compile (present or absent), where each
 * package import resolves, and the `salt` (the package and bundler versions and the bundling code).
 */

/** A bare import the bundle leaves to Node, resolved from the file that imports it. */
export interface ExternalImport {
  specifier: string;
  resolveDir: string;
  resolved: string;
}

/** What a bundle was built from, as the bundler reports it. */
export interface BundleSources {
  /** Every file compiled into the bundle. */
  inputs: readonly string[];
  externals: readonly ExternalImport[];
}

interface CacheEntry {
  salt: string;
  entries: string[];
  /** File path → content hash; null for a settings file that did not exist. */
  files: Record<string, string | null>;
  externals: ExternalImport[];
  code: string;
}

/** Files beside the inputs that change how the bundler reads them. */
const SETTINGS_FILES = ['package.json', 'tsconfig.json', 'jsconfig.json'];

function hashOf(path: string): string | null {
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch {
    return null;
  }
  return createHash('sha256').update(text).digest('hex');
}

/** Every settings file the bundler may read for these inputs: in each input's folder and the folders above it. */
function settingsFiles(inputs: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const input of inputs) {
    for (let dir = dirname(input); !folders.has(dir); dir = dirname(dir)) {
      folders.add(dir);
      if (dirname(dir) === dir) break;
    }
  }
  return [...folders].sort().flatMap((dir) => SETTINGS_FILES.map((name) => join(dir, name)));
}

function entryPath(cacheDir: string, entries: readonly string[]): string {
  const key = createHash('sha256').update(entries.join('\n')).digest('hex').slice(0, 32);
  return join(cacheDir, `specs-${key}.json`);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The cached bundle of `entries`, or undefined when there is none or anything it was built from changed.
 * `resolve` resolves a bare import as the bundler's resolution did.
 */
export function cachedBundle(
  cacheDir: string,
  entries: readonly string[],
  salt: string,
  resolve: (specifier: string, resolveDir: string) => string,
): string | undefined {
  let entry: CacheEntry;
  try {
    entry = JSON.parse(readFileSync(entryPath(cacheDir, entries), 'utf8')) as CacheEntry;
  } catch {
    return undefined;
  }
  if (entry.salt !== salt || !sameList(entry.entries, entries)) return undefined;
  for (const [path, hash] of Object.entries(entry.files)) if (hashOf(path) !== hash) return undefined;
  for (const e of entry.externals) {
    try {
      if (resolve(e.specifier, e.resolveDir) !== e.resolved) return undefined;
    } catch {
      return undefined;
    }
  }
  return entry.code;
}

/** Keeps a bundle for the next run; a cache that cannot be written only costs that next run the bundling. */
export function storeBundle(cacheDir: string, entries: readonly string[], salt: string, sources: BundleSources, code: string): void {
  const files: Record<string, string | null> = {};
  for (const input of [...sources.inputs].sort()) files[input] = hashOf(input);
  for (const settings of settingsFiles(sources.inputs)) files[settings] = hashOf(settings);
  const entry: CacheEntry = { salt, entries: [...entries], files, externals: [...sources.externals], code };
  const path = entryPath(cacheDir, entries);
  const partial = `${path}.${process.pid}.partial`;
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(partial, JSON.stringify(entry));
    renameSync(partial, path);
  } catch {
    // A read-only node_modules: run without a cache.
    try {
      rmSync(partial, { force: true });
    } catch {
      // Nothing was written.
    }
  }
}

/** The usual place for a tool's cache in a project: `node_modules/.cache/<tool>`, when node_modules exists. */
export function projectCacheDir(projectRoot: string): string | undefined {
  const modules = join(projectRoot, 'node_modules');
  return existsSync(modules) ? join(modules, '.cache', 'infermon') : undefined;
}
