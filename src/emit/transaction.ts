import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BOOKKEEPING_PREFIX, MANIFEST_FILE } from './manifest.ts';
import type { StagedFile } from './new-text.ts';
import type { WritePlan } from './plan.ts';
import { StagingThread } from './staging-thread.ts';

/**
 * Applying a write plan so that a crash at any moment can be undone or completed.
 *
 * 1. stage: new files, as the plan finds them changed, and the new manifest are written into a work folder
 *    inside the output directory (so every later move is a rename on one file system);
 * 2. journal: the list of moves is written, then renamed into place: from here on, a restart knows what to undo;
 * 3. swap: each owned file to replace or remove is moved into the work folder, then the staged files move
 *    into place: a new directory with everything staged in it in one move, a file in an existing directory
 *    on its own;
 * 4. commit: the new manifest is renamed over the old one. This single rename is the moment the new tree
 *    becomes the current one;
 * 5. finish: emptied directories are pruned, the journal and then the work folder are deleted.
 *
 * Recovery reads the journal: if the staged manifest has left the work folder, the write committed and only
 * step 5 remains; otherwise every move of step 3 is undone. Both are safe to repeat.
 */
export const WORK_DIR = `${BOOKKEEPING_PREFIX}work`;
const JOURNAL = 'journal.json';
const STAGED = 'staged';
const BACKUP = 'backup';
const NEW_MANIFEST = 'manifest.json';

export interface Journal {
  replace: string[];
  create: string[];
  remove: string[];
  dirs: string[];
}

/** Called with the name of each step before it changes anything on disk; tests fail or kill the writer there. */
export type StepHook = (step: string) => void;

export function journalOf(plan: WritePlan): Journal {
  return { replace: plan.replace, create: plan.create, remove: plan.remove, dirs: plan.dirs };
}

const work = (outDir: string, ...parts: string[]) => join(outDir, WORK_DIR, ...parts);

