import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRouterConfig, type RouterConfigInput } from '../../src/runtime/router/config.ts';
import { startRouter, type RunningRouter } from '../../src/runtime/router/server.ts';
import { startVllmSim, type RunningVllmSim, type VllmSimOptions } from '../../src/runtime/sim/vllm-server.ts';
import { parseExposition, type Family } from '../../src/runtime/telemetry/exposition.ts';
import type { Tracing } from '../../src/runtime/telemetry/tracing.ts';

/** Routers and simulators on free local ports, with the access log in a temporary file. */
export interface Rig {
  router: RunningRouter;
  sims: RunningVllmSim[];
  logFile: string;
  /** Lines of the router's operational event log. */
  events: string[];
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  scrape(): Promise<Map<string, Family>>;
  logLines(): Promise<string[]>;
  close(): Promise<void>;
}

export interface RigOptions {
  sims: (VllmSimOptions & { role?: 'both' | 'prefill' | 'decode' })[];
  /** Builds the router configuration from the simulators' addresses. */
  config: (addresses: string[]) => Omit<RouterConfigInput, 'accessLogger'> & { accessLogger?: RouterConfigInput['accessLogger'] };
  /** The router's spans go here when its configuration enables tracing. */
  tracing?: Tracing;
}

export async function startRig(options: RigOptions): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'router-test-'));
  const logFile = join(dir, 'access.log');
  const sims = await Promise.all(options.sims.map((s) => startVllmSim(s)));
  const base = options.config(sims.map((s) => `127.0.0.1:${s.port}`));
  const config = parseRouterConfig({
    ...base,
    server: { port: 0, ...base.server },
    observability: { ...base.observability, metrics: { port: 0, ...base.observability?.metrics } },
    accessLogger: { output: logFile, ...base.accessLogger },
  });
  const events: string[] = [];
  const router = await startRouter(config, { events: (line) => events.push(line), ...(options.tracing ? { tracing: options.tracing } : {}) });
  return {
    router,
    sims,
    logFile,
    events,
    post: (path, body, headers = {}) =>
      fetch(`${router.apiUrl}${path}`, {
        method: 'POST',
        body: typeof body === 'string' ? body : JSON.stringify(body),
        headers: { 'content-type': 'application/json', ...headers },
      }),
    async scrape() {
      const res = await fetch(router.metricsUrl!);
      return parseExposition(await res.text());
    },
    async logLines() {
      // Lines are written once per event-loop turn; give the writer a moment.
      await new Promise((r) => setTimeout(r, 50));
      if (!existsSync(logFile)) return [];
      return readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
    },
    async close() {
      await router.close();
      await Promise.all(sims.map((s) => s.close()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const chat = (model: string, content = 'Hello there, how are you?', extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content }],
  ...extra,
});
