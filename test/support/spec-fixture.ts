import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './paths.ts';

const real = (rel: string) => JSON.stringify(join(PROJECT_ROOT, rel));

/**
 * Inside the package, so spec files there import `'infermon'` as a user's specs do (git-ignored); a test run
 * names a folder of its own there (see temp-dirs.ts).
 */
export const FIXTURE_ROOT = process.env.INFERMON_TEST_FIXTURES ?? join(PROJECT_ROOT, '.tmp');

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

/**
 * The whole example platform (every spec file re-exported) under a stack that differs from the real one
 * by `overrides`, e.g. rules evaluated above the clusters.
 */
export function examplePlatformFixture(overrides: Record<string, unknown>): string {
  const specsDir = join(PROJECT_ROOT, 'specs');
  const files: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(specsDir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && path !== 'stack.ts' && path !== 'sources.ts') files[path] = `export * from ${real(`specs/${path}`)};\n`;
    }
  };
  walk('');
  const dir = specFixture(files);
  writeFileSync(
    join(dir, 'stack.ts'),
    `import { defineStack } from 'infermon';\nimport { stack as example } from ${real('specs/stack.ts')};\n\n` +
      `export const stack = defineStack({ ...example.spec, ...${JSON.stringify(overrides)} });\n`,
  );
  return dir;
}
