import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './paths.ts';

const real = (rel: string) => JSON.stringify(join(PROJECT_ROOT, rel));

/** Inside the package, so spec files there import `'infermon'` as a user's specs do (git-ignored). */
export const FIXTURE_ROOT = join(PROJECT_ROOT, '.tmp');

/**
 * A throw-away spec directory: the real stack and sources (re-exported, so nothing is copied) plus the
 * files a test supplies. `src(rel)` gives an absolute import specifier for a repo module.
 */
export function specFixture(files: Record<string, string>, options: { withCatalog?: boolean } = {}): string {
  mkdirSync(FIXTURE_ROOT, { recursive: true });
  const dir = mkdtempSync(join(FIXTURE_ROOT, 'specs-'));
  writeFileSync(join(dir, 'stack.ts'), `export { stack } from ${real('specs/stack.ts')};\n`);
  if (options.withCatalog ?? true) writeFileSync(join(dir, 'sources.ts'), `export * from ${real('specs/sources.ts')};\n`);
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return dir;
}

export function src(rel: string): string {
  return real(rel);
}
