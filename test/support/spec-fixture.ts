import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './paths.ts';

const real = (rel: string) => JSON.stringify(join(PROJECT_ROOT, rel));

/**
 * A throw-away spec directory: the real stack and catalog (re-exported, so nothing is copied) plus the
 * files a test supplies. `src(rel)` gives an absolute import specifier for a repo module.
 */
export function specFixture(files: Record<string, string>, options: { withCatalog?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'infermon-specs-'));
  writeFileSync(join(dir, 'stack.ts'), `export { stack } from ${real('specs/stack.ts')};\n`);
  if (options.withCatalog ?? true) {
    mkdirSync(join(dir, 'catalog'));
    for (const f of readdirSync(join(PROJECT_ROOT, 'specs', 'catalog')).filter((f) => f.endsWith('.ts')))
      writeFileSync(join(dir, 'catalog', f), `export * from ${real(`specs/catalog/${f}`)};\n`);
  }
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return dir;
}

export function src(rel: string): string {
  return real(rel);
}
