import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { jsonIndent, mergePackageJson } from './package-json.ts';

/** One file of a scaffold. `package.json` is completed when it exists; every other file only ever created. */
export interface ScaffoldFile {
  /** Relative to the scaffolded directory, `/`-separated. */
  path: string;
  text: string;
  completesPackageJson?: boolean;
}

export interface WriteOutcome {
  path: string;
  status: 'created' | 'kept' | 'completed';
  /** What was added to a completed file, or why an existing one was left alone. */
  detail?: string;
}

/** Creates the file unless something is at its path; the `wx` flag makes the check and the write one step. */
function createFile(root: string, file: ScaffoldFile): WriteOutcome {
  const full = join(root, file.path);
  mkdirSync(dirname(full), { recursive: true });
  try {
    writeFileSync(full, file.text, { flag: 'wx' });
    return { path: file.path, status: 'created' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { path: file.path, status: 'kept' };
    throw err;
  }
}

function completePackageJson(root: string, file: ScaffoldFile): WriteOutcome {
  const full = join(root, file.path);
  if (!existsSync(full)) return createFile(root, file);
  const text = readFileSync(full, 'utf8');
  let existing: unknown;
  try {
    existing = JSON.parse(text);
  } catch {
    return { path: file.path, status: 'kept', detail: 'not valid JSON, left as it is' };
  }
  if (typeof existing !== 'object' || existing === null || Array.isArray(existing))
    return { path: file.path, status: 'kept', detail: 'not a JSON object, left as it is' };
  const { merged, added } = mergePackageJson(existing as Record<string, unknown>, JSON.parse(file.text) as Record<string, unknown>);
  if (added.length === 0) return { path: file.path, status: 'kept' };
  writeFileSync(full, `${JSON.stringify(merged, null, jsonIndent(text))}\n`);
  return { path: file.path, status: 'completed', detail: `added ${added.join(', ')}` };
}

/** Writes what is missing of the scaffold under `root`; nothing that exists is replaced. */
export function writeScaffold(root: string, files: readonly ScaffoldFile[]): WriteOutcome[] {
  return files.map((file) => (file.completesPackageJson ? completePackageJson(root, file) : createFile(root, file)));
}
