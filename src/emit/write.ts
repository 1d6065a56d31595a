import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Artifact } from '../model/artifact.ts';

/**
 * The only code that writes out/. The whole tree is written into a temporary sibling directory and then
 * swapped in, so a failure at any point leaves the previous out/ exactly as it was, and files no longer
 * produced disappear.
 */
export function writeTree(outDir: string, artifacts: readonly Artifact[]): void {
  const parent = dirname(outDir);
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(join(parent, `.${basename(outDir)}.staging-`));
  try {
    const made = new Set<string>();
    for (const a of artifacts) {
      const file = join(staging, a.path);
      const dir = dirname(file);
      if (!made.has(dir)) {
        mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      writeFileSync(file, a.body);
    }
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  const previous = existsSync(outDir) ? `${staging}.previous` : undefined;
  if (previous) renameSync(outDir, previous);
  try {
    renameSync(staging, outDir);
  } catch (err) {
    if (previous) renameSync(previous, outDir);
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  if (previous) rmSync(previous, { recursive: true, force: true });
}

export interface TreeDiff {
  added: string[];
  changed: string[];
  removed: string[];
}

/** What `writeTree` would change: for `generate --check`. */
export function diffTree(outDir: string, artifacts: readonly Artifact[]): TreeDiff {
  const existing = new Set(existsSync(outDir) ? listFiles(outDir) : []);
  const diff: TreeDiff = { added: [], changed: [], removed: [] };
  for (const a of artifacts) {
    if (!existing.has(a.path)) diff.added.push(a.path);
    else if (readFileSync(join(outDir, a.path), 'utf8') !== a.body) diff.changed.push(a.path);
    existing.delete(a.path);
  }
  diff.removed = [...existing].sort();
  return diff;
}

export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const rel = prefix ? `${prefix}/${entry}` : entry;
    if (statSync(join(dir, entry)).isDirectory()) out.push(...listFiles(join(dir, entry), rel));
    else out.push(rel);
  }
  return out;
}
