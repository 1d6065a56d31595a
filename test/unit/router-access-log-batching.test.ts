import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAccessLogger, type AccessLogEntry, type AccessLogger } from '../../src/runtime/router/access-log.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ACCESS_LOG_MODULE = join(PROJECT_ROOT, 'src', 'runtime', 'router', 'access-log.ts');

function entry(requestId: string): AccessLogEntry {
  return {
    timestamp: new Date('2024-01-15T10:30:45.123Z'),
    method: 'POST',
    path: '/v1/chat/completions',
    protocol: 'HTTP/1.1',
    status_code: 200,
    request_id: requestId,
    duration_total: 3,
    duration_request_processing: 1,
    duration_upstream_processing: 1,
    duration_response_processing: 1,
  };
}

function requestIds(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { request_id: string }).request_id);
}

describe('access log batching', () => {
  let dir: string;
  let logger: AccessLogger | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'access-log-batching-'));
  });
  afterEach(async () => {
    await logger?.close();
    logger = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const fileLogger = (file: string) => createAccessLogger({ enabled: true, format: 'json', output: file })!;

  it('writes lines in batches, a few milliseconds after they are logged, in order', async () => {
    const file = join(dir, 'access.log');
    logger = fileLogger(file);
    for (const id of ['a', 'b', 'c']) logger.log(entry(id));
    expect(requestIds(file)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(requestIds(file)).toEqual(['a', 'b', 'c']);
  });

  it('writes at once when 64 KiB are pending, without waiting for the timer', () => {
    const file = join(dir, 'access.log');
    logger = fileLogger(file);
    const ids = Array.from({ length: 400 }, (_, i) => `request-${i}-${'x'.repeat(120)}`);
    for (const id of ids) logger.log(entry(id));
    const written = requestIds(file);
    expect(written.length).toBeGreaterThan(0);
    expect(written).toEqual(ids.slice(0, written.length));
  });

  it('flushes pending lines on close', async () => {
    const file = join(dir, 'access.log');
    logger = fileLogger(file);
    logger.log(entry('last'));
    await logger.close();
    logger = undefined;
    expect(requestIds(file)).toEqual(['last']);
  });

  it('reports a failed write in health and keeps logging', async () => {
    logger = createAccessLogger({ enabled: true, format: 'json', output: '/dev/full' })!;
    logger.log(entry('lost'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(logger.lastWriteError).toMatch(/ENOSPC/);
    expect(() => logger!.log(entry('also lost'))).not.toThrow();
  });

  for (const [how, code, ending] of [
    ['an uncaught error', 1, "throw new Error('crash');"],
    ['process.exit without closing the router', 0, 'process.exit(0);'],
  ] as const) {
    it(`writes pending lines when the process ends with ${how}`, () => {
      const file = join(dir, 'access.log');
      const script = join(dir, 'log-then-exit.ts');
      writeFileSync(
        script,
        [
          `import { createAccessLogger } from ${JSON.stringify(ACCESS_LOG_MODULE)};`,
          `const logger = createAccessLogger({ enabled: true, format: 'json', output: ${JSON.stringify(file)} })!;`,
          `const entry = ${JSON.stringify(entry('-'))};`,
          "for (const id of ['first', 'second']) logger.log({ ...entry, timestamp: new Date(entry.timestamp), request_id: id });",
          ending,
          '',
        ].join('\n'),
      );
      const run = spawnSync(process.execPath, ['--conditions=infermon-source', '--import', 'tsx', script], { cwd: PROJECT_ROOT, encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(code);
      expect(requestIds(file)).toEqual(['first', 'second']);
    });
  }
});
