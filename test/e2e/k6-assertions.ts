import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { k6HttpReqDurationP99, k6HttpReqsTotal } from '../../src/catalog/k6.ts';
import type { CheckResult } from './assertions.ts';
import { instantQuery, prometheusTargets } from './http-api.ts';
import type { K6Push, K6Results } from './k6-results.ts';
import type { PhaseCounts } from './load.ts';

/**
 * The k6 results on the bench Prometheus, read after the load stopped: they came in by remote write (the
 * receiver answered writes, no target of the bench serves them, no series has a scrape's `job`), their
 * request and failure counts equal the load generator's own per scenario, and the trend statistics
 * Prometheus holds are the ones computed where the requests were measured.
 */

/** After the load stops: one agent scrape and one remote-write batch must land within this. */
const SETTLE_MS = 20_000;
/** Pushed statistics are float64 both ways; anything above rounding is a changed value. */
const RELATIVE_TOLERANCE = 1e-9;

interface ValueSample {
  metric: Record<string, string>;
  value: [number, string];
}

async function values(prometheusUrl: string, expr: string): Promise<ValueSample[]> {
  return (await instantQuery(prometheusUrl, expr)) as unknown as ValueSample[];
}

/** `metric{labels} value` lines of a text exposition, for one metric name. */
async function scrapeValue(url: string, name: string, labels: Record<string, string>): Promise<number> {
  const res = await request(url, { headersTimeout: 5000, bodyTimeout: 5000 });
  const text = await res.body.text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** The load generator's own totals per model: answered requests, and those k6 counts as failed (status 0 or ≥ 400). */
export function loadTotals(counts: Record<string, Record<string, PhaseCounts>>): Map<string, { requests: number; failed: number }> {
  const totals = new Map<string, { requests: number; failed: number }>();
  for (const byModel of Object.values(counts))
    for (const [model, c] of Object.entries(byModel)) {
      const t = totals.get(model) ?? { requests: 0, failed: 0 };
      for (const [status, n] of Object.entries(c.statuses)) {
        t.requests += n;
        if (status === 'network' || (/^\d+$/.test(status) && Number(status) >= 400)) t.failed += n;
      }
      totals.set(model, t);
    }
  return totals;
}

function byScenario(samples: readonly ValueSample[]): Map<string, number> {
  return new Map(samples.map((s) => [s.metric.scenario ?? '', Number(s.value[1])]));
}

export async function checkK6Push(
  stack: { prometheusUrl: string },
  push: K6Push,
  results: K6Results,
  counts: Record<string, Record<string, PhaseCounts>>,
): Promise<CheckResult[]> {
  const area = 'k6 remote write';
  const out: CheckResult[] = [];
  const writes = await scrapeValue(`${stack.prometheusUrl}/metrics`, 'prometheus_http_requests_total', { handler: '/api/v1/write', code: '204' });
  const sent = await scrapeValue(`${push.agentUrl}/metrics`, 'prometheus_remote_storage_samples_total', {});
  const failedSamples = await scrapeValue(`${push.agentUrl}/metrics`, 'prometheus_remote_storage_samples_failed_total', {});
  const withJob = await values(stack.prometheusUrl, 'count({__name__=~"k6_.+", job!=""})');
  const servedBy = (await prometheusTargets(stack.prometheusUrl)).filter((t) => t.scrapeUrl === push.exporterUrl);
  const pushed = writes > 0 && sent > 0 && failedSamples === 0 && withJob.length === 0 && servedBy.length === 0;
  out.push({
    area,
    name: 'k6 series arrive by remote write, not by a scrape',
    outcome: pushed ? 'pass' : 'fail',
    detail:
      `${writes} writes accepted at /api/v1/write; the agent sent ${sent} samples, ${failedSamples} failed; ` +
      `${withJob.length === 0 ? 'no' : Number(withJob[0]!.value[1])} k6 series with a job label; ${servedBy.length} bench targets serve them`,
  });

  const expected = loadTotals(counts);
  const deadline = Date.now() + SETTLE_MS;
  let requests = new Map<string, number>();
  let failed = new Map<string, number>();
  const agree = () =>
    [...expected].every(([model, t]) => requests.get(model) === t.requests && (failed.get(model) ?? 0) === t.failed) && requests.size === expected.size;
  do {
    requests = byScenario(await values(stack.prometheusUrl, `sum by (scenario) (${k6HttpReqsTotal.name})`));
    failed = byScenario(await values(stack.prometheusUrl, `sum by (scenario) (${k6HttpReqsTotal.name}{expected_response="false"})`));
    if (agree()) break;
    await sleep(2000);
  } while (Date.now() < deadline);
  for (const [model, t] of expected) {
    const got = { requests: requests.get(model) ?? 0, failed: failed.get(model) ?? 0 };
    out.push({
      area,
      name: `${model}: pushed request and failure counts equal the load generator's`,
      outcome: got.requests === t.requests && got.failed === t.failed ? 'pass' : 'fail',
      detail: `Prometheus ${got.requests} requests, ${got.failed} failed; load generator ${t.requests}, ${t.failed} (status 0 or ≥ 400); tolerance 0 within ${SETTLE_MS / 1000}s of the load stopping`,
    });
  }

  const local = (await results.registry.getSingleMetric(k6HttpReqDurationP99.name)!.get()).values;
  const remote = await values(stack.prometheusUrl, k6HttpReqDurationP99.name);
  const key = (labels: Partial<Record<string, string | number>>) =>
    JSON.stringify(
      Object.entries(labels)
        .filter(([k]) => k !== '__name__')
        .map(([k, v]) => [k, String(v)])
        .sort(([a], [b]) => a!.localeCompare(b!)),
    );
  const remoteByKey = new Map(remote.map((s) => [key(s.metric), Number(s.value[1])]));
  const differing = local.filter((l) => {
    const r = remoteByKey.get(key(l.labels));
    return r === undefined || Math.abs(r - l.value) > RELATIVE_TOLERANCE * Math.max(Math.abs(l.value), 1e-12);
  });
  out.push({
    area,
    name: `${k6HttpReqDurationP99.name} in Prometheus is what was measured`,
    outcome: local.length > 0 && differing.length === 0 && remote.length === local.length ? 'pass' : 'fail',
    detail: `${local.length} series measured, ${remote.length} in Prometheus, ${differing.length} differ by more than ${RELATIVE_TOLERANCE} relative${
      differing[0] ? ` (first: ${key(differing[0].labels)})` : ''
    }`,
  });
  return out;
}
