import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kthenaRouter } from '../../src/catalog/kthena-router.ts';
import { sumSamples } from '../../src/runtime/telemetry/exposition.ts';
import { conformanceProblems } from './conformance.ts';
import { chat, startRig, type Rig } from './router-fixture.ts';

/** Aggregated and disaggregated routes, fairness and rate limits: every router family gets series. */
describe('router metrics conform to the catalog', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig({
      sims: [
        { model: 'llama', faults: { ttftMs: 2, itlMs: 1 } },
        { model: 'llama', faults: { ttftMs: 2, itlMs: 1 } },
        { model: 'deepseek', role: 'prefill', faults: { ttftMs: 2, itlMs: 1 } },
        { model: 'deepseek', role: 'decode', faults: { ttftMs: 2, itlMs: 1 } },
      ],
      config: (a) => ({
        scheduler: {
          scores: [{ name: 'least-request' }, { name: 'least-latency' }, { name: 'prefix-cache' }, { name: 'kv-cache' }],
          podMetricsInterval: '100ms',
        },
        fairness: { enabled: true, maxConcurrency: 1, users: ['alice'] },
        modelServers: [
          { name: 'llama', pods: [{ name: 'llama-0', address: a[0]! }, { name: 'llama-1', address: a[1]! }] },
          {
            name: 'deepseek-pd',
            pods: [
              { name: 'ds-prefill-0', address: a[2]!, role: 'prefill' },
              { name: 'ds-decode-0', address: a[3]!, role: 'decode' },
            ],
          },
        ],
        modelRoutes: [
          { name: 'llama', model: 'llama', targets: [{ modelServer: 'default/llama' }], rateLimit: { requestsPerUnit: 30, unit: 'minute' } },
          { name: 'deepseek', model: 'deepseek', targets: [{ modelServer: 'default/deepseek-pd' }] },
        ],
      }),
    });
    const requests: Promise<Response>[] = [];
    for (let i = 0; i < 12; i++) {
      requests.push(rig.post('/v1/chat/completions', chat('llama', `question ${i} `.repeat(30), { stream: i % 2 === 0 }), { 'x-user-id': i % 3 ? 'alice' : 'mallory' }));
      requests.push(rig.post('/v1/completions', { model: 'deepseek', prompt: `prompt ${i}`, stream: i % 2 === 1 }, { 'x-user-id': 'bob' }));
    }
    for (const r of await Promise.all(requests)) await r.text();
    // Exhaust the request limit of the llama route.
    for (let i = 0; i < 25; i++) await (await rig.post('/v1/chat/completions', chat('llama'))).text();
  });

  afterAll(() => rig.close());

  it('exposes every catalog family, conditional ones included, with the catalog names, types, labels and buckets', async () => {
    const exposed = await rig.scrape();
    expect(conformanceProblems(exposed, kthenaRouter.spec.metrics, true)).toEqual([]);
  });

  it('records the traffic it saw', async () => {
    const exposed = await rig.scrape();
    expect(sumSamples(exposed, 'kthena_router_rate_limit_exceeded_total', { limit_type: 'requests' })).toBeGreaterThan(0);
    expect(sumSamples(exposed, 'kthena_router_requests_total', { status_code: '429', error_type: 'rate_limit' })).toBeGreaterThan(0);
    expect(sumSamples(exposed, 'kthena_router_request_prefill_duration_seconds_count', { model: 'deepseek', status_code: '200' })).toBe(12);
    expect(sumSamples(exposed, 'kthena_router_request_decode_duration_seconds_count', { model: 'deepseek', status_code: '200' })).toBe(12);
    expect(sumSamples(exposed, 'kthena_router_tokens_total', { model: 'deepseek', token_type: 'output' })).toBe(12 * 16);
    expect(sumSamples(exposed, 'kthena_router_fairness_queue_duration_seconds_count', { user_id: 'alice' })).toBe(8);
    // Users that are not configured are folded into one bounded value.
    const users = new Set(exposed.get('kthena_router_fairness_queue_duration_seconds')!.samples.map((s) => s.labels.user_id));
    expect([...users].sort()).toEqual(['_all', 'alice']);
    expect(sumSamples(exposed, 'kthena_router_fairness_queue_size')).toBe(0);
    expect(sumSamples(exposed, 'kthena_router_active_downstream_requests')).toBe(0);
    expect(sumSamples(exposed, 'kthena_router_active_upstream_requests')).toBe(0);
  });

  it('runs every configured plugin, timed by phase', async () => {
    const exposed = await rig.scrape();
    const timed = exposed.get('kthena_router_scheduler_plugin_duration_seconds')!.samples.filter((s) => s.name.endsWith('_count'));
    const seen = new Set(timed.map((s) => `${s.labels.type}/${s.labels.plugin}`));
    expect([...seen].sort()).toEqual(['filter/least-request', 'score/kv-cache', 'score/least-latency', 'score/least-request', 'score/prefix-cache']);
  });

  it('reads KV cache usage and queue depth from the pods', async () => {
    await rig.router.refreshPodMetrics();
    const pods = (await (await fetch(`${rig.router.adminUrl}/debug/config_dump/pods`)).json()) as { name: string; kvCacheUsage: number | null; lastScrapeError: string | null }[];
    for (const p of pods) {
      expect(p.lastScrapeError, p.name).toBeNull();
      expect(p.kvCacheUsage, p.name).toBe(0);
    }
  });
});
