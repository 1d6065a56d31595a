import { cpSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Everything in a directory: each folder (empty ones too), each file with its bytes, each symlink with its
 * target. Two equal states mean two byte-identical trees, leftovers included.
 */
export function treeState(dir: string): Record<string, string> {
  const state: Record<string, string> = {};
  const walk = (abs: string, rel: string) => {
    for (const entry of readdirSync(abs).sort()) {
      const path = rel ? `${rel}/${entry}` : entry;
      const full = join(abs, entry);
      const stats = lstatSync(full);
      if (stats.isSymbolicLink()) state[path] = `symlink → ${readlinkSync(full)}`;
      else if (stats.isDirectory()) {
        state[`${path}/`] = 'directory';
        walk(full, path);
      } else state[path] = readFileSync(full, 'utf8');
    }
  };
  walk(dir, '');
  return state;
}

/** A fresh copy of `template` in its own temporary folder, at `<tmp>/out`. */
export function copyOf(template: string): string {
  const out = join(mkdtempSync(join(tmpdir(), 'infermon-copy-')), 'out');
  cpSync(template, out, { recursive: true });
  return out;
}

/** Which of the named states `actual` equals, or undefined for none of them. */
export function whichState(actual: Record<string, string>, states: Record<string, Record<string, string>>): string | undefined {
  const text = JSON.stringify(actual);
  return Object.entries(states).find(([, s]) => JSON.stringify(s) === text)?.[0];
}
