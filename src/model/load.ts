import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { Diagnostics, dotPath, type Diagnostic } from './diagnostics.ts';
import { importSpecFiles, type ImportedSpec } from './import-specs.ts';
import { projectCacheDir } from './spec-bundle-cache.ts';
import { describeIssues } from './schema-issues.ts';
import { forgetValidated } from './validated-once.ts';
import { noSalvagedSpecs, salvageDeclaration } from './salvage.ts';
import { codeOnly, lineOfPath, pathParts } from './spec-lines.ts';
import { SPEC_KINDS, isSpecDeclaration, type RejectedOptions, type SpecKind, type SpecOutput } from './spec.ts';
import type { Located, SalvagedSpecs, SpecsByKind } from './model.ts';

export interface LoadedSpecs {
  specs: SpecsByKind;
  /** What is valid on its own in the declarations that failed their schema. */
  salvaged: SalvagedSpecs;
  diagnostics: Diagnostics;
}

/** Every `.ts` file under `dir`, sorted so load order (and so output) never depends on the file system. */
function specFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...specFiles(full));
    else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** Why `dir` cannot be read as a spec directory, in a few words, or undefined when it can. */
export function specDirectoryProblem(dir: string): string | undefined {
  try {
    if (!statSync(dir).isDirectory()) return 'not a directory';
    readdirSync(dir);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'no such directory';
    if (code === 'EACCES' || code === 'EPERM') return `cannot be read (${code})`;
    return (err as Error).message.split('\n')[0];
  }
}

function emptySpecs(): SpecsByKind {
  return Object.fromEntries(Object.keys(SPEC_KINDS).map((k) => [k, []])) as unknown as SpecsByKind;
}

const DEFINE_CALL = /\bdefine[A-Z]\w*\s*\(/;

/** A spec file that exports nothing infermon recognises is almost always a forgotten `export`. */
function warnNothingExported(diagnostics: Diagnostics, file: string, text: string): void {
  const call = DEFINE_CALL.exec(codeOnly(text));
  const at = { file, path: '', ...(call ? { line: text.slice(0, call.index).split('\n').length } : {}) };
  if (call) {
    const name = call[0].replace(/\s*\($/, '');
    diagnostics.warning('spec/nothing-exported', at, `the file calls \`${name}\` but exports no spec, so infermon ignores it`, `export the result: \`export const name = ${name}({...})\``);
  } else {
    diagnostics.warning('spec/nothing-exported', at, 'the file exports no infermon spec, so infermon ignores it', 'export a value made by a `define*` function, or move the file out of the spec directory');
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * zod compiles a fast path for each object schema the first time it validates with it: some 40 ms for the
 * spec schemas, won back only when thousands of values go through them. The example platform's few
 * dozen specs validate faster without; ten thousand served models with.
 */
const COMPILED_VALIDATION_FROM = 1_000;

function declarationCount(modules: readonly ImportedSpec[]): number {
  let count = 0;
  for (const imported of modules) if ('module' in imported) for (const value of Object.values(imported.module)) if (isSpecDeclaration(value)) count++;
  return count;
}

export const SPEC_LOAD_FAILED = 'spec/load-failed';

/** A bundled factory's rejected options, each at the option as written in the factory's call. */
function reportRejectedOptions(diagnostics: Diagnostics, rejected: RejectedOptions, at: { file: string; exportName: string; text: string }): void {
  for (const problem of rejected.problems) {
    const parts = problem.path.map((p) => (typeof p === 'number' ? p : String(p)));
    const line = lineOfPath(at.text, [at.exportName, ...parts]) ?? lineOfPath(at.text, [at.exportName]);
    const path = dotPath(at.exportName, problem.path);
    diagnostics.error('spec/invalid-option', { file: at.file, path, ...(line ? { line } : {}) }, `${rejected.factory}: ${problem.message}`, problem.fix);
  }
}

/**
 * Imports every spec file and validates each exported declaration against its kind's schema. Schema
 * problems become `spec/invalid` diagnostics with the file, the dotted path and the line; nothing throws.
 */
export async function loadSpecs(specDir: string, projectRoot: string): Promise<LoadedSpecs> {
  const diagnostics = new Diagnostics();
  const specs = emptySpecs();
  const salvaged = noSalvagedSpecs();
  const dirProblem = specDirectoryProblem(specDir);
  if (dirProblem) {
    const rel = relative(projectRoot, specDir).split(sep).join('/') || '.';
    diagnostics.error('spec/no-spec-directory', { file: rel, path: '' }, `the spec directory ${rel}: ${dirProblem}`, 'point --specs at the directory holding your spec files');
    return { specs, salvaged, diagnostics };
  }
  const modules = await importSpecFiles(specFiles(specDir), { cacheDir: projectCacheDir(projectRoot) });
  const jitless = declarationCount(modules) < COMPILED_VALIDATION_FROM;
  forgetValidated();
  for (const imported of modules) {
    const rel = relative(projectRoot, imported.file).split(sep).join('/');
    if ('error' in imported) {
      diagnostics.error(
        SPEC_LOAD_FAILED,
        { file: rel, path: '', ...(imported.line ? { line: imported.line } : {}) },
        `the spec file could not be loaded: ${imported.error}`,
        'fix the error in the spec file (`npx tsc --noEmit` type-checks the specs)',
      );
      continue;
    }
    const { module } = imported;
    const text = readText(imported.file);
    let recognised = 0;
    for (const [exportName, value] of Object.entries(module).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!isSpecDeclaration(value)) continue;
      recognised++;
      if (value.rejectedOptions) {
        reportRejectedOptions(diagnostics, value.rejectedOptions, { file: rel, exportName, text });
        continue;
      }
      const kind = value.kind as SpecKind;
      const schema = SPEC_KINDS[kind];
      const parsed = schema.safeParse(value.spec, { jitless });
      if (!parsed.success) {
        for (const problem of describeIssues(parsed.error.issues, value.spec, schema)) {
          const line = lineOfPath(text, [exportName, ...problem.path.map((p) => (typeof p === 'number' ? p : String(p)))]);
          const path = dotPath(exportName, problem.path);
          diagnostics.error('spec/invalid', { file: rel, path, ...(line ? { line } : {}) }, problem.message, problem.fix);
        }
        salvageDeclaration(salvaged, value, { file: rel, root: exportName }, jitless);
        continue;
      }
      (specs[kind] as Array<Located<SpecOutput<typeof kind>>>).push({ value: parsed.data as never, file: rel, root: exportName });
    }
    if (recognised === 0) warnNothingExported(diagnostics, rel, text);
  }
  return { specs, salvaged, diagnostics };
}

/** Points each diagnostic that has none at the line its path is written on, where that can be found. */
export function addSpecLines(items: readonly Diagnostic[], projectRoot: string): void {
  const texts = new Map<string, string>();
  for (const d of items) {
    if (d.line !== undefined || d.path === '') continue;
    if (!texts.has(d.file)) texts.set(d.file, readText(join(projectRoot, d.file)));
    const line = lineOfPath(texts.get(d.file)!, pathParts(d.path));
    if (line !== undefined) d.line = line;
  }
}
