import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StagingThread } from '../../src/emit/staging-thread.ts';

/**
 * The thread that writes staged files: what it writes is exactly what was queued, in order, however the
 * records fall in its ring; the first failure comes back to the main thread as the file-system error it was,
 * and nothing queued after it happens.
 */

const dirs: string[] = [];
const threads: StagingThread[] = [];

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'infermon-staging-'));
  dirs.push(dir);
  return dir;
}

function newThread(): StagingThread {
  const thread = new StagingThread();
  threads.push(thread);
  return thread;
}

afterEach(() => {
  for (const thread of threads.splice(0)) thread.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Bytes that differ at every position, so a chunk written twice, dropped or out of order shows. */
function pattern(length: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return bytes;
}

describe('StagingThread', () => {
  it('writes every file as queued, across the end of its ring and in chunks larger than one record', () => {
    const dir = scratchDir();
    const thread = newThread();
    // 40 files of 0.5 MiB in uneven chunks: 20 MiB through an 8 MiB ring, so it wraps and fills.
    const expected = new Map<string, Buffer>();
    for (let f = 0; f < 40; f++) {
      const file = join(dir, `file-${f}.yaml`);
      const whole = pattern(512 * 1024 + f * 13, f);
      expected.set(file, whole);
      thread.open(file, undefined);
      for (let from = 0; from < whole.length; from += 70_001 + f) thread.write(whole.subarray(from, Math.min(whole.length, from + 70_001 + f)));
      thread.close();
    }
    // One chunk above the largest record goes as several.
    const big = join(dir, 'big.yaml');
    expected.set(big, pattern(3 * 1024 * 1024 + 5, 99));
    thread.open(big, undefined);
    thread.write(expected.get(big)!);
    thread.close();
    thread.settle();
    for (const [file, bytes] of expected) expect(readFileSync(file).equals(bytes), file).toBe(true);
  });

  it('copies a chunk before it returns, so the caller may reuse its buffer at once', () => {
    const dir = scratchDir();
    const thread = newThread();
    const buffer = Buffer.from('first ');
    thread.open(join(dir, 'reused.txt'), undefined);
    thread.write(buffer);
    buffer.write('again ');
    thread.write(buffer);
    thread.close();
    thread.settle();
    expect(readFileSync(join(dir, 'reused.txt'), 'utf8')).toBe('first again ');
  });

  it('gives a closed file its mode, and deletes a discarded one', () => {
    const dir = scratchDir();
    const thread = newThread();
    thread.open(join(dir, 'run.sh'), 0o750);
    thread.write(Buffer.from('#!/bin/sh\n'));
    thread.close();
    thread.open(join(dir, 'dropped.yaml'), undefined);
    thread.write(Buffer.from('half a file'));
    thread.discard();
    thread.open(join(dir, 'empty.yaml'), undefined);
    thread.close();
    thread.settle();
    expect(statSync(join(dir, 'run.sh')).mode & 0o777).toBe(0o750);
    expect(existsSync(join(dir, 'dropped.yaml'))).toBe(false);
    expect(readFileSync(join(dir, 'empty.yaml'))).toHaveLength(0);
  });

  it('reports the first failure as the system error it was and skips everything queued after it', () => {
    const dir = scratchDir();
    const thread = newThread();
    const missing = join(dir, 'no-such-folder', 'a.yaml');
    thread.open(missing, undefined);
    thread.write(Buffer.from('lost'));
    thread.close();
    let failure: NodeJS.ErrnoException | undefined;
    try {
      // Later operations either throw at once (the failure is already known) or are skipped.
      thread.open(join(dir, 'after.yaml'), undefined);
      thread.close();
      thread.settle();
    } catch (err) {
      failure = err as NodeJS.ErrnoException;
    }
    expect(failure).toBeInstanceOf(Error);
    expect(failure).toMatchObject({ code: 'ENOENT', syscall: 'open', path: missing });
    expect(existsSync(join(dir, 'after.yaml'))).toBe(false);
    // The failure stays: every later call reports it again.
    expect(() => thread.settle()).toThrow(/ENOENT/);
  });

  it('settles at once when nothing was queued', () => {
    expect(() => newThread().settle()).not.toThrow();
  });
});
