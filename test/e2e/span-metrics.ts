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
import { request } from 'undici';
import { parseExposition } from '../../src/runtime/telemetry/exposition.ts';
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
  /** The spans per service and span name that reached the trace backend's stand-in, as it counts them. */
  backendSpans(): Promise<Map<string, number>>;
  notes: string[];
  stop(): Promise<void>;
}

interface CollectorPorts {
  grpc: number;
  http: number;
  metrics: number;
  health: number;
}

/** The generated config on loopback ports, without what needs a cluster, sending its traces to `backendAddress`. */
export function benchCollectorConfig(tracing: Tracing, ports: CollectorPorts, backendAddress: string): { config: Config; notes: string[] } {
  const config = structuredClone(otelCollectorConfig(tracing)) as Config;
  const backend = backendExporterName(tracing);
  const notes = [
    'the collector runs without k8sattributes: it reads pod metadata from the Kubernetes API, and the bench has no cluster',
    `the collector's ${backend} exporter sends to a second collector standing in for ${tracing.backend} (OTLP/gRPC in, spans counted per service and name), not to ${tracing.otlpEndpoint}`,
    "the spans reach the collector through the bench's own OTLP receiver, which takes every export and relays it unchanged to the collector's OTLP/HTTP port",
    `the collector listens on loopback ports chosen per run, not on 0.0.0.0:4317/4318/${tracing.collector.prometheusPort}/13133, and serves no telemetry of its own`,
  ];
  delete config.processors.k8sattributes;
  for (const pipeline of Object.values(config.service.pipelines) as Array<{ processors: string[] }>)
    pipeline.processors = pipeline.processors.filter((p) => p !== 'k8sattributes');
  config.exporters[backend].endpoint = backendAddress;
  config.receivers.otlp.protocols.grpc.endpoint = `127.0.0.1:${ports.grpc}`;
  config.receivers.otlp.protocols.http.endpoint = `127.0.0.1:${ports.http}`;
  config.exporters.prometheus.endpoint = `127.0.0.1:${ports.metrics}`;
  config.extensions.health_check.endpoint = `127.0.0.1:${ports.health}`;
  config.service.telemetry = { metrics: { level: 'none' } };
  return { config, notes };
}

/**
 * The trace backend's stand-in: a collector of the same build taking OTLP/gRPC, as Tempo and Jaeger do, and
 * counting what arrives per service and span name through its span metrics, flushed every second.
 */
function backendStandInConfig(ports: { grpc: number; metrics: number; health: number }): Config {
  return {
    receivers: { otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${ports.grpc}` } } } },
    connectors: { spanmetrics: { dimensions: [], metrics_flush_interval: '1s' } },
    exporters: { prometheus: { endpoint: `127.0.0.1:${ports.metrics}` } },
    extensions: { health_check: { endpoint: `127.0.0.1:${ports.health}` } },
    service: {
      extensions: ['health_check'],
      telemetry: { metrics: { level: 'none' } },
      pipelines: { traces: { receivers: ['otlp'], exporters: ['spanmetrics'] }, metrics: { receivers: ['spanmetrics'], exporters: ['prometheus'] } },
    },
  };
}

async function startCollector(name: string, config: Config, workDir: string, healthPort: number): Promise<ChildHandle> {
  const base = join(workDir, name.replace(/\s+/g, '-'));
  writeFileSync(`${base}.yaml`, stringify(config));
  const collector = startChild(name, toolPath('otelcol'), [`--config=${base}.yaml`], `${base}.log`);
  await waitReady(collector, `http://127.0.0.1:${healthPort}/`);
  return collector;
}

/** `service/span name` → calls, from the stand-in's exposition. */
async function spansCounted(metricsUrl: string): Promise<Map<string, number>> {
  const res = await request(metricsUrl);
  const counts = new Map<string, number>();
  for (const family of parseExposition(await res.body.text()).values())
    for (const { name, labels, value } of family.samples) {
      if (name !== spanMetricsCalls.name) continue;
      const key = `${labels.service_name}/${labels.span_name}`;
      counts.set(key, (counts.get(key) ?? 0) + value);
    }
  return counts;
}

export interface TraceBackendStandIn {
  /** OTLP/gRPC `host:port`. */
  address: string;
  /** `service/span name` → spans received. */
  spans(): Promise<Map<string, number>>;
  stop(): Promise<void>;
}

export async function startTraceBackendStandIn(workDir: string): Promise<TraceBackendStandIn> {
  const ports = { grpc: await freePort(), metrics: await freePort(), health: await freePort() };
  const collector = await startCollector('trace backend stand-in', backendStandInConfig(ports), workDir, ports.health);
  return { address: `127.0.0.1:${ports.grpc}`, spans: () => spansCounted(`http://127.0.0.1:${ports.metrics}/metrics`), stop: () => collector.stop() };
}

export async function startBenchCollector(tracing: Tracing, workDir: string): Promise<BenchCollector> {
  const backend = await startTraceBackendStandIn(workDir);
  const ports = { grpc: await freePort(), http: await freePort(), metrics: await freePort(), health: await freePort() };
  const { config, notes } = benchCollectorConfig(tracing, ports, backend.address);
  let collector: ChildHandle;
  try {
    collector = await startCollector('otel collector', config, workDir, ports.health);
  } catch (err) {
    await backend.stop();
    throw err;
  }
  return {
    tracesUrl: `http://127.0.0.1:${ports.http}/v1/traces`,
    metricsAddress: `127.0.0.1:${ports.metrics}`,
    backendSpans: () => backend.spans(),
    notes,
    stop: async () => {
      await collector.stop();
      await backend.stop();
    },
  };
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
export async function checkSpanMetrics(
  prometheusUrl: string,
  service: string,
  received: () => readonly ReceivedSpan[],
  relayFailures: number,
  backendSpans: () => Promise<Map<string, number>>,
): Promise<CheckResult[]> {
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
  let exported = new Map<string, number>();
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    countSent();
    calls = await perName(`sum by (span_name) (${spanMetricsCalls.name}{service_name="${service}"})`);
    durations = await perName(`sum by (span_name) (${spanMetricsDuration.name}_count{service_name="${service}"})`);
    exported = await backendSpans();
    const agree =
      sent.size > 0 && [...sent].every(([name, n]) => close(calls.get(name), n) && close(durations.get(name), n) && close(exported.get(`${service}/${name}`), n));
    if (agree || Date.now() > deadline) break;
    await sleep(3000);
  }
  const results: CheckResult[] = [...sent].map(([name, n]) => ({
    area,
    name: `${service} span "${name}": calls and duration count per span name`,
    outcome: close(calls.get(name), n) && close(durations.get(name), n) ? 'pass' : 'fail',
    detail: `${calls.get(name) ?? 'no'} calls and ${durations.get(name) ?? 'no'} durations in Prometheus for ${n} spans received (tolerance ${TOLERANCE * 100} %; ${relayFailures} relays failed)`,
  }));
  results.push(
    ...[...sent].map(([name, n]): CheckResult => ({
      area,
      name: `${service} span "${name}" leaves the collector for the trace backend over OTLP/gRPC`,
      outcome: close(exported.get(`${service}/${name}`), n) ? 'pass' : 'fail',
      detail: `the backend's stand-in took ${exported.get(`${service}/${name}`) ?? 'no'} of ${n} spans received (tolerance ${TOLERANCE * 100} %)`,
    })),
  );
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
