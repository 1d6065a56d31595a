import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { evaluationError, importBundled, type ImportedSpec } from '../../src/model/import-specs.ts';
import { projectCacheDir } from '../../src/model/spec-bundle-cache.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { FIXTURE_ROOT } from '../support/spec-fixture.ts';

/**
 * The compiled CLI bundles the spec files with esbuild and keeps the bundle in node_modules/.cache. A
 * kept bundle is used only while everything it was built from is unchanged. Each test plants a marker
 * in the kept bundle: a load that returns the marker took the bundle from the cache, one that returns
 * the specs' real values bundled them again.
 */

const MARKER = 'export const f0 = { value: "from the cache" };';

const made: string[] = [];

afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

interface Fixture {
  dir: string;
  cacheDir: string;
  files: string[];
}

function fixture(): Fixture {
  mkdirSync(FIXTURE_ROOT, { recursive: true });
  const dir = mkdtempSync(join(FIXTURE_ROOT, 'bundle-cache-'));
  mkdirSync(join(dir, 'specs'));
  writeFileSync(join(dir, 'specs', 'shared.ts'), 'export const base = 1;\n');
  writeFileSync(
    join(dir, 'specs', 'a.ts'),
    "import { base } from './shared.ts';\nimport { stringify } from 'yaml';\nexport const value: string = stringify({ base }).trim();\n",
  );
  const cacheDir = mkdtempSync(join(tmpdir(), 'infermon-cache-'));
  made.push(dir, cacheDir);
  return { dir, cacheDir, files: [join(dir, 'specs', 'a.ts')] };
}

/** Writes spec files (name → source) beside the fixture's; returns the spec folder. */
function addSpecs(f: Fixture, sources: Record<string, string>): string {
  const specs = join(f.dir, 'specs');
  for (const [name, source] of Object.entries(sources)) writeFileSync(join(specs, name), source);
  return specs;
}

function cacheEntry(f: Fixture): string {
  const [entry, ...more] = readdirSync(f.cacheDir);
  expect(more).toEqual([]);
  return join(f.cacheDir, entry!);
}

/** Replaces the kept bundle's code with the marker, leaving what it records as it was. */
function plantMarker(f: Fixture): void {
  const path = cacheEntry(f);
  const entry = JSON.parse(readFileSync(path, 'utf8')) as { code: string };
  writeFileSync(path, JSON.stringify({ ...entry, code: MARKER }));
}

function valueOf(imported: ImportedSpec[]): unknown {
  const [first] = imported;
  if (!first || 'error' in first) throw new Error(`load failed: ${JSON.stringify(first)}`);
  return first.module.value;
}

