import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT_CONTEXT, SpanStatusCode } from '@opentelemetry/api';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { otelCollectorGenerator } from '../../generators/otel-collector/config.ts';
import { prometheusConfigGenerator } from '../../generators/prometheus/config.ts';
import { SPAN_KINDS, SPAN_STATUS_CODES, otelSpanMetrics, spanMetricsCalls, spanMetricsDuration } from '../../src/catalog/otel-spanmetrics.ts';
import { OUT } from '../../src/conventions.ts';
import type { Plan } from '../../src/plan/index.ts';
import { artifactText } from '../../src/emit/render.ts';
import { buildModel, generateArtifacts } from '../../src/pipeline.ts';
import { parseExposition } from '../../src/runtime/telemetry/exposition.ts';
import { Tracing } from '../../src/runtime/telemetry/tracing.ts';
import { benchCollectorConfig, startTraceBackendStandIn, type TraceBackendStandIn } from '../e2e/span-metrics.ts';
import { freePort, startChild, waitReady, type ChildHandle } from '../e2e/processes.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { toolPath } from '../support/tools.ts';

/**
 * The span-metric families are what the generated collector config makes the pinned collector serve:
 * derived from the config's settings, and read from the exposition of a real `otelcol` fed real spans.
 */

let model: Plan;
beforeAll(async () => {
  model = (await buildModel(join(PROJECT_ROOT, 'specs'), PROJECT_ROOT)).model!;
}, 60_000);

type Config = Record<string, any>;
const generatedConfig = (): Config => parse(artifactText(otelCollectorGenerator(model)[0]!)) as Config;

/** The Prometheus name of a connector metric under the exporter's default translation (suffixes, `_` for dots). */
const promName = (namespace: string, metric: string, suffix: string) => `${namespace}.${metric}`.replace(/\./g, '_') + suffix;

describe('span-metric families follow from the generated collector config', () => {
  it('no connector namespace and no exporter namespace: the connector default `traces.span.metrics` names them', () => {
    const config = generatedConfig();
    expect(config.connectors.spanmetrics.namespace).toBeUndefined();
    expect(config.exporters.prometheus.namespace).toBeUndefined();
    expect(spanMetricsCalls.name).toBe(promName('traces.span.metrics', 'calls', '_total'));
    // No `histogram.unit`: the connector's default, milliseconds, which the exporter spells out as a suffix.
    expect(config.connectors.spanmetrics.histogram.unit).toBeUndefined();
    expect(spanMetricsDuration.name).toBe(promName('traces.span.metrics', 'duration', '_milliseconds'));
  });

  it('every configured dimension is a catalogued label, and the buckets are the config bounds in ms', () => {
    const config = generatedConfig();
    const dimensions = (config.connectors.spanmetrics.dimensions as Array<{ name: string }>).map((d) => d.name.replace(/\./g, '_'));
    for (const family of [spanMetricsCalls, spanMetricsDuration]) expect(Object.keys(family.labels)).toEqual(expect.arrayContaining(dimensions));
    const bounds = (config.connectors.spanmetrics.histogram.explicit.buckets as string[]).map((b) => Number(/^(\d+)ms$/.exec(b)![1]));
    expect(spanMetricsDuration.buckets).toEqual(bounds);
  });

  it('is scraped on the port the collector config serves it on, by a ServiceMonitor and a plain job', () => {
    const config = generatedConfig();
    expect(config.exporters.prometheus.endpoint).toBe(`0.0.0.0:${otelSpanMetrics.spec.port.number}`);
    const artifacts = generateArtifacts(model);
    const monitor = parse(artifactText(artifacts.find((a) => a.path === `${OUT.kubernetes}/service-monitors/${otelSpanMetrics.spec.name}.yaml`)!));
    expect(monitor.spec.endpoints[0].port).toBe(otelSpanMetrics.spec.port.name);
    expect(monitor.spec.namespaceSelector.matchNames).toEqual([otelSpanMetrics.spec.kubernetes.namespace]);
    const plain = parse(artifactText(prometheusConfigGenerator(model)[0]!)) as { scrape_configs: Array<{ job_name: string }> };
    expect(plain.scrape_configs.map((j) => j.job_name)).toContain(otelSpanMetrics.spec.job);
  });
});

