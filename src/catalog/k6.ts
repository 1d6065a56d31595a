import { label, metric, type LabelSpec } from '../model/catalog.ts';
import { defineSource } from '../model/spec.ts';

/**
 * k6 load-test results pushed with `k6 run --out experimental-prometheus-rw`. Every series gets the `k6_`
 * prefix; counters end in `_total`, rates (fractions) in `_rate`. A trend (such as http_req_duration) has
 * no fixed buckets, so by default it arrives as one gauge per statistic named after the statistic
 * (`k6_http_req_duration_p99`), in seconds for time trends. Trend statistics and rates cover every sample
 * of the series since the run started: the output keeps one sink per series for the whole run and sends
 * a series again only when it has new samples (grafana/xk6-output-prometheus-remote,
 * pkg/remotewrite/remotewrite.go, the code k6 took in as `experimental-prometheus-rw`). Only p(99) is sent unless
 * K6_PROMETHEUS_RW_TREND_STATS lists more; the other statistics are conditional on that setting. The
 * native-histogram form (`k6_http_req_duration_seconds`, K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM) has
 * no classic buckets and is not catalogued.
 *
 * Tags become labels. `testid` exists only when the run is tagged with `--tag testid=...`, which every
 * comparison across runs needs.
 */

/** Trend statistics k6 can send, as they appear in series names (`p(95)` becomes `p95`). */
export const K6_TREND_STATS = ['p99', 'p95', 'p90', 'med', 'avg', 'min', 'max'] as const;
export type K6TrendStat = (typeof K6_TREND_STATS)[number];
/** The statistic sent when K6_PROMETHEUS_RW_TREND_STATS is not set. */
export const K6_DEFAULT_TREND_STAT: K6TrendStat = 'p99';

const testid = label.bounded('test run id from --tag testid=...');
const scenario = label.bounded('k6 scenario name');
const group = label.bounded('k6 group path, e.g. ::chat');

const runLabels = { testid, scenario } satisfies Record<string, LabelSpec>;
const httpLabels = {
  testid,
  scenario,
  group,
  method: label.bounded('HTTP method'),
  status: label.bounded('HTTP status code, "0" when no response arrived'),
  name: label.bounded('request name set by the script; the URL when the script sets none'),
  url: label.unbounded('request URL'),
  expected_response: label.enum(['true', 'false'], 'whether the status counts as expected'),
} satisfies Record<string, LabelSpec>;

function trendStatCondition(stat: K6TrendStat): string | undefined {
  if (stat === K6_DEFAULT_TREND_STAT) return undefined;
  const spelled = stat.startsWith('p') ? `p(${stat.slice(1)})` : stat;
  return `K6_PROMETHEUS_RW_TREND_STATS includes ${spelled}`;
}

function httpDurationStat(stat: K6TrendStat) {
  const conditional = trendStatCondition(stat);
  return metric({
    name: `k6_http_req_duration_${stat}`,
    type: 'gauge',
    help: `${stat} of HTTP request duration (sending, waiting and receiving) since the run started.`,
    unit: 'seconds',
    labels: httpLabels,
    ...(conditional ? { conditional } : {}),
  });
}

export const k6HttpReqsTotal = metric({
  name: 'k6_http_reqs_total',
  type: 'counter',
  help: 'HTTP requests k6 made.',
  unit: 'requests',
  labels: httpLabels,
});

export const k6HttpReqFailedRate = metric({
  name: 'k6_http_req_failed_rate',
  type: 'gauge',
  help: 'Fraction of HTTP requests with an unexpected response since the run started, 0 to 1.',
  unit: 'ratio',
  labels: httpLabels,
});

export const k6HttpReqDurationP99 = httpDurationStat('p99');
export const k6HttpReqDurationP95 = httpDurationStat('p95');
export const k6HttpReqDurationP90 = httpDurationStat('p90');
export const k6HttpReqDurationMed = httpDurationStat('med');
export const k6HttpReqDurationAvg = httpDurationStat('avg');
export const k6HttpReqDurationMin = httpDurationStat('min');
export const k6HttpReqDurationMax = httpDurationStat('max');

export const k6HttpReqWaitingP99 = metric({
  name: 'k6_http_req_waiting_p99',
  type: 'gauge',
  help: 'p99 of time to first byte (waiting for the response) since the run started.',
  unit: 'seconds',
  labels: httpLabels,
});

export const k6IterationDurationP99 = metric({
  name: 'k6_iteration_duration_p99',
  type: 'gauge',
  help: 'p99 of the duration of one script iteration since the run started.',
  unit: 'seconds',
  labels: { ...runLabels, group },
});

export const k6IterationsTotal = metric({
  name: 'k6_iterations_total',
  type: 'counter',
  help: 'Script iterations completed.',
  unit: 'iterations',
  labels: runLabels,
});

export const k6DroppedIterationsTotal = metric({
  name: 'k6_dropped_iterations_total',
  type: 'counter',
  help: 'Iterations an arrival-rate executor could not start for lack of free VUs.',
  unit: 'iterations',
  labels: runLabels,
});

export const k6Vus = metric({
  name: 'k6_vus',
  type: 'gauge',
  help: 'Active virtual users.',
  unit: 'vus',
  labels: { testid },
});

export const k6VusMax = metric({
  name: 'k6_vus_max',
  type: 'gauge',
  help: 'Allocated virtual users.',
  unit: 'vus',
  labels: { testid },
});

export const k6ChecksRate = metric({
  name: 'k6_checks_rate',
  type: 'gauge',
  help: 'Fraction of checks that passed, 0 to 1.',
  unit: 'ratio',
  labels: { ...runLabels, group, check: label.bounded('check name') },
});

export const k6DataSentTotal = metric({
  name: 'k6_data_sent_total',
  type: 'counter',
  help: 'Bytes sent by k6.',
  unit: 'bytes',
  labels: runLabels,
});

export const k6DataReceivedTotal = metric({
  name: 'k6_data_received_total',
  type: 'counter',
  help: 'Bytes received by k6.',
  unit: 'bytes',
  labels: runLabels,
});

export const K6_METRICS = [
  k6HttpReqsTotal,
  k6HttpReqFailedRate,
  k6HttpReqDurationP99,
  k6HttpReqDurationP95,
  k6HttpReqDurationP90,
  k6HttpReqDurationMed,
  k6HttpReqDurationAvg,
  k6HttpReqDurationMin,
  k6HttpReqDurationMax,
  k6HttpReqWaitingP99,
  k6IterationDurationP99,
  k6IterationsTotal,
  k6DroppedIterationsTotal,
  k6Vus,
  k6VusMax,
  k6ChecksRate,
  k6DataSentTotal,
  k6DataReceivedTotal,
] as const;

export const k6 = defineSource({
  name: 'k6',
  component: 'k6 load generator',
  // Pushed series carry no job label of their own; `job` names the source for grouping and docs.
  job: 'k6',
  // The receiving end: Prometheus's remote-write receiver (--web.enable-remote-write-receiver).
  port: { name: 'web', number: 9090 },
  path: '/api/v1/write',
  scrapeInterval: '5s',
  delivery: 'remote-write',
  metrics: [...K6_METRICS],
});
