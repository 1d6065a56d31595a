import { isAbsolute, relative, sep } from 'node:path';

/**
 * A problem with the output directory that a person can act on: the writer refused to touch it, or the
 * file system failed and the previous files were kept. The message is one line, ready to print.
 */
export class WriteError extends Error {
  override readonly name = 'WriteError';
}

/** A path as people typed it: relative to the working directory when it lies inside, else absolute. */
export function shownPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  if (rel === '') return '.';
  if (rel.startsWith('..') || isAbsolute(rel)) return path;
  return rel.split(sep).join('/');
}

const SYSTEM_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a file stands where a directory is needed',
  EISDIR: 'a directory stands where a file is needed',
  EEXIST: 'something already exists there',
  ENOENT: 'no such file or directory',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

/** `permission denied (EACCES) at out/prometheus/rules` from a Node file-system error. */
export function describeSystemError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code !== 'string') return e instanceof Error ? e.message.split('\n')[0]! : String(err);
  const reason = SYSTEM_REASONS[e.code] ?? e.message.split('\n')[0]!.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*$/, '');
  const where = typeof e.path === 'string' ? ` at ${shownPath(e.path)}` : '';
  return `${reason} (${e.code})${where}`;
}
