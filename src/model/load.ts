import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { Diagnostics, dotPath } from './diagnostics.ts';
import { importSpecFiles } from './import-specs.ts';
import { SPEC_KINDS, isSpecDeclaration, type SpecKind, type SpecOutput } from './spec.ts';
import type { Located, SpecsByKind } from './model.ts';

export interface LoadedSpecs {
  specs: SpecsByKind;
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

function emptySpecs(): SpecsByKind {
  return Object.fromEntries(Object.keys(SPEC_KINDS).map((k) => [k, []])) as unknown as SpecsByKind;
}

/**
 * Imports every spec file and validates each exported declaration against its kind's schema. Schema
 * problems become `spec/invalid` diagnostics with the file and dotted path; nothing throws.
 */
export async function loadSpecs(specDir: string, projectRoot: string): Promise<LoadedSpecs> {
  const diagnostics = new Diagnostics();
  const specs = emptySpecs();
  for (const imported of await importSpecFiles(specFiles(specDir))) {
    const rel = relative(projectRoot, imported.file).split(sep).join('/');
    if ('error' in imported) {
      const at = imported.line ? ` (line ${imported.line})` : '';
      diagnostics.error(
        'spec/load-failed',
        { file: rel, path: '' },
        `the spec file could not be loaded${at}: ${imported.error}`,
        'fix the TypeScript error (run `npx tsc --noEmit`)',
      );
      continue;
    }
    const { module } = imported;
    for (const [exportName, value] of Object.entries(module).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!isSpecDeclaration(value)) continue;
      const kind = value.kind as SpecKind;
      const parsed = SPEC_KINDS[kind].safeParse(value.spec);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          diagnostics.error(
            'spec/invalid',
            { file: rel, path: dotPath(exportName, issue.path) },
            issue.message,
            `correct \`${dotPath(exportName, issue.path)}\` to match the ${kind} schema`,
          );
        }
        continue;
      }
      (specs[kind] as Array<Located<SpecOutput<typeof kind>>>).push({ value: parsed.data as never, file: rel, root: exportName });
    }
  }
  return { specs, diagnostics };
}