describe('the spec bundle cache', () => {
  it('keeps the bundle and uses it while nothing changed, however often the files are touched', async () => {
    const f = fixture();
    expect(valueOf(await importBundled(f.files, f.cacheDir))).toBe('base: 1');
    plantMarker(f);
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(f.dir, 'specs', 'shared.ts'), later, later);
    expect(valueOf(await importBundled(f.files, f.cacheDir))).toBe('from the cache');
  });

  it('bundles again when a spec file changes', async () => {
    const f = fixture();
    await importBundled(f.files, f.cacheDir);
    plantMarker(f);
    writeFileSync(f.files[0]!, "export const value = 'edited';\n");
    expect(valueOf(await importBundled(f.files, f.cacheDir))).toBe('edited');
  });

  it('bundles again when a file the specs import changes', async () => {
    const f = fixture();
    await importBundled(f.files, f.cacheDir);
    plantMarker(f);
    writeFileSync(join(f.dir, 'specs', 'shared.ts'), 'export const base = 2;\n');
    expect(valueOf(await importBundled(f.files, f.cacheDir))).toBe('base: 2');
    // The fresh bundle is kept in turn.
    plantMarker(f);
    expect(valueOf(await importBundled(f.files, f.cacheDir))).toBe('from the cache');
  });

  it('bundles again when a tsconfig.json appears beside the specs', async () => {
    const f = fixture();
    await importBundled(f.files, f.cacheDir);
    plantMarker(f);
    writeFileSync(join(f.dir, 'specs', 'tsconfig.json'), '{}\n');
    expect(valueOf(await importBundled(f.files, f.cacheDir))).toBe('base: 1');
  });

  it('bundles again for another list of spec files', async () => {
    const f = fixture();
    await importBundled(f.files, f.cacheDir);
    plantMarker(f);
    writeFileSync(join(f.dir, 'specs', 'b.ts'), 'export const other = 1;\n');
    const both = [f.files[0]!, join(f.dir, 'specs', 'b.ts')];
    expect(valueOf(await importBundled(both, f.cacheDir))).toBe('base: 1');
  });

  it('bundles again when the package version, or where a package import resolves, differs from the kept bundle', async () => {
    const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const change of [
      (entry: { salt: string }) => ({ ...entry, salt: entry.salt.replace(`"infermon":"${version}"`, '"infermon":"0.0.0-older"') }),
      (entry: { externals: Array<{ resolved: string }> }) => ({ ...entry, externals: entry.externals.map((e) => ({ ...e, resolved: `${e.resolved}.moved` })) }),
    ]) {
      const f = fixture();
      await importBundled(f.files, f.cacheDir);
      plantMarker(f);
      const path = cacheEntry(f);
      const entry = JSON.parse(readFileSync(path, 'utf8')) as { salt: string; externals: Array<{ resolved: string }> };
      const changed = change(entry);
      expect(changed).not.toEqual(entry);
      writeFileSync(path, JSON.stringify(changed));
      expect(valueOf(await importBundled(f.files, f.cacheDir))).toBe('base: 1');
    }
  });

  it('loads the specs when the cache cannot be written', async () => {
    const f = fixture();
    const blocked = join(f.cacheDir, 'a-file');
    writeFileSync(blocked, '');
    expect(valueOf(await importBundled(f.files, join(blocked, 'cache')))).toBe('base: 1');
  });

  it('lives in node_modules/.cache/infermon of a project that has node_modules, nowhere otherwise', () => {
    expect(projectCacheDir(PROJECT_ROOT)).toBe(join(PROJECT_ROOT, 'node_modules', '.cache', 'infermon'));
    const bare = mkdtempSync(join(tmpdir(), 'infermon-no-modules-'));
    made.push(bare);
    expect(projectCacheDir(bare)).toBeUndefined();
  });
});

describe('a bundled spec file that throws while it runs', () => {
  it('is named with the line it threw on, read from the stack through the bundle\'s source map', async () => {
    const f = fixture();
    const broken = join(f.dir, 'specs', 'broken.ts');
    writeFileSync(join(f.dir, 'specs', 'checks.ts'), 'export function check(n: number): number {\n  if (n > 0) throw new Error(`no spec for ${n}`);\n  return n;\n}\n');
    writeFileSync(broken, "import { base } from './shared.ts';\nimport { check } from './checks.ts';\n\nexport const value = check(base);\n");
    const files = [f.files[0]!, broken];
    expect(plain(await importBundled(files, f.cacheDir))).toEqual([{ file: f.files[0], module: { value: 'base: 1' } }, { file: broken, error: 'no spec for 1', line: 4 }]);
    // The stack as Node writes it for the bundle, which the test runner would otherwise map itself.
    const { code } = JSON.parse(readFileSync(cacheEntry(f), 'utf8')) as { code: string };
    const bundle = { file: join(tmpdir(), 'infermon-specs-test', 'specs.mjs'), code };
    const at = (text: string) => {
      const lines = code.split('\n');
      const line = lines.findIndex((l) => l.includes(text));
      return `${pathToFileURL(bundle.file).href}:${line + 1}:${lines[line]!.indexOf(text) + 1}`;
    };
    const err = new Error('no spec for 1');
    err.stack = `Error: no spec for 1\n    at check (${at('throw new Error')})\n    at ${at('check(base)')}\n    at ModuleJob.run (node:internal/modules/esm/module_job:234:25)`;
    expect(evaluationError(files, err, [bundle])).toEqual([{ file: broken, error: 'no spec for 1', line: 4 }]);
  });
});

/** Imported modules as plain objects, to compare with literals. */
function plain(imported: readonly ImportedSpec[]): unknown[] {
  return imported.map((i) => ('module' in i ? { file: i.file, module: { ...i.module } } : i));
}

const IMPORT_SPECS = join(PROJECT_ROOT, 'src', 'model', 'import-specs.ts');

/**
 * `importBundled` in a Node process of its own: the test runner's module loader has no link step, so a
 * missing export would never fail under it.
 */