/** The journal and the manifest reach the disk before the moves they describe; staged data relies on the page cache. */
function writeDurably(file: string, text: string): void {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function makeParents(file: string, made: Set<string>): void {
  const dir = dirname(file);
  if (made.has(dir)) return;
  mkdirSync(dir, { recursive: true });
  made.add(dir);
}

/**
 * Writes staged files into the work folder as the plan serialises them, chunk by chunk, through a thread of
 * their own. The folder is made before the first file (or by `finish` when only removals and the manifest
 * change).
 */
export class Stager {
  /** Set once staging has begun: from then on the work folder may exist and has to be cleared on failure. */
  begun = false;
  private readonly made = new Set<string>();
  private readonly thread = new StagingThread();

  constructor(
    private readonly outDir: string,
    private readonly step: StepHook,
  ) {}

  private begin(): void {
    if (this.begun) return;
    this.begun = true;
    this.step('stage');
    mkdirSync(work(this.outDir));
  }

  /** The staged copy of `path`; it keeps `mode` once closed. */
  file(path: string, mode: number | undefined): StagedFile {
    this.begin();
    this.step(`stage ${path}`);
    const file = work(this.outDir, STAGED, path);
    makeParents(file, this.made);
    this.thread.open(file, mode);
    let open = true;
    return {
      write: (bytes) => this.thread.write(bytes),
      close: () => {
        if (!open) return;
        open = false;
        this.thread.close();
      },
      discard: () => {
        open = false;
        this.thread.discard();
      },
    };
  }

  /** Once every staged file is on disk: the backup folders for the files the swap moves aside, and the new manifest. */
  finish(plan: WritePlan): void {
    this.thread.settle();
    this.begin();
    for (const path of [...plan.replace, ...plan.remove]) makeParents(work(this.outDir, BACKUP, path), this.made);
    this.step('stage manifest');
    writeDurably(work(this.outDir, NEW_MANIFEST), plan.manifest);
  }

  /** Waits for the staged files still being written, whether or not they succeed, and lets their thread go. */
  release(): void {
    try {
      this.thread.settle();
    } catch {
      // the failure was reported where it happened, or the work folder is cleared regardless
    } finally {
      this.thread.stop();
    }
  }
}

export function commit(outDir: string, journal: Journal, step: StepHook): void {
  step('journal');
  writeDurably(work(outDir, `${JOURNAL}.new`), `${JSON.stringify(journal)}\n`);
  renameSync(work(outDir, `${JOURNAL}.new`), work(outDir, JOURNAL));
  for (const path of [...journal.replace, ...journal.remove]) {
    step(`backup ${path}`);
    renameSync(join(outDir, path), work(outDir, BACKUP, path));
  }
  // A new directory holds nothing but staged files, so its staged copy moves in whole: one rename, where a
  // tree of thousands of files would take as many.
  const made = new Set(journal.dirs);
  for (const dir of journal.dirs) {
    if (made.has(dirname(dir))) continue;
    step(`install ${dir}/`);
    renameSync(work(outDir, STAGED, dir), join(outDir, dir));
  }
  for (const path of [...journal.replace, ...journal.create]) {
    if (made.has(dirname(path))) continue;
    step(`install ${path}`);
    renameSync(work(outDir, STAGED, path), join(outDir, path));
  }
  step('commit');
  renameSync(work(outDir, NEW_MANIFEST), join(outDir, MANIFEST_FILE));
}

function ignoring(codes: string[], action: () => void): void {
  try {
    action();
  } catch (err) {
    if (!codes.includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  }
}

export function clearWork(outDir: string, step: StepHook): void {
  step('clear journal');
  ignoring(['ENOENT'], () => unlinkSync(work(outDir, JOURNAL)));
  step('clear work');
  rmSync(work(outDir), { recursive: true, force: true });
}

/** After the commit: directories left empty by removed files go, then the journal and the work folder. */
export function finish(outDir: string, journal: Journal, step: StepHook): void {
  step('prune');
  for (const path of journal.remove) {
    const parts = path.split('/');
    for (let depth = parts.length - 1; depth > 0; depth--) {
      try {
        rmdirSync(join(outDir, ...parts.slice(0, depth)));
      } catch {
        break; // not empty (or someone else's): it and its parents stay
      }
    }
  }
  clearWork(outDir, step);
}

/** Undoes every move of a write that did not commit; files and folders the write never touched stay as they are. */
export function rollBack(outDir: string, journal: Journal, step: StepHook = () => {}): void {
  for (const path of journal.create) {
    // Moved into place (alone or with its new directory) exactly when it is no longer staged.
    if (existsSync(work(outDir, STAGED, path))) continue;
    step(`undo ${path}`);
    ignoring(['ENOENT'], () => unlinkSync(join(outDir, path)));
  }
  for (const dir of [...journal.dirs].reverse()) {
    step(`undo mkdir ${dir}`);
    ignoring(['ENOENT', 'ENOTEMPTY', 'EEXIST', 'ENOTDIR'], () => rmdirSync(join(outDir, dir)));
  }
  for (const path of [...journal.replace, ...journal.remove]) {
    if (!existsSync(work(outDir, BACKUP, path))) continue;
    step(`restore ${path}`);
    renameSync(work(outDir, BACKUP, path), join(outDir, path));
  }
  clearWork(outDir, step);
}

export type Recovery = 'none' | 'rolled back' | 'completed' | 'cleared';

function readJournal(outDir: string): Journal | undefined {
  try {
    return JSON.parse(readFileSync(work(outDir, JOURNAL), 'utf8')) as Journal;
  } catch {
    return undefined;
  }
}

/** Brings an output directory left by an interrupted write back to a whole tree. Call it holding the lock. */
export function recover(outDir: string, step: StepHook = () => {}): Recovery {
  if (!existsSync(work(outDir))) return 'none';
  const journal = readJournal(outDir);
  if (!journal) {
    // Interrupted while staging: nothing outside the work folder was touched yet.
    clearWork(outDir, step);
    return 'cleared';
  }
  // The work folder outlives the journal, so while the journal exists a missing staged manifest was committed.
  if (!existsSync(work(outDir, NEW_MANIFEST))) {
    finish(outDir, journal, step);
    return 'completed';
  }
  rollBack(outDir, journal, step);
  return 'rolled back';
}

/** Whether an interrupted write waits for recovery in `outDir`. */
export function hasPendingWrite(outDir: string): boolean {
  return existsSync(work(outDir, JOURNAL));
}
