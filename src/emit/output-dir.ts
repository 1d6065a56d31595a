import { lstatSync, mkdirSync, readlinkSync, rmdirSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { WriteError, describeSystemError, shownPath } from './write-error.ts';

/**
 * Whether an output path exists as a directory (or a symlink to one); a file, or a link to nothing or to a
 * file, is refused with a message naming it.
 */
export function inspectOutputDir(outDir: string): 'missing' | 'directory' {
  let stats;
  try {
    stats = lstatSync(outDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw new WriteError(`cannot use ${shownPath(outDir)} as the output directory: ${describeSystemError(err)}`);
  }
  if (stats.isSymbolicLink()) {
    const target = readlinkSync(outDir);
    let targetStats;
    try {
      targetStats = statSync(outDir);
    } catch {
      throw new WriteError(`${shownPath(outDir)} is a symlink to ${target}, which does not exist; create that directory or point --out elsewhere`);
    }
    if (!targetStats.isDirectory()) throw new WriteError(`${shownPath(outDir)} is a symlink to ${target}, which is not a directory`);
    return 'directory';
  }
  if (!stats.isDirectory()) throw new WriteError(`${shownPath(outDir)} is a file, not a directory; point --out at a directory`);
  return 'directory';
}

/**
 * Makes sure the output directory exists. An existing one is used as it is: its mode, owner and, for a
 * symlink, the link itself stay. Returns whether it was created, so a failed first run can take the empty
 * folder away again.
 */
export function openOutputDir(outDir: string): { created: boolean } {
  if (inspectOutputDir(outDir) === 'directory') return { created: false };
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (err) {
    throw new WriteError(`cannot create the output directory ${shownPath(outDir)}: ${describeSystemError(err)}`);
  }
  return { created: true };
}

/** Removes an output directory this run created, if it is still empty. */
export function removeIfCreatedAndEmpty(outDir: string, created: boolean): void {
  if (!created) return;
  try {
    rmdirSync(outDir);
  } catch {
    // not empty, or already gone: leave it
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Why `outDir` must not receive files generated from `specDir`, or undefined when it may. The output may
 * not be the spec directory or lie inside it, and no generated file may land among the specs.
 */
export function outputOverlapsInputs(outDir: string, specDir: string, artifactPaths: readonly string[]): string | undefined {
  const out = resolve(outDir);
  const specs = resolve(specDir);
  if (isInside(out, specs))
    return `the output directory ${shownPath(out)} is ${out === specs ? 'the spec directory' : `inside the spec directory ${shownPath(specs)}`}; write the output elsewhere`;
  const landing = artifactPaths.find((p) => isInside(resolve(out, p), specs));
  if (landing) return `writing to ${shownPath(out)} would put ${landing} inside the spec directory ${shownPath(specs)}; write the output elsewhere`;
  return undefined;
}
