import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WriteError, shownPath } from './write-error.ts';

/**
 * The record of what infermon owns in an output directory: every file it wrote, with a hash of its bytes.
 * Only files named here are ever replaced or removed; the rest of the directory belongs to its user.
 * The manifest is committed with the output, so ownership survives a fresh clone.
 */
export const MANIFEST_FILE = '.infermon-manifest.json';

/** Names infermon keeps for itself at the top of an output directory; never an artifact, never a user file. */
export const BOOKKEEPING_PREFIX = '.infermon-';

export type Manifest = ReadonlyMap<string, string>;

/** Whether `bytes` hold exactly the UTF-8 of the text given in consecutive chunks. */
export function holdsChunks(bytes: Buffer, chunks: readonly string[]): boolean {
  let at = 0;
  for (const chunk of chunks) {
    const encoded = Buffer.from(chunk, 'utf8');
    if (!bytes.subarray(at, at + encoded.length).equals(encoded)) return false;
    at += encoded.length;
  }
  return at === bytes.length;
}

/** The manifest text for the files written, by path with the hash of their bytes: sorted, one file per line, so diffs in review stay readable. */
export function manifestText(hashes: ReadonlyMap<string, string>): string {
  const files = Object.fromEntries([...hashes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const about = 'Files infermon generated in this directory. It replaces or removes only these; everything else here is left alone.';
  return `${JSON.stringify({ about, files }, null, 2)}\n`;
}

/** A path the manifest may name: relative, normalised, inside the directory, not one of infermon's own. */
export function isOwnablePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\\') || path.startsWith(BOOKKEEPING_PREFIX)) return false;
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/** The manifest of `outDir`, or undefined when there is none. A damaged manifest is refused, never guessed at. */
export function readManifest(outDir: string): Manifest | undefined {
  const file = join(outDir, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const damaged = () =>
    new WriteError(`${shownPath(file)} is damaged; restore it from version control (or delete it and pass --adopt)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw damaged();
  }
  const files = (parsed as { files?: unknown } | null)?.files;
  if (typeof files !== 'object' || files === null || Array.isArray(files)) throw damaged();
  const manifest = new Map<string, string>();
  for (const [path, hash] of Object.entries(files)) {
    if (!isOwnablePath(path) || typeof hash !== 'string') throw damaged();
    manifest.set(path, hash);
  }
  return manifest;
}
