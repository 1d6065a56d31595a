import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/infermon.mjs', import.meta.url));

describe('bin/infermon.mjs', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'router-signals-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`passes ${signal} on: the router stops serving and the command exits 0`, async () => {
      const config = join(dir, `router-${signal}.yaml`);
      writeFileSync(
        config,
        [
          'server: { host: 127.0.0.1, port: 0 }',
          'accessLogger: { enabled: false }',
          'observability: { metrics: { port: 0 } }',
          'scheduler: { podMetricsInterval: 1h }',
          'modelServers: [{ name: llama, pods: [{ name: llama-0, address: "127.0.0.1:1" }] }]',
          'modelRoutes: [{ name: llama, model: llama, targets: [{ modelServer: default/llama }] }]',
          '',
        ].join('\n'),
      );
      const child = spawn(process.execPath, [BIN, 'router', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, sig) => resolve({ code, signal: sig })));
      const apiUrl = await new Promise<string>((resolve, reject) => {
        let err = '';
        const timer = setTimeout(() => reject(new Error(`the router did not start: ${err}`)), 30_000);
        child.stderr!.on('data', (d: Buffer) => {
          err += d.toString();
          const url = /router API listening on (http:\/\/\S+)/.exec(err)?.[1];
          if (url) {
            clearTimeout(timer);
            resolve(url);
          }
        });
      });
      expect((await fetch(`${apiUrl}/healthz`)).status).toBe(200);

      child.kill(signal);
      expect(await exited).toEqual({ code: 0, signal: null });
      await expect(fetch(`${apiUrl}/healthz`)).rejects.toThrow();
    }, 40_000);
  }
});
