import { mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isAscii } from 'node:buffer';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import vm from 'node:vm';

/**
 * Runs a CommonJS file the way `require` would, but compiled through V8's code cache: the bytecode of
 * every function a run compiled is kept in a cache folder, so the next run deserialises it instead of
 * parsing and compiling megabytes of JavaScript again (what Node 22's module compile cache does; Node 20 has no
 * such cache for modules). The module is registered in `require.cache`, so a later `require` of the same
 * file (the package's public entries do that) gets this instance.
 *
 * The script has no `import()`: Node's loader for it is experimental, and V8 drops it from a script
 * compiled from the cache. Code run this way imports through `require` or a function handed in.
 */
export interface CodeCachedModule {
  exports: Record<string, unknown>;
  /** `hit`: V8 took the cache; `miss`: there was none; `rejected`: V8 refused it (another Node or V8 flags). */
  cache: 'hit' | 'miss' | 'rejected' | 'off';
  /**
   * Writes the cache when this run did not use one, with every function compiled so far: call it when the
   * work is done. Failing to write (a read-only file system) costs the next run its speed, nothing else.
   */
  saveCache(): void;
}

/**
 * Where the code is kept: a folder, and a key for what the run does. A cache holds the functions its
 * run compiled, so runs that use different parts of the file (the CLI's commands) keep one each: a
 * `generate` should not live on what an `init` compiled.
 */
export interface CodeCacheLocation {
  dir: string;
  key: string;
}

function cachePrefix(file: string, key: string): string {
  return `${basename(file)}-${key}-`;
}

/** The cache file of `file` as it is now under this V8: another build or another Node never reads it. */
function cacheFileOf(file: string, location: CodeCacheLocation): string {
  const { size, mtimeMs } = statSync(file);
  return join(location.dir, `${cachePrefix(file, location.key)}${process.versions.v8}-${process.arch}-${size}-${Math.trunc(mtimeMs)}.v8cache`);
}

function readOrUndefined(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** The file's text; an ASCII file (a minified build) is read without UTF-8 decoding. */
function sourceOf(file: string): string {
  const bytes = readFileSync(file);
  return bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
}

export function runCodeCached(path: string, location: CodeCacheLocation | undefined): CodeCachedModule {
  const file = realpathSync(path);
  const cacheFile = location === undefined ? undefined : cacheFileOf(file, location);
  const cachedData = cacheFile === undefined ? undefined : readOrUndefined(cacheFile);
  const script = new vm.Script(Module.wrap(sourceOf(file)), { filename: file, cachedData });
  const cache = cacheFile === undefined ? 'off' : cachedData === undefined ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';

  const module = new Module(file);
  module.filename = file;
  module.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(file));
  createRequire(file).cache[file] = module;
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  try {
    wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  } catch (err) {
    delete createRequire(file).cache[file];
    throw err;
  }
  module.loaded = true;

  return {
    exports: module.exports as Record<string, unknown>,
    cache,
    saveCache() {
      if (cacheFile === undefined || cache === 'hit') return;
      try {
        const { dir, key } = location!;
        mkdirSync(dir, { recursive: true });
        const temporary = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(temporary, script.createCachedData());
        renameSync(temporary, cacheFile);
        // This key's caches of earlier builds of the file are dead weight now.
        const prefix = cachePrefix(file, key);
        for (const name of readdirSync(dir)) {
          if (name.startsWith(prefix) && name.endsWith('.v8cache') && join(dir, name) !== cacheFile) rmSync(join(dir, name), { force: true });
        }
      } catch {
        // The cache is only ever a speed-up.
      }
    },
  };
}
