import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
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

function readHolder(file: string): Holder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Holder;
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

/** A lock file whose holder has exited, or that stayed empty (its creator died before naming itself). */
function isAbandoned(file: string, holder: Holder | undefined): boolean {
  if (holder) return !isRunning(holder);
  try {
    return Date.now() - statSync(file).mtimeMs > SECONDS_TO_WRITE_A_HOLDER * 1000;
  } catch {
    return false;
  }
}

function sameHolder(a: Holder | undefined, b: Holder | undefined): boolean {
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

export type ReleaseLock = () => void;

export function acquireLock(outDir: string): ReleaseLock {
  const file = join(outDir, LOCK_FILE);
  const self = me();
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readHolder(file);
      if (!isAbandoned(file, holder)) {
        const who = holder ? `pid ${holder.pid}${holder.host === self.host ? '' : ` on ${holder.host}`}` : 'starting';
        throw new WriteError(
          `another infermon run (${who}) is writing to ${shownPath(outDir)}; try again when it has finished, or delete ${shownPath(file)} if no infermon is running`,
        );
      }
      breakAbandoned(file, holder);
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(self));
    } catch (err) {
      closeSync(fd);
      unlinkSync(file);
      throw err;
    }
    closeSync(fd);
    return () => {
      if (sameHolder(readHolder(file), self)) unlinkSync(file);
    };
  }
  throw new WriteError(`could not take the lock ${shownPath(file)}; delete it if no infermon is running`);
}
