import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kthenaRouter } from '../../src/catalog/kthena-router.ts';
import { GOODPUT_OUTCOMES, routerGoodputRequests } from '../../src/catalog/reference-router.ts';
import { parseRouterConfig } from '../../src/runtime/router/config.ts';
import { goodputOutcome, targetsOf } from '../../src/runtime/router/goodput.ts';
import { sumSamples } from '../../src/runtime/telemetry/exposition.ts';
import { conformanceProblems } from './conformance.ts';
import { chat, startRig, type Rig } from './router-fixture.ts';

const targets = { timeToFirstToken: 200, interTokenLatency: 20 };

describe('goodput outcome of one request', () => {
  const at = (firstToken: number | undefined, lastToken: number | undefined, outputTokens: number) => ({
    started: 1000,
    firstTokenAt: firstToken === undefined ? undefined : 1000 + firstToken,
    lastTokenAt: lastToken === undefined ? undefined : 1000 + lastToken,
    outputTokens,
  });

  it('meets both targets up to and including each target', () => {
    expect(goodputOutcome(200, at(200, 200 + 15 * 20, 16), targets)).toBe('met');
    expect(goodputOutcome(200, at(10, 10, 1), targets)).toBe('met');
  });

  it('misses the first-token target, which is judged before the gaps', () => {
    expect(goodputOutcome(200, at(201, 300, 16), targets)).toBe('ttft_missed');
    expect(goodputOutcome(200, at(900, 900 + 15 * 100, 16), targets)).toBe('ttft_missed');
  });

  it('misses the inter-token target on the mean gap after the first token', () => {
    expect(goodputOutcome(200, at(50, 50 + 15 * 21, 16), targets)).toBe('itl_missed');
  });

  it('counts every status of 400 and above as failed, however fast', () => {
    for (const status of [400, 429, 499, 500, 502, 503]) expect(goodputOutcome(status, at(1, 2, 2), targets)).toBe('failed');
  });

  it('judges a request without output tokens or without targets on its status alone', () => {
    expect(goodputOutcome(200, at(undefined, undefined, 0), targets)).toBe('met');
    expect(goodputOutcome(200, at(5000, 5000, 1), undefined)).toBe('met');
  });

  it('takes a route\'s targets over the router\'s defaults, one by one', () => {
    expect(targetsOf({ timeToFirstToken: 1000, interTokenLatency: 100 }, { timeToFirstToken: 250 })).toEqual({ timeToFirstToken: 250, interTokenLatency: 100 });
    const config = parseRouterConfig({
      modelServers: [{ name: 's', pods: [{ name: 'p', address: '127.0.0.1:1' }] }],
      modelRoutes: [{ name: 'm', model: 'm', targets: [{ modelServer: 'default/s' }], goodput: { interTokenLatency: '50ms' } }],
    });
    expect(config.observability.goodput).toEqual({ timeToFirstToken: 1000, interTokenLatency: 100 });
    expect(config.modelRoutes[0]!.goodput).toEqual({ interTokenLatency: 50 });
    expect(() => parseRouterConfig({ ...config, observability: { goodput: { timeToFirstToken: '0s' } } })).toThrow(/goodput.timeToFirstToken: must be longer than 0/);
  });
});

/**
 * One model per outcome, each behind its own simulator, with the same targets on every route; the slow
 * ones miss by a wide margin and the fast one has room for a busy machine.
 */
describe('the router counts goodput per model', () => {
  let rig: Rig;
  const models = ['fast', 'slow-first', 'slow-tokens', 'broken'] as const;

  beforeAll(async () => {
    rig = await startRig({
      sims: [
        { model: 'fast', faults: { ttftMs: 2, itlMs: 1 } },
        { model: 'slow-first', faults: { ttftMs: 800, itlMs: 1 } },
        { model: 'slow-tokens', faults: { ttftMs: 2, itlMs: 60 } },
        { model: 'broken', faults: { errorRate: 1 } },
      ],
      config: (a) => ({
        server: { retries: 0 },
        modelServers: models.map((m, i) => ({ name: m, pods: [{ name: `${m}-0`, address: a[i]! }] })),
        modelRoutes: models.map((m) => ({ name: m, model: m, targets: [{ modelServer: `default/${m}` }], goodput: { timeToFirstToken: '500ms', interTokenLatency: '30ms' } })),
      }),
    });
    for (const m of models) for (const stream of [true, false]) await (await rig.post('/v1/chat/completions', chat(m, 'Hello', { stream }))).text();
  });

  afterAll(() => rig.close());

  it('exposes the family as the catalog declares it, every outcome of every routed model from the start', async () => {
    const exposed = await rig.scrape();
    expect(conformanceProblems(exposed, kthenaRouter.spec.metrics).filter((p) => p.startsWith(routerGoodputRequests.name))).toEqual([]);
    const series = exposed.get(routerGoodputRequests.name)!.samples.map((s) => `${s.labels.model}/${s.labels.outcome}`);
    expect(series.sort()).toEqual(models.flatMap((m) => GOODPUT_OUTCOMES.map((o) => `${m}/${o}`)).sort());
  });

  it('sorts each request into met, ttft_missed, itl_missed or failed', async () => {
    const exposed = await rig.scrape();
    const count = (model: string, outcome: string) => sumSamples(exposed, routerGoodputRequests.name, { model, outcome });
    expect(count('fast', 'met')).toBe(2);
    expect(count('slow-first', 'ttft_missed')).toBe(2);
    // Streamed, its tokens trickle in 60 ms apart; whole, all of them arrive after the last one.
    expect(count('slow-tokens', 'itl_missed')).toBe(1);
    expect(count('slow-tokens', 'ttft_missed')).toBe(1);
    expect(count('broken', 'failed')).toBe(2);
    expect(sumSamples(exposed, routerGoodputRequests.name, { outcome: 'met' })).toBe(2);
  });

  it('counts exactly the requests kthena_router_requests_total counts, so their ratio is exact', async () => {
    const exposed = await rig.scrape();
    for (const model of models)
      expect(sumSamples(exposed, routerGoodputRequests.name, { model })).toBe(sumSamples(exposed, 'kthena_router_requests_total', { model }));
  });
});
