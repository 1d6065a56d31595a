import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Artifact } from '../model/artifact.ts';
import { acquireLock, type ReleaseLock } from './lock.ts';
import { MANIFEST_FILE, manifestText, readManifest } from './manifest.ts';
import { NewText } from './new-text.ts';
import { inspectOutputDir, openOutputDir, removeIfCreatedAndEmpty } from './output-dir.ts';
import { planIsEmpty, planWrite, type WritePlan } from './plan.ts';
import { streamArtifact } from './render.ts';
import { Stager, clearWork, commit, finish, hasPendingWrite, journalOf, recover, rollBack, type Recovery, type StepHook } from './transaction.ts';
import { WriteError, describeSystemError, shownPath } from './write-error.ts';

export { WriteError } from './write-error.ts';
export { MANIFEST_FILE } from './manifest.ts';

/**
 * The only code that writes an output directory. infermon owns the files its manifest names and nothing
 * else: it replaces or removes only those, refuses to overwrite a file it did not write, and applies each
 * write as a journalled transaction (see transaction.ts), so a failure leaves the previous tree and a crash
 * is undone or completed by the next run.
 */
export interface WriteOptions {
  /** Take over files at the paths infermon generates even when it did not write them. */
  adopt?: boolean;
  /** Called before every step that changes the disk. */
  beforeStep?: StepHook;
}

export interface WriteResult {
  /** Files infermon owns in the directory after the write. */
  files: number;
  written: number;
  removed: number;
  /** Existing files infermon took over. */
  adopted: number;
  /** What an interrupted earlier write needed before this one could start. */
  recovered: Recovery;
  /** Set when the new tree is in place but tidying up failed; the next run finishes it. */
  cleanupProblem?: string;
}

function failed(outDir: string, err: unknown, outcome: string): WriteError {
  if (err instanceof WriteError) return err;
  return new WriteError(`could not write ${shownPath(outDir)}: ${describeSystemError(err)}; ${outcome}`);
}

function withLock<T>(outDir: string, created: boolean, work: () => T): T {
  let release: ReleaseLock;
  try {
    release = acquireLock(outDir);
  } catch (err) {
    removeIfCreatedAndEmpty(outDir, created);
    throw failed(outDir, err, 'nothing was changed');
  }
  let succeeded = false;
  try {
    const result = work();
    succeeded = true;
    return result;
  } finally {
    try {
      release();
    } catch {
      // a lock that cannot be removed names a process that is about to exit: the next run takes it over
    }
    if (!succeeded) removeIfCreatedAndEmpty(outDir, created);
  }
}

export function writeTree(outDir: string, artifacts: readonly Artifact[], options: WriteOptions = {}): WriteResult {
  const step = options.beforeStep ?? (() => {});
  const { created } = openOutputDir(outDir);
  return withLock(outDir, created, () => {
    const recovered = recoverOrExplain(outDir, step);
    const stager = new Stager(outDir, step);
    let plan: WritePlan;
    try {
      plan = planWrite(outDir, artifacts, options, (path, mode) => stager.file(path, mode));
      if (!planIsEmpty(plan)) stager.finish(plan);
    } catch (err) {
      stager.release();
      if (!stager.begun) throw failed(outDir, err, 'nothing was changed');
      // Nothing outside the work folder has been touched yet.
      try {
        clearWork(outDir, () => {});
      } catch {
        // the next run clears it
      }
      throw failed(outDir, err, 'the previous files are unchanged');
    }
    stager.release();
    const result: WriteResult = { files: artifacts.length, written: 0, removed: 0, adopted: plan.adopted.length, recovered };
    if (planIsEmpty(plan)) return result;
    const journal = journalOf(plan);
    try {
      commit(outDir, journal, step);
    } catch (err) {
      try {
        rollBack(outDir, journal);
      } catch (undoErr) {
        throw new WriteError(
          `could not write ${shownPath(outDir)}: ${describeSystemError(err)}; restoring the previous files failed too (${describeSystemError(undoErr)}); the next infermon run restores them`,
        );
      }
      throw failed(outDir, err, 'the previous files are unchanged');
    }
    result.written = plan.replace.length + plan.create.length;
    result.removed = plan.remove.length;
    try {
      finish(outDir, journal, step);
    } catch (err) {
      result.cleanupProblem = `the new files are in place, but tidying up failed (${describeSystemError(err)}); the next infermon run finishes it`;
    }
    return result;
  });
}

function recoverOrExplain(outDir: string, step: StepHook): Recovery {
  try {
    return recover(outDir, step);
  } catch (err) {
    throw new WriteError(
      `${shownPath(outDir)} holds an interrupted write that could not be undone: ${describeSystemError(err)}; fix that and run infermon again`,
    );
  }
}

/** Finishes or undoes an interrupted write in `outDir` without writing anything new. */
export function recoverTree(outDir: string, options: Pick<WriteOptions, 'beforeStep'> = {}): Recovery {
  if (inspectOutputDir(outDir) === 'missing') return 'none';
  return withLock(outDir, false, () => recoverOrExplain(outDir, options.beforeStep ?? (() => {})));
}

export interface TreeDiff {
  added: string[];
  changed: string[];
  removed: string[];
  /** An interrupted write waits in the directory; the next `generate` undoes or completes it. */
  interrupted: boolean;
}

function bytesAt(file: string): Buffer | undefined {
  try {
    return statSync(file).isFile() ? readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What `writeTree` would change among the files infermon owns, for `generate --check`: generated files
 * missing or different, owned files no longer generated, and the manifest itself. Other files are ignored.
 */
export function diffTree(outDir: string, artifacts: readonly Artifact[]): TreeDiff {
  try {
    return compareTree(outDir, artifacts);
  } catch (err) {
    if (err instanceof WriteError) throw err;
    throw new WriteError(`could not read ${shownPath(outDir)}: ${describeSystemError(err)}`);
  }
}

function compareTree(outDir: string, artifacts: readonly Artifact[]): TreeDiff {
  inspectOutputDir(outDir);
  const owned = new Set(readManifest(outDir)?.keys() ?? []);
  const diff: TreeDiff = { added: [], changed: [], removed: [], interrupted: hasPendingWrite(outDir) };
  const hashes = new Map<string, string>();
  const compare = (path: string, serialise: (text: NewText) => void) => {
    const bytes = bytesAt(join(outDir, path));
    const text = new NewText(bytes);
    serialise(text);
    const { hash, same } = text.finish();
    if (!bytes) diff.added.push(path);
    else if (!same) diff.changed.push(path);
    owned.delete(path);
    return hash;
  };
  for (const a of artifacts) hashes.set(a.path, compare(a.path, (text) => streamArtifact(a, text)));
  const manifest = manifestText(hashes);
  compare(MANIFEST_FILE, (text) => text.write(manifest));
  diff.removed = [...owned].filter((p) => bytesAt(join(outDir, p)) !== undefined).sort();
  return diff;
}

/** Every file under `dir`, relative and sorted. */
export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const rel = prefix ? `${prefix}/${entry}` : entry;
    if (statSync(join(dir, entry)).isDirectory()) out.push(...listFiles(join(dir, entry), rel));
    else out.push(rel);
  }
  return out;
}
