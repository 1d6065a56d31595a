import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sumSamples } from '../../src/runtime/telemetry/exposition.ts';
import { chat, startRig, type Rig } from './router-fixture.ts';

const TOTAL = 20_000;
const CONCURRENCY = 50;

/**
 * Heavy traffic with faulty pods (5xx, resets, stalls past the upstream timeout) and clients that walk
 * away mid-stream: the router keeps serving and accounts for every request exactly once. The clients that
 * walk away ask a model whose streams last two seconds, so they leave while the router is still forwarding
 * however late a busy host lets them read (a short stream can be whole in the socket by then).
 */
describe('router under faults', () => {
  let rig: Rig;
  const statuses = new Map<number | string, number>();

  beforeAll(async () => {
    const faults = { ttftMs: 0, itlMs: 0, errorRate: 0.1, resetRate: 0.02, stallRate: 0.005, stallMs: 1_000 };
    rig = await startRig({
      sims: [
        { model: 'llama', faults, outputTokens: 4, maxNumSeqs: 256 },
        { model: 'llama', faults, outputTokens: 4, maxNumSeqs: 256 },
        { model: 'llama', faults: { ...faults, itlMs: 2 }, outputTokens: 8, maxNumSeqs: 256 },
        { model: 'slow', faults: { ttftMs: 0, itlMs: 25 }, outputTokens: 80, maxNumSeqs: 256 },
      ],
      config: (a) => ({
        server: { upstreamTimeout: '250ms', retries: 1 },
        accessLogger: { format: 'json' },
        scheduler: { podMetricsInterval: '200ms' },
        modelServers: [
          { name: 'llama', pods: a.slice(0, 3).map((address, i) => ({ name: `llama-${i}`, address })) },
          { name: 'slow', pods: [{ name: 'slow-0', address: a[3]! }] },
        ],
        modelRoutes: [
          { name: 'llama', model: 'llama', targets: [{ modelServer: 'default/llama' }] },
          { name: 'slow', model: 'slow', targets: [{ modelServer: 'default/slow' }] },
        ],
      }),
    });
  });

  afterAll(() => rig.close());

  it(`answers ${TOTAL} requests and counts each once`, { timeout: 90_000 }, async () => {
    const client = new Pool(rig.router.apiUrl, { connections: CONCURRENCY });
    let next = 0;
    const note = (key: number | string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);
    async function one(i: number): Promise<void> {
      const abortMidStream = i % 50 === 7;
      const stream = i % 5 === 0 || abortMidStream;
      const controller = new AbortController();
      try {
        const res = await client.request({
          path: '/v1/chat/completions',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(chat(abortMidStream ? 'slow' : 'llama', `request ${i}`, { stream })),
          signal: controller.signal,
        });
        if (abortMidStream && res.statusCode === 200) {
          for await (const _ of res.body) {
            controller.abort();
            break;
          }
          note('aborted');
          return;
        }
        await res.body.text();
        note(res.statusCode);
      } catch (err) {
        note(controller.signal.aborted ? 'aborted' : `error:${(err as Error).message}`);
      }
    }
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < TOTAL) await one(next++);
      }),
    );
    await client.close();
    const seconds = (performance.now() - started) / 1000;
    console.log(`${TOTAL} requests in ${seconds.toFixed(1)} s`, Object.fromEntries(statuses));

    expect([...statuses.keys()].filter((k) => typeof k === 'string' && k.startsWith('error:'))).toEqual([]);
    // Give the router time to see the aborted connections close.
    await new Promise((r) => setTimeout(r, 300));
    const exposed = await rig.scrape();
    expect(sumSamples(exposed, 'kthena_router_requests_total')).toBe(TOTAL);
    expect(sumSamples(exposed, 'kthena_router_request_duration_seconds_count')).toBe(TOTAL);
    for (const [status, count] of statuses) {
      if (typeof status === 'number') expect(sumSamples(exposed, 'kthena_router_requests_total', { status_code: String(status) }), `status ${status}`).toBeGreaterThanOrEqual(count);
    }
    // Clients that walked away mid-stream are recorded as 499, with a finish reason.
    expect(sumSamples(exposed, 'kthena_router_requests_total', { status_code: '499', error_type: 'response_forwarding' })).toBe(statuses.get('aborted'));
    expect(sumSamples(exposed, 'kthena_router_active_downstream_requests')).toBe(0);
    expect(sumSamples(exposed, 'kthena_router_active_upstream_requests')).toBe(0);
    expect(rig.router.runtime.topology.pods.map((p) => p.inflight)).toEqual([0, 0, 0, 0]);

    const lines = await rig.logLines();
    expect(lines).toHaveLength(TOTAL);
    const ids = new Set(lines.map((l) => (JSON.parse(l) as { request_id: string }).request_id));
    expect(ids.size).toBe(TOTAL);
  });

  it('keeps serving afterwards', async () => {
    for (const sim of rig.sims) Object.assign(sim.faults, { errorRate: 0, resetRate: 0, stallRate: 0 });
    const res = await rig.post('/v1/chat/completions', chat('llama'));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens).toBeGreaterThan(0);
    expect((await fetch(`${rig.router.apiUrl}/healthz`)).status).toBe(200);
  });
});
