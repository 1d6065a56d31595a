import { describe, expect, it } from 'vitest';
import {
  K6_METRICS,
  k6ChecksRate,
  k6DroppedIterationsTotal,
  k6HttpReqDurationMed,
  k6HttpReqFailedRate,
  k6HttpReqsTotal,
  k6IterationsTotal,
  k6Vus,
  k6VusMax,
} from '../../src/catalog/k6.ts';
import { k6Percentile, K6Results, K6_TESTID } from '../e2e/k6-results.ts';
import { loadTotals } from '../e2e/k6-assertions.ts';
import type { LoadGenerator, RequestResult } from '../e2e/load.ts';

const result = (over: Partial<RequestResult>): RequestResult => ({
  model: 'llama-3-8b',
  url: 'http://127.0.0.1:8080/v1/chat/completions',
  status: '200',
  httpStatus: 200,
  waitingMs: 10,
  durationMs: 100,
  sentBytes: 300,
  receivedBytes: 900,
  ...over,
});

describe('k6 results of the live loop', () => {
  it("percentiles interpolate between the nearest samples, as k6's trend sink does", () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(k6Percentile(sorted, 0.5)).toBeCloseTo(5.5);
    expect(k6Percentile(sorted, 0.9)).toBeCloseTo(9.1);
    expect(k6Percentile(sorted, 0.99)).toBeCloseTo(9.91);
    expect(k6Percentile([7], 0.99)).toBe(7);
    expect(k6Percentile([], 0.99)).toBe(0);
  });

  it('tags a request as k6 does: no response is status 0, 200–399 are expected, a cut stream keeps its 200', () => {
    expect(K6Results.httpTags(result({ status: 'network', httpStatus: 0 }))).toMatchObject({ status: '0', expected_response: 'false', testid: K6_TESTID });
    expect(K6Results.httpTags(result({ status: '429', httpStatus: 429 }))).toMatchObject({ status: '429', expected_response: 'false' });
    expect(K6Results.httpTags(result({ status: 'broken', httpStatus: 200 }))).toMatchObject({ status: '200', expected_response: 'true', scenario: 'llama-3-8b' });
  });

  it('serves only catalogued k6 families, with counts, failure rates, checks and trends of what was observed', async () => {
    const k6 = new K6Results();
    const load = { inFlight: () => ({ 'llama-3-8b': 3 }), counts: () => ({ healthy: { 'llama-3-8b': { sent: 5, skipped: 2, statuses: {} } } }) } as unknown as LoadGenerator;
    k6.track(load, [{ model: 'llama-3-8b', rate: 8, maxInFlight: 24 }]);
    for (const ms of [100, 200, 300]) k6.observe(result({ durationMs: ms }));
    k6.observe(result({ status: 'broken' }));
    k6.observe(result({ status: '500', httpStatus: 500 }));
    const json = await k6.registry.getMetricsAsJSON();
    const names = json.map((m) => m.name);
    expect(names.every((n) => K6_METRICS.some((m) => m.name === n))).toBe(true);
    const values = (name: string) => json.find((m) => m.name === name)!.values as Array<{ labels: Record<string, string>; value: number }>;
    expect(values(k6HttpReqsTotal.name).map((v) => [v.labels.status, v.value]).sort()).toEqual([
      ['200', 4],
      ['500', 1],
    ]);
    expect(values(k6HttpReqFailedRate.name).find((v) => v.labels.status === '500')!.value).toBe(1);
    expect(values(k6ChecksRate.name).map((v) => [v.labels.check, v.value]).sort()).toEqual([
      ['completion arrives in full', 3 / 5],
      ['status is 200', 4 / 5],
    ]);
    expect(values(k6HttpReqDurationMed.name).find((v) => v.labels.status === '200')!.value).toBeCloseTo(0.15);
    expect(values(k6Vus.name)[0]!.value).toBe(3);
    expect(values(k6VusMax.name)[0]!.value).toBe(24);
    expect(values(k6DroppedIterationsTotal.name)[0]!.value).toBe(2);
    expect(values(k6IterationsTotal.name)[0]!.value).toBe(5);
  });

  it("counts the load generator's requests and k6's failures (status 0 or at least 400) per model", () => {
    const totals = loadTotals({
      healthy: { a: { sent: 4, skipped: 0, statuses: { '200': 3, broken: 1 } } },
      faults: { a: { sent: 3, skipped: 1, statuses: { '503': 1, network: 1, '429': 1 } } },
    });
    expect(totals.get('a')).toEqual({ requests: 7, failed: 3 });
  });
});
