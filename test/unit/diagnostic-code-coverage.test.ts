import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/paths.ts';

/**
 * Every diagnostic code the checks can emit is named by some test: a code added to src/ or generators/
 * without a test that produces it fails here.
 */

const AREAS = ['promql', 'rule', 'catalog', 'spec', 'slo', 'wiring', 'route', 'logs', 'logql', 'dashboard', 'kubernetes'];
const CODE_LITERAL = new RegExp(`(['"])((?:${AREAS.join('|')})/[a-z0-9]+(?:-[a-z0-9]+)*)\\1`, 'g');

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const full = join(dir, entry);
      return statSync(full).isDirectory() ? filesUnder(full) : [full];
    });
}

/** Code → the source files that emit it. */
function emittedCodes(): Map<string, string[]> {
  const codes = new Map<string, string[]>();
  for (const dir of ['src', 'generators'])
    for (const file of filesUnder(join(PROJECT_ROOT, dir)).filter((f) => f.endsWith('.ts')))
      for (const match of readFileSync(file, 'utf8').matchAll(CODE_LITERAL)) {
        const code = match[2]!;
        codes.set(code, [...(codes.get(code) ?? []), relative(PROJECT_ROOT, file)]);
      }
  return codes;
}

const self = fileURLToPath(import.meta.url);
const testTexts = filesUnder(join(PROJECT_ROOT, 'test'))
  .filter((file) => file !== self)
  .map((file) => readFileSync(file, 'utf8'));

describe('diagnostic codes', () => {
  const codes = emittedCodes();

  it('are found in the checks', () => {
    expect(codes.size).toBeGreaterThan(50);
    expect([...codes.keys()]).toContain('promql/unknown-metric');
    expect([...codes.keys()]).toContain('route/unrouted-alert');
  });

  it('each appear in a test', () => {
    const named = (code: string) => new RegExp(`(?<![\\w/-])${code}(?![\\w-])`);
    const untested = [...codes]
      .filter(([code]) => !testTexts.some((text) => named(code).test(text)))
      .map(([code, files]) => `${code} (${[...new Set(files)].join(', ')})`);
    expect(untested, 'codes no file under test/ names').toEqual([]);
  });
});