describe('the pinned collector serves the catalogued families', () => {
  let dir: string;
  let collector: ChildHandle | undefined;
  let backend: TraceBackendStandIn | undefined;
  let backendSpans = new Map<string, number>();
  let exposition = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spanmetrics-'));
    backend = await startTraceBackendStandIn(dir);
    const ports = { grpc: await freePort(), http: await freePort(), metrics: await freePort(), health: await freePort() };
    const { config } = benchCollectorConfig(model.stack.value.tracing!, ports, backend.address);
    // The generated 15 s flush, shortened so the test waits for two flushes (a new calls series is 0 at its first).
    config.connectors.spanmetrics.metrics_flush_interval = '500ms';
    const file = join(dir, 'config.yaml');
    writeFileSync(file, stringify(config));
    collector = startChild('otelcol', toolPath('otelcol'), [`--config=${file}`], join(dir, 'otelcol.log'));
    await waitReady(collector, `http://127.0.0.1:${ports.health}/`);
    const tracing = Tracing.otlp({ serviceName: 'kthena-router', endpoint: `http://127.0.0.1:${ports.http}/v1/traces`, samplingRatio: 1, exportIntervalMs: 100 });
    for (const failed of [false, false, true]) {
      const span = tracing.startServerSpan('POST /v1/chat/completions', ROOT_CONTEXT, { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'llama-3-8b' });
      if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    await tracing.shutdown();
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const res = await request(`http://127.0.0.1:${ports.metrics}/metrics`);
      exposition = await res.body.text();
      backendSpans = await backend.spans();
      if (/^traces_span_metrics_calls_total\{[^}]*STATUS_CODE_UNSET[^}]*\} 2$/m.test(exposition) && [...backendSpans.values()].reduce((a, b) => a + b, 0) >= 3) break;
      await sleep(250);
    }
  }, 60_000);

  afterAll(async () => {
    await collector?.stop();
    await backend?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const samples = (name: string) => [...parseExposition(exposition).values()].flatMap((f) => f.samples.filter((s) => s.name === name));

  it('and sends the traces on over OTLP/gRPC through the generated backend exporter', () => {
    expect(Object.fromEntries(backendSpans)).toEqual({ 'kthena-router/POST /v1/chat/completions': 3 });
  });

  it('with the catalogued names and types', () => {
    expect(exposition).toMatch(new RegExp(`^# TYPE ${spanMetricsCalls.name} counter$`, 'm'));
    expect(exposition).toMatch(new RegExp(`^# TYPE ${spanMetricsDuration.name} histogram$`, 'm'));
  });

  it('with the catalogued labels and values, the exporter job becoming exported_job on a scrape', () => {
    const calls = samples(spanMetricsCalls.name);
    expect(calls.map((s) => [s.labels.status_code, s.value]).sort()).toEqual([
      ['STATUS_CODE_ERROR', 1],
      ['STATUS_CODE_UNSET', 2],
    ]);
    // Empty values are no labels to Prometheus; `job` is renamed by a scrape without honor_labels.
    const asScraped = (labels: Record<string, string>) =>
      Object.keys(labels)
        .filter((k) => labels[k] !== '')
        .map((k) => (k === 'job' ? 'exported_job' : k));
    const catalogued = Object.keys(spanMetricsCalls.labels);
    for (const s of [...calls, ...samples(`${spanMetricsDuration.name}_bucket`)]) {
      expect(catalogued).toEqual(expect.arrayContaining(asScraped(s.labels).filter((k) => k !== 'le')));
      expect(SPAN_KINDS).toContain(s.labels.span_kind);
      expect(SPAN_STATUS_CODES).toContain(s.labels.status_code);
      expect(s.labels).toMatchObject({ service_name: 'kthena-router', span_name: 'POST /v1/chat/completions', job: 'kthena-router', gen_ai_request_model: 'llama-3-8b' });
    }
  });

  it('with the catalogued bucket bounds', () => {
    const bounds = new Set(samples(`${spanMetricsDuration.name}_bucket`).map((s) => s.labels.le));
    expect([...bounds].filter((b) => b !== '+Inf').map(Number).sort((a, b) => a - b)).toEqual(spanMetricsDuration.buckets);
  });
});
