import { closeSync, linkSync, openSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { BOOKKEEPING_PREFIX } from './manifest.ts';
import { WriteError, shownPath } from './write-error.ts';

/**
 * One writer per output directory at a time. The lock is a file created exclusively inside the directory;
 * it names its holder, so a lock left by a killed run is recognised (its process is gone) and taken over.
 */
export const LOCK_FILE = `${BOOKKEEPING_PREFIX}lock`;

interface Holder {
  pid: number;
  host: string;
  /** The process's start time in clock ticks since boot (Linux), so a reused PID is not mistaken for the holder. */
  started?: string;
}

function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; the fields after its last ')' are plain.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function me(): Holder {
  const started = startTime(process.pid);
  return { pid: process.pid, host: hostname(), ...(started ? { started } : {}) };
}

/** The holder a lock file names; `gone` when the file no longer exists (its holder just released it). */
function readHolder(file: string): Holder | 'gone' | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : undefined;
  }
  try {
    const parsed = JSON.parse(text) as Holder;
    return typeof parsed.pid === 'number' && typeof parsed.host === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(holder: Holder): boolean {
  if (holder.host !== hostname()) return true; // another machine's process cannot be checked from here
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const started = startTime(holder.pid);
  return holder.started === undefined || started === undefined || started === holder.started;
}

const SECONDS_TO_WRITE_A_HOLDER = 10;

/**
 * A lock file whose holder has exited, or that names no one and has not changed for a while (written by a
 * build that created the file before naming itself, or damaged).
 */
function isAbandoned(file: string, holder: Holder | undefined): boolean {
  if (holder) return !isRunning(holder);
  try {
    return Date.now() - statSync(file).mtimeMs > SECONDS_TO_WRITE_A_HOLDER * 1000;
  } catch {
    return false;
  }
}

function sameHolder(a: Holder | 'gone' | undefined, b: Holder | undefined): boolean {
  if (a === 'gone') return false;
  return a?.pid === b?.pid && a?.host === b?.host && a?.started === b?.started;
}

/** Moves an abandoned lock aside; if another run replaced it in the meantime, puts that one back. */
function breakAbandoned(file: string, abandoned: Holder | undefined): void {
  const aside = `${file}.abandoned-${process.pid}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // someone else broke it first
  }
  if (!sameHolder(readHolder(aside), abandoned)) {
    try {
      linkSync(aside, file);
    } catch {
      // a third run holds the lock now; the next attempt reports it
    }
  }
  unlinkSync(aside);
}

/** Errors of a file system that has no hard links: the lock is then created in place, then named. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Creates `file` holding `content` unless it exists (false then). The content is written to a private file
 * first and linked into place, so the lock is never seen empty by a run that finds it.
 */
function createExclusive(file: string, content: string): boolean {
  const draft = `${file}.new-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(draft, content, { flag: 'wx' });
  } catch (err) {
    removeQuietly(draft);
    // the draft is the lock's own business: a refusal is reported at the lock, the file people know
    throw Object.assign(err as NodeJS.ErrnoException, { path: file });
  }
  try {
    linkSync(draft, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return false;
    if (!NO_HARD_LINKS.has(code)) throw err;
    return createInPlace(file, content);
  } finally {
    removeQuietly(draft);
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone, or never created
  }
}

function createInPlace(file: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, content);
  } catch (err) {
    closeSync(fd);
    unlinkSync(file);
    throw err;
  }
  closeSync(fd);
  return true;
}

/** After the lock's name, the lock's own temporary files: `.new-<pid>-<random>` (a draft), `.abandoned-<pid>` (a lock moved aside). */
const LEFTOVER_SUFFIX = /^\.(?:new|abandoned)-(\d+)(?:-[0-9a-f]+)?$/;

/**
 * Removes the temporary files of runs killed while taking the lock; those of a process still running
 * are its own business (it removes them itself).
 */
function removeLeftovers(outDir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(outDir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = entry.startsWith(LOCK_FILE) ? LEFTOVER_SUFFIX.exec(entry.slice(LOCK_FILE.length))?.[1] : undefined;
    if (pid !== undefined && !isRunning({ pid: Number(pid), host: hostname() })) removeQuietly(join(outDir, entry));
  }
}

export type ReleaseLock = () => void;

export function acquireLock(outDir: string): ReleaseLock {
  const file = join(outDir, LOCK_FILE);
  const self = me();
  // A lock that vanishes between the attempt and the read was just released: try again at once. Breaking
  // abandoned locks is what is bounded, since a run that keeps finding one is racing other breakers.
  for (let broken = 0; broken < 5; ) {
    if (createExclusive(file, JSON.stringify(self))) {
      removeLeftovers(outDir);
      return () => {
        if (sameHolder(readHolder(file), self)) unlinkSync(file);
      };
    }
    const holder = readHolder(file);
    if (holder === 'gone') continue;
    if (!isAbandoned(file, holder)) {
      const who = holder ? `pid ${holder.pid}${holder.host === self.host ? '' : ` on ${holder.host}`}` : 'holder unknown';
      throw new WriteError(
        `another infermon run (${who}) is writing to ${shownPath(outDir)}; try again when it has finished, or delete ${shownPath(file)} if no infermon is running`,
      );
    }
    breakAbandoned(file, holder);
    broken++;
  }
  throw new WriteError(`could not take the lock ${shownPath(file)}; delete it if no infermon is running`);
}
