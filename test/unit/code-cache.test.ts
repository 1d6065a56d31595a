import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCodeCached } from '../../src/cli/code-cache.ts';

/**
 * The compiled CLI runs its program through V8's code cache. `cache` is V8's own verdict: `hit` means it
 * took the cached code (`cachedDataRejected` false), so each test below fails if nothing was kept, if a
 * stale cache were read, or if a refused one were kept. Each run is a process of its own, as CLI runs
 * are: within one process V8 compiles a source it has seen before from memory, whatever the cache holds.
 */

interface ChildRun {
  cache: string;
  answer: unknown;
}

/** One process that runs `file` through the cache, keeps the cache, and reports. */
function runInChild(file: string, cacheDir: string, key = 'check'): ChildRun {
  const script = [
    `import { runCodeCached } from ${JSON.stringify(new URL('../../src/cli/code-cache.ts', import.meta.url).href)};`,
    `const run = runCodeCached(${JSON.stringify(file)}, { dir: ${JSON.stringify(cacheDir)}, key: ${JSON.stringify(key)} });`,
    'run.saveCache();',
    'console.log(JSON.stringify({ cache: run.cache, answer: run.exports.answer }));',
  ].join('\n');
  return JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' })) as ChildRun;
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function workDir(): { dir: string; cacheDir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'infermon-code-cache-'));
  made.push(dir);
  const file = join(dir, 'program.cjs');
  writeFileSync(file, "exports.answer = 42;\nexports.where = __filename;\nexports.sum = (a, b) => a + b;\nexports.loadedBy = require('node:path').basename(module.filename);\n");
  return { dir, cacheDir: join(dir, 'cache'), file };
}

function forget(file: string): void {
  delete createRequire(file).cache[file];
}

describe('running a CommonJS file through the code cache', () => {
  it('runs it as require would, registered for later requires of the same file', () => {
    const { file, cacheDir } = workDir();
    const run = runCodeCached(file, { dir: cacheDir, key: 'check' });
    expect(run.exports).toMatchObject({ answer: 42, where: file, loadedBy: 'program.cjs' });
    expect((run.exports.sum as (a: number, b: number) => number)(2, 3)).toBe(5);
    expect(createRequire(file)(file)).toBe(run.exports);
    forget(file);
  });

  it('keeps what a run compiled, and the next run takes it', () => {
    const { file, cacheDir } = workDir();
    expect(runInChild(file, cacheDir)).toEqual({ cache: 'miss', answer: 42 });
    const [kept, ...others] = readdirSync(cacheDir);
    expect(others).toEqual([]);
    const written = statSync(join(cacheDir, kept!)).mtimeMs;

    expect(runInChild(file, cacheDir)).toEqual({ cache: 'hit', answer: 42 });
    expect(statSync(join(cacheDir, kept!)).mtimeMs).toBe(written);
  });

  it('never reads the cache of an earlier version of the file, and drops it once the new one is kept', () => {
    const { file, cacheDir } = workDir();
    runInChild(file, cacheDir);
    const [old] = readdirSync(cacheDir);

    writeFileSync(file, 'exports.answer = 43;\n');
    expect(runInChild(file, cacheDir)).toEqual({ cache: 'miss', answer: 43 });
    expect(readdirSync(cacheDir)).not.toContain(old);
    expect(readdirSync(cacheDir)).toHaveLength(1);
    expect(runInChild(file, cacheDir)).toEqual({ cache: 'hit', answer: 43 });
  });

  it('keeps one cache per key, and a new build replaces only its own key\'s', () => {
    const { file, cacheDir } = workDir();
    expect(runInChild(file, cacheDir, 'check').cache).toBe('miss');
    expect(runInChild(file, cacheDir, 'generate').cache).toBe('miss');
    expect(runInChild(file, cacheDir, 'check').cache).toBe('hit');
    expect(readdirSync(cacheDir)).toHaveLength(2);

    writeFileSync(file, 'exports.answer = 44;\n');
    runInChild(file, cacheDir, 'check');
    const kept = readdirSync(cacheDir);
    expect(kept).toHaveLength(2);
    expect(kept.filter((name) => name.startsWith('program.cjs-generate-'))).toHaveLength(1);
  });

  it('runs from source when V8 refuses the cache, and replaces it', () => {
    const { file, cacheDir } = workDir();
    runInChild(file, cacheDir);
    const [kept] = readdirSync(cacheDir);
    writeFileSync(join(cacheDir, kept!), 'not code a V8 wrote');

    expect(runInChild(file, cacheDir)).toEqual({ cache: 'rejected', answer: 42 });
    expect(runInChild(file, cacheDir)).toEqual({ cache: 'hit', answer: 42 });
  });

  it('keeps nothing without a cache directory, and leaves no half-registered module when the file throws', () => {
    const { file } = workDir();
    expect(runCodeCached(file, undefined).cache).toBe('off');
    forget(file);

    writeFileSync(file, "throw new Error('broken program');\n");
    expect(() => runCodeCached(file, undefined)).toThrow('broken program');
    expect(createRequire(file).cache[file]).toBeUndefined();
  });
});
