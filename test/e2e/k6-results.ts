import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Counter, Gauge, Registry } from 'prom-client';
import { stringify } from 'yaml';
import {
  k6ChecksRate,
  k6DataReceivedTotal,
  k6DataSentTotal,
  k6DroppedIterationsTotal,
  k6HttpReqDurationMed,
  k6HttpReqDurationP90,
  k6HttpReqDurationP95,
  k6HttpReqDurationP99,
  k6HttpReqFailedRate,
  k6HttpReqsTotal,
  k6HttpReqWaitingP99,
  k6IterationDurationP99,
  k6IterationsTotal,
  k6Vus,
  k6VusMax,
} from '../../src/catalog/k6.ts';
import type { MetricSpec } from '../../src/model/catalog.ts';
import { closeServer, listen } from '../../src/runtime/http-server.ts';
import type { LoadGenerator, ModelLoad, RequestResult } from './load.ts';
import { startChild, waitReady, type ChildHandle } from './processes.ts';

/**
 * The loop's own load, reported as k6 reports a run to Prometheus (`k6 run --out experimental-prometheus-rw`
 * with K6_PROMETHEUS_RW_TREND_STATS=p(99),p(95),p(90),med): each model is a constant-arrival-rate
 * scenario, each request one iteration, a tick the generator skips for lack of room a dropped iteration,
 * a request in flight an active VU. Series names and labels are the catalog's k6 families; every sample
 * carries the run's `testid` and the request tags k6 sets (method, status, name and url, which k6 sets to
 * the URL when the script names none, expected_response for statuses 200–399). A request with no response
 * has status 0; a stream cut off after its 200 headers keeps status 200, as k6 sees it, and fails the
 * script's completeness check instead. Trend statistics and rates are taken over every sample of the
 * series so far, as k6's sinks keep them, in seconds. Unlike k6, a series is sent on every scrape, not
 * only after new samples; its values are the same.
 *
 * The push is real remote write: a Prometheus in agent mode scrapes these series, strips the target
 * labels a scrape adds (k6 sends none) and writes them to the bench Prometheus's /api/v1/write.
 */

export const K6_TESTID = 'live-loop';

/** The script's checks: k6 reports each as `k6_checks_rate{check=...}`. */
const CHECKS = { status: 'status is 200', complete: 'completion arrives in full' } as const;

const TREND_STATS = [
  { metric: k6HttpReqDurationP99, quantile: 0.99 },
  { metric: k6HttpReqDurationP95, quantile: 0.95 },
  { metric: k6HttpReqDurationP90, quantile: 0.9 },
  { metric: k6HttpReqDurationMed, quantile: 0.5 },
] as const;

/** The percentile as k6's trend sink computes it: linear between the two nearest sorted samples. */
export function k6Percentile(sorted: readonly number[], quantile: number): number {
  if (sorted.length === 0) return 0;
  if (sorted.length === 1) return sorted[0]!;
  const at = quantile * (sorted.length - 1);
  const lower = Math.floor(at);
  const upper = Math.min(lower + 1, sorted.length - 1);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (at - lower);
}

type Labels = Record<string, string>;

/** Samples of one trend series, sorted on read only when new ones arrived. */
class Trend {
  private values: number[] = [];
  private sorted = true;
  add(value: number): void {
    this.values.push(value);
    this.sorted = false;
  }
  percentile(quantile: number): number {
    if (!this.sorted) {
      this.values.sort((a, b) => a - b);
      this.sorted = true;
    }
    return k6Percentile(this.values, quantile);
  }
}

/** True and total samples of one rate series. */
interface Rate {
  trues: number;
  total: number;
}

const labelNames = (m: MetricSpec) => Object.keys(m.labels ?? {});
const keyOf = (labels: Labels) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

