import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { backendExporterName, otelCollectorConfig } from '../../generators/otel-collector/config.ts';
import { spanMetricsCalls, spanMetricsDuration } from '../../src/catalog/otel-spanmetrics.ts';
import type { Tracing } from '../../src/model/tracing.ts';
import { toolPath } from '../support/tools.ts';
import type { CheckResult } from './assertions.ts';
import { instantQuery } from './http-api.ts';
import { freePort, startChild, waitReady, type ChildHandle } from './processes.ts';
import type { ReceivedSpan } from '../support/otlp-receiver.ts';

/**
 * The generated OpenTelemetry Collector config run by the pinned collector build: spans in over OTLP/HTTP,
 * the spanmetrics connector, the Prometheus exporter the bench Prometheus scrapes as the span-metrics
 * source. What the bench changes is returned as notes for the report.
 */

type Config = Record<string, any>;

export interface BenchCollector {
  /** OTLP/HTTP traces endpoint. */
  tracesUrl: string;
  /** `host:port` of the span metrics for Prometheus. */
  metricsAddress: string;
  notes: string[];
  stop(): Promise<void>;
}

/** The generated config on loopback ports, without what needs a cluster or a trace backend. */
export function benchCollectorConfig(tracing: Tracing, ports: { grpc: number; http: number; metrics: number; health: number }): { config: Config; notes: string[] } {
  const config = structuredClone(otelCollectorConfig(tracing)) as Config;
  const backend = backendExporterName(tracing);
  const notes = [
    'the collector runs without k8sattributes: it reads pod metadata from the Kubernetes API, and the bench has no cluster',
    `the collector exports no traces (${backend} left out: no ${tracing.backend} on the bench); the OTLP receiver of the bench takes every export and relays it unchanged to the collector's OTLP/HTTP port`,
    `the collector listens on loopback ports chosen per run, not on 0.0.0.0:4317/4318/${tracing.collector.prometheusPort}/13133, and serves no telemetry of its own`,
  ];
  delete config.processors.k8sattributes;
  delete config.exporters[backend];
  for (const pipeline of Object.values(config.service.pipelines) as Array<{ processors: string[]; exporters: string[] }>) {
    pipeline.processors = pipeline.processors.filter((p) => p !== 'k8sattributes');
    pipeline.exporters = pipeline.exporters.filter((e) => e !== backend);
  }
  config.receivers.otlp.protocols.grpc.endpoint = `127.0.0.1:${ports.grpc}`;
  config.receivers.otlp.protocols.http.endpoint = `127.0.0.1:${ports.http}`;
  config.exporters.prometheus.endpoint = `127.0.0.1:${ports.metrics}`;
  config.extensions.health_check.endpoint = `127.0.0.1:${ports.health}`;
  config.service.telemetry = { metrics: { level: 'none' } };
  return { config, notes };
}

export async function startBenchCollector(tracing: Tracing, workDir: string): Promise<BenchCollector> {
  const ports = { grpc: await freePort(), http: await freePort(), metrics: await freePort(), health: await freePort() };
  const { config, notes } = benchCollectorConfig(tracing, ports);
  const file = join(workDir, 'otel-collector.yaml');
  writeFileSync(file, stringify(config));
  const collector: ChildHandle = startChild('otel collector', toolPath('otelcol'), [`--config=${file}`], join(workDir, 'otel-collector.log'));
  await waitReady(collector, `http://127.0.0.1:${ports.health}/`);
  return { tracesUrl: `http://127.0.0.1:${ports.http}/v1/traces`, metricsAddress: `127.0.0.1:${ports.metrics}`, notes, stop: () => collector.stop() };
}

/** Waits for a flush of the connector (every 15 s as generated) and a scrape after it. */
const SETTLE_MS = 45_000;
/** Spans still in the connector or the batch when Prometheus is read. */
const TOLERANCE = 0.01;

interface ValueSample {
  metric: Record<string, string>;
  value: [number, string];
}

/**
 * Prometheus holds calls and durations of every span name the router exported, in the catalog's names and
 * labels, and the calls per span name equal the router's spans the receiver took, within 1 %.
 */
export async function checkSpanMetrics(prometheusUrl: string, service: string, received: () => readonly ReceivedSpan[], relayFailures: number): Promise<CheckResult[]> {
  const area = 'span metrics';
  const sent = new Map<string, number>();
  const countSent = () => {
    sent.clear();
    for (const s of received()) if (s.service === service) sent.set(s.name, (sent.get(s.name) ?? 0) + 1);
  };
  const query = async (expr: string) => (await instantQuery(prometheusUrl, expr)) as unknown as ValueSample[];
  const perName = async (expr: string) => new Map((await query(expr)).map((s) => [s.metric.span_name ?? '', Number(s.value[1])]));
  const close = (got: number | undefined, want: number) => got !== undefined && Math.abs(got - want) <= TOLERANCE * want;
  let calls = new Map<string, number>();
  let durations = new Map<string, number>();
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    countSent();
    calls = await perName(`sum by (span_name) (${spanMetricsCalls.name}{service_name="${service}"})`);
    durations = await perName(`sum by (span_name) (${spanMetricsDuration.name}_count{service_name="${service}"})`);
    const agree = sent.size > 0 && [...sent].every(([name, n]) => close(calls.get(name), n) && close(durations.get(name), n));
    if (agree || Date.now() > deadline) break;
    await sleep(3000);
  }
  const results: CheckResult[] = [...sent].map(([name, n]) => ({
    area,
    name: `${service} span "${name}": calls and duration count per span name`,
    outcome: close(calls.get(name), n) && close(durations.get(name), n) ? 'pass' : 'fail',
    detail: `${calls.get(name) ?? 'no'} calls and ${durations.get(name) ?? 'no'} durations in Prometheus for ${n} spans received (tolerance ${TOLERANCE * 100} %; ${relayFailures} relays failed)`,
  }));
  if (sent.size === 0) results.push({ area, name: `${service} spans`, outcome: 'fail', detail: 'the receiver took no spans of the router' });

  const known = new Set(['job', 'instance', '__name__', 'le', ...Object.keys(spanMetricsCalls.labels)]);
  const series = [
    ...(await query(`${spanMetricsCalls.name}{service_name="${service}"}`)),
    ...(await query(`${spanMetricsDuration.name}_bucket{service_name="${service}"}`)),
  ];
  const unknown = [...new Set(series.flatMap((s) => Object.keys(s.metric)).filter((l) => !known.has(l)))].sort();
  const buckets = new Set((await query(`${spanMetricsDuration.name}_bucket{service_name="${service}"}`)).map((s) => Number(s.metric.le)));
  const missingBuckets = (spanMetricsDuration.buckets ?? []).filter((b) => !buckets.has(b));
  results.push({
    area,
    name: 'span-metric series carry the catalog labels and buckets',
    outcome: series.length > 0 && unknown.length === 0 && missingBuckets.length === 0 ? 'pass' : 'fail',
    detail: `${series.length} series; labels outside the catalog: ${unknown.join(', ') || 'none'}; catalog buckets missing: ${missingBuckets.join(', ') || 'none'}`,
  });
  return results;
}
