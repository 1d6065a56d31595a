import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { findOnPath } from '../support/tools.ts';

/** Child processes of the bench (Prometheus, Alertmanager): started with logs to files, always stopped. */

export interface ChildHandle {
  name: string;
  process: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
// A crash of the test must not leave servers behind.
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** The first of `names` found on PATH (the pinned judges come from test/support/tools.ts instead). */
export const findBinary = findOnPath;

/** A port nobody listens on right now, for binaries that cannot be told to pick one. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function startChild(name: string, binary: string, args: readonly string[], logFile: string): ChildHandle {
  const fd = openSync(logFile, 'a');
  const child = spawn(binary, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => live.delete(child));
  let stopping: Promise<void> | undefined;
  return {
    name,
    process: child,
    logFile,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
        if (!done) {
          child.kill('SIGKILL');
          await exited;
        }
      })();
      return stopping;
    },
  };
}

/** Polls `url` until it answers 200, failing early when the process exits. */
export async function waitReady(child: ChildHandle, url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) throw new Error(`${child.name} exited with code ${child.process.exitCode}; see ${child.logFile}`);
    try {
      const res = await request(url, { headersTimeout: 1000, bodyTimeout: 1000 });
      await res.body.dump();
      if (res.statusCode === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`${child.name} not ready at ${url} after ${timeoutMs / 1000}s; see ${child.logFile}`);
}
