import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_FILE, acquireLock } from '../../src/emit/lock.ts';
import { nodeArgs } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

/** One writer per output directory: who holds the lock, and what a run that finds it held is told. */

function emptyDir(): string {
  return mkdtempSync(join(tmpdir(), 'infermon-lock-'));
}

function exitedPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

describe('the output lock', () => {
  it('names its holder while held, leaves nothing behind once released', () => {
    const dir = emptyDir();
    const release = acquireLock(dir);
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    expect(() => acquireLock(dir)).toThrow(`another infermon run (pid ${process.pid}) is writing to ${dir}`);
    release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('takes over a lock whose holder has exited', () => {
    const dir = emptyDir();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: exitedPid(), host: hostname() }));
    acquireLock(dir)();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('removes the temporary files of runs killed while taking the lock, and no file of a running one', () => {
    const dir = emptyDir();
    const dead = exitedPid();
    const leftovers = [`${LOCK_FILE}.new-${dead}-0a1b2c3d`, `${LOCK_FILE}.abandoned-${dead}`];
    const live = `${LOCK_FILE}.new-${process.pid}-00ff00ff`;
    for (const name of [...leftovers, live, 'notes.txt']) writeFileSync(join(dir, name), '');
    acquireLock(dir)();
    expect(readdirSync(dir).sort()).toEqual([live, 'notes.txt'].sort());
  });

  it('refuses a fresh lock that names no one, and takes it over once it has stood unchanged for a while', () => {
    const dir = emptyDir();
    const file = join(dir, LOCK_FILE);
    writeFileSync(file, '');
    expect(() => acquireLock(dir)).toThrow('another infermon run (holder unknown)');
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(file, longAgo, longAgo);
    acquireLock(dir)();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('under contention a run that loses is always told which process holds the lock', async () => {
    const dir = emptyDir();
    const contender = join(PROJECT_ROOT, 'test', 'support', 'lock-contender.ts');
    const runs = Array.from({ length: 4 }, () =>
      new Promise<string[]>((resolve, reject) => {
        const child = spawn(process.execPath, nodeArgs(contender, [dir, '400']));
        let stdout = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.once('error', reject);
        child.once('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as string[]) : reject(new Error(`contender exited ${code}`))));
      }),
    );
    const refusals = (await Promise.all(runs)).flat();
    for (const message of new Set(refusals)) expect(message).toMatch(/^another infermon run \(pid \d+\) is writing to /);
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);
});
