import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/paths.ts';
import packageJson from '../../package.json' with { type: 'json' };

/** The example platform is written as a user writes theirs: it proves the public API is enough. */
const SPECS = join(PROJECT_ROOT, 'specs');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry);
    return statSync(full).isDirectory() ? tsFiles(full) : entry.endsWith('.ts') ? [full] : [];
  });
}

/** Subpath patterns of the package's exports, as regexes over `infermon/...` specifiers. */
const PUBLIC = Object.keys(packageJson.exports)
  .filter((key) => key !== './package.json')
  .map((key) => new RegExp(`^${`infermon${key.slice(1)}`.replace(/[.]/g, '\\.').replace('*', '[a-z0-9-]+')}$`));

function isAllowed(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../') ? true : PUBLIC.some((re) => re.test(specifier));
}

describe('specs/ use only the public API', () => {
  const files = tsFiles(SPECS);

  it.each(files.map((f) => relative(PROJECT_ROOT, f)))('%s imports only infermon and its public subpaths', (file) => {
    const full = join(PROJECT_ROOT, file);
    const imports = ts.preProcessFile(readFileSync(full, 'utf8'), true, true).importedFiles.map((i) => i.fileName);
    for (const specifier of imports) {
      expect(isAllowed(specifier), `${file} imports ${specifier}`).toBe(true);
      // A relative import must stay inside specs/: no reaching into the package's sources.
      if (specifier.startsWith('.')) expect(relative(SPECS, join(full, '..', specifier)).startsWith('..'), `${file} imports ${specifier}`).toBe(false);
    }
  });

  it('fails on a deep import', () => {
    expect(isAllowed('infermon/src/model/spec.ts')).toBe(false);
    expect(isAllowed('infermon/catalog/vllm')).toBe(true);
    expect(isAllowed('infermon')).toBe(true);
  });
});
