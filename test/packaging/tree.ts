import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Folders a scaffold leaves to npm and to `infermon generate`. */
const NOT_SCAFFOLDED = new Set(['node_modules', 'out']);

/** Every file a scaffold holds, with its content, by `/`-separated path. */
export function treeSnapshot(dir: string, prefix = ''): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = `${prefix}${entry.name}`;
    if (entry.isDirectory()) {
      if (!NOT_SCAFFOLDED.has(rel)) Object.assign(files, treeSnapshot(join(dir, entry.name), `${rel}/`));
    } else {
      files[rel] = readFileSync(join(dir, entry.name), 'utf8');
    }
  }
  return files;
}