export class K6Results {
  readonly registry = new Registry();
  private readonly trends = new Map<string, { labels: Labels; duration: Trend; waiting: Trend }>();
  private readonly iterations = new Map<string, { labels: Labels; duration: Trend }>();
  private readonly failed = new Map<string, { labels: Labels; rate: Rate }>();
  private readonly checks = new Map<string, { labels: Labels; rate: Rate }>();
  private readonly requests: Counter;
  private readonly iterationsTotal: Counter;
  private readonly sent: Counter;
  private readonly received: Counter;
  private load: { generator: LoadGenerator; scenarios: readonly ModelLoad[] } | undefined;

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({ name: k6HttpReqsTotal.name, help: k6HttpReqsTotal.help, labelNames: labelNames(k6HttpReqsTotal), registers });
    this.iterationsTotal = new Counter({ name: k6IterationsTotal.name, help: k6IterationsTotal.help, labelNames: labelNames(k6IterationsTotal), registers });
    this.sent = new Counter({ name: k6DataSentTotal.name, help: k6DataSentTotal.help, labelNames: labelNames(k6DataSentTotal), registers });
    this.received = new Counter({ name: k6DataReceivedTotal.name, help: k6DataReceivedTotal.help, labelNames: labelNames(k6DataReceivedTotal), registers });
    const collected = (metric: MetricSpec, fill: (gauge: Gauge) => void) =>
      new Gauge({
        name: metric.name,
        help: metric.help,
        labelNames: labelNames(metric),
        registers,
        collect() {
          this.reset();
          fill(this);
        },
      });
    for (const stat of TREND_STATS)
      collected(stat.metric, (g) => {
        for (const t of this.trends.values()) g.set(t.labels, t.duration.percentile(stat.quantile));
      });
    collected(k6HttpReqWaitingP99, (g) => {
      for (const t of this.trends.values()) g.set(t.labels, t.waiting.percentile(0.99));
    });
    collected(k6IterationDurationP99, (g) => {
      for (const t of this.iterations.values()) g.set(t.labels, t.duration.percentile(0.99));
    });
    collected(k6HttpReqFailedRate, (g) => {
      for (const f of this.failed.values()) g.set(f.labels, f.rate.trues / f.rate.total);
    });
    collected(k6ChecksRate, (g) => {
      for (const c of this.checks.values()) g.set(c.labels, c.rate.trues / c.rate.total);
    });
    collected(k6Vus, (g) => {
      if (this.load) g.set({ testid: K6_TESTID }, Object.values(this.load.generator.inFlight()).reduce((a, b) => a + b, 0));
    });
    collected(k6VusMax, (g) => {
      if (this.load) g.set({ testid: K6_TESTID }, this.load.scenarios.reduce((a, s) => a + s.maxInFlight, 0));
    });
    collected(k6DroppedIterationsTotal, (g) => {
      if (!this.load) return;
      const counts = this.load.generator.counts();
      for (const s of this.load.scenarios) {
        const dropped = Object.values(counts).reduce((a, byModel) => a + (byModel[s.model]?.skipped ?? 0), 0);
        g.set({ testid: K6_TESTID, scenario: s.model }, dropped);
      }
    });
  }

  /** The generator whose VUs and dropped iterations are reported, with its scenarios. */
  track(generator: LoadGenerator, scenarios: readonly ModelLoad[]): void {
    this.load = { generator, scenarios };
  }

  /** k6's tags of one HTTP request. */
  static httpTags(r: RequestResult): Labels {
    const status = r.status === 'network' ? 0 : r.httpStatus;
    return {
      testid: K6_TESTID,
      scenario: r.model,
      method: 'POST',
      status: String(status),
      name: r.url,
      url: r.url,
      expected_response: String(status >= 200 && status < 400),
    };
  }

  readonly observe = (r: RequestResult): void => {
    const tags = K6Results.httpTags(r);
    const run = { testid: K6_TESTID, scenario: r.model };
    this.requests.inc(tags);
    this.iterationsTotal.inc(run);
    this.sent.inc(run, r.sentBytes);
    this.received.inc(run, r.receivedBytes);
    const key = keyOf(tags);
    let trend = this.trends.get(key);
    if (!trend) this.trends.set(key, (trend = { labels: tags, duration: new Trend(), waiting: new Trend() }));
    trend.duration.add(r.durationMs / 1000);
    trend.waiting.add(r.waitingMs / 1000);
    let iteration = this.iterations.get(r.model);
    if (!iteration) this.iterations.set(r.model, (iteration = { labels: run, duration: new Trend() }));
    iteration.duration.add(r.durationMs / 1000);
    let failed = this.failed.get(key);
    if (!failed) this.failed.set(key, (failed = { labels: tags, rate: { trues: 0, total: 0 } }));
    failed.rate.total++;
    if (tags.expected_response === 'false') failed.rate.trues++;
    this.check(r.model, CHECKS.status, r.httpStatus === 200);
    this.check(r.model, CHECKS.complete, r.status === '200');
  };

  private check(scenario: string, check: string, passed: boolean): void {
    const key = `${scenario}\n${check}`;
    let c = this.checks.get(key);
    if (!c) this.checks.set(key, (c = { labels: { testid: K6_TESTID, scenario, check }, rate: { trues: 0, total: 0 } }));
    c.rate.total++;
    if (passed) c.rate.trues++;
  }
}

export interface K6Push {
  /** Where the agent scrapes the results. */
  exporterUrl: string;
  /** The agent's own metrics (its remote-write queue). */
  agentUrl: string;
  stop(): Promise<void>;
}

/**
 * Serves the results and starts a Prometheus agent that scrapes them every `scrapeInterval` and remote-writes
 * only the k6 series (not the agent's `up` and scrape series) to `writeUrl`.
 */
export async function startK6Push(options: {
  results: K6Results;
  prometheusBinary: string;
  writeUrl: string;
  workDir: string;
  scrapeInterval: string;
  agentPort: number;
}): Promise<K6Push> {
  const { results } = options;
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    void results.registry.metrics().then((text) => res.writeHead(200, { 'content-type': results.registry.contentType }).end(text));
  });
  const port = await listen(server, 0, '127.0.0.1');
  const exporter = `127.0.0.1:${port}`;
  const config = {
    global: { scrape_interval: options.scrapeInterval },
    scrape_configs: [
      {
        job_name: 'k6-results',
        static_configs: [{ targets: [exporter] }],
        metric_relabel_configs: [{ action: 'labeldrop', regex: 'job|instance' }],
      },
    ],
    remote_write: [
      {
        url: options.writeUrl,
        queue_config: { batch_send_deadline: '1s' },
        write_relabel_configs: [{ source_labels: ['__name__'], regex: 'k6_.+', action: 'keep' }],
      },
    ],
  };
  const configFile = join(options.workDir, 'k6-agent.yml');
  writeFileSync(configFile, stringify(config));
  const agentUrl = `http://127.0.0.1:${options.agentPort}`;
  const agent: ChildHandle = startChild(
    'prometheus agent (k6 push)',
    options.prometheusBinary,
    [
      '--agent',
      `--config.file=${configFile}`,
      `--storage.agent.path=${join(options.workDir, 'k6-agent-data')}`,
      `--web.listen-address=127.0.0.1:${options.agentPort}`,
    ],
    join(options.workDir, 'k6-agent.log'),
  );
  try {
    await waitReady(agent, `${agentUrl}/-/ready`);
  } catch (err) {
    await closeServer(server);
    throw err;
  }
  return {
    exporterUrl: `http://${exporter}/metrics`,
    agentUrl,
    async stop() {
      await agent.stop();
      await closeServer(server);
    },
  };
}