function importedByNode(files: readonly string[]): unknown[] {
  const script = `const { importBundled } = await import(${JSON.stringify(pathToFileURL(IMPORT_SPECS).href)});
const imported = await importBundled(${JSON.stringify(files)});
process.stdout.write(JSON.stringify(imported.map((i) => ('module' in i ? { file: i.file, module: { ...i.module } } : i))));`;
  return JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' })) as unknown[];
}

describe('spec files whose bundle does not run', () => {
  it('blame the file and line that import a name its module lacks, and the other files load', async () => {
    const f = fixture();
    const broken = join(f.dir, 'specs', 'slos', 'broken.ts');
    const later = join(f.dir, 'specs', 'z-later.ts');
    mkdirSync(join(f.dir, 'specs', 'slos'));
    writeFileSync(broken, "import { join } from 'node:path';\nimport {\n  basename,\n  notInPath,\n} from 'node:path';\nexport const value = [join, basename, notInPath].length;\n");
    writeFileSync(later, 'export const value = 2;\n');
    expect(importedByNode([f.files[0]!, broken, later])).toEqual([
      { file: f.files[0], module: { value: 'base: 1' } },
      { file: broken, error: expect.stringContaining("does not provide an export named 'notInPath'"), line: 4 },
      { file: later, module: { value: 2 } },
    ]);
  });

  it('report a module that throws once, on its own line, however many files import it; modules they share run once', async () => {
    const f = fixture();
    const specs = addSpecs(f, {
      'thrower.ts': "export const size = 1;\nthrow new Error('thrower is broken');\n",
      'one.ts': "import { size } from './thrower.ts';\nexport const value = size;\n",
      'two.ts': "import { size } from './thrower.ts';\nexport const value = size + 1;\n",
      'objects.ts': 'export const shared = { runs: Math.random() };\n',
      'x.ts': "import { shared } from './objects.ts';\nexport const fromX = shared;\n",
      'y.ts': "import { shared } from './objects.ts';\nexport const fromY = shared;\n",
    });
    const files = ['one.ts', 'thrower.ts', 'two.ts', 'x.ts', 'y.ts'].map((name) => join(specs, name));
    const imported = await importBundled(files, f.cacheDir);
    expect(imported.filter((i) => 'error' in i)).toEqual([{ file: join(specs, 'thrower.ts'), error: 'thrower is broken', line: 2 }]);
    const modules = new Map(imported.flatMap((i) => ('module' in i ? [[i.file, i.module] as const] : [])));
    expect([...modules.keys()]).toEqual([join(specs, 'x.ts'), join(specs, 'y.ts')]);
    expect(modules.get(join(specs, 'x.ts'))!.fromX).toBe(modules.get(join(specs, 'y.ts'))!.fromY);
    expect(importedByNode(files)).toEqual([
      { file: join(specs, 'thrower.ts'), error: 'thrower is broken', line: 2 },
      { file: join(specs, 'x.ts'), module: { fromX: { runs: expect.any(Number) } } },
      { file: join(specs, 'y.ts'), module: { fromY: { runs: expect.any(Number) } } },
    ]);
  });

  it('report every file that does not compile on its line, leave out the files importing one, and load the rest', async () => {
    const f = fixture();
    const specs = addSpecs(f, {
      'typo.ts': 'export const size = 1;\nexport const oops = {;\n',
      'uses-typo.ts': "import { size } from './typo.ts';\nexport const value = size;\n",
      'unclosed.ts': 'export const value = [1, 2;\n',
      'missing.ts': "import { nothing } from './no-such-file.ts';\nexport const value = nothing;\n",
    });
    const files = ['a.ts', 'missing.ts', 'typo.ts', 'unclosed.ts', 'uses-typo.ts'].map((name) => join(specs, name));
    const imported = plain(await importBundled(files, f.cacheDir));
    expect(imported.filter((i) => 'error' in (i as object))).toEqual([
      { file: join(specs, 'missing.ts'), error: expect.stringContaining('no-such-file.ts'), line: 1 },
      { file: join(specs, 'typo.ts'), error: expect.any(String), line: 2 },
      { file: join(specs, 'unclosed.ts'), error: expect.any(String), line: 1 },
    ]);
    expect(imported.filter((i) => 'module' in (i as object))).toEqual([{ file: f.files[0], module: { value: 'base: 1' } }]);
  });
});
