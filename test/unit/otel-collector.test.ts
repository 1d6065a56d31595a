import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DATASOURCES_FILE, datasourcesGenerator, LOG_TRACE_ID_REGEX } from '../../generators/grafana/datasources.ts';
import { kubePrometheusStackValuesGenerator } from '../../generators/kubernetes/kube-prometheus-stack-values.ts';
import { OTEL_COLLECTOR_CONFIG, otelCollectorConfig, otelCollectorGenerator } from '../../generators/otel-collector/config.ts';
import type { Plan } from '../../src/plan/index.ts';
import { tracingSpecSchema, type TracingSpec } from '../../src/model/tracing.ts';
import { buildModel } from '../../src/pipeline.ts';
import { formatJson, formatText, type AccessLogEntry } from '../../src/runtime/router/access-log.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { runTool } from '../support/tools.ts';
import { withStack } from './wiring-fixture.ts';
import { artifactText } from '../../src/emit/render.ts';

type Config = Record<string, Record<string, unknown>> & {
  service: { extensions?: string[]; pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }> };
};

/** Component types of the collector (core and contrib) this config may use; `jaeger` was removed as an exporter. */
const KNOWN_TYPES = {
  receivers: ['otlp'],
  processors: ['memory_limiter', 'k8sattributes', 'batch'],
  exporters: ['otlp', 'prometheus'],
  connectors: ['spanmetrics'],
  extensions: ['health_check'],
} as const;

/**
 * What the collector checks when it loads a config, short of its per-component schemas: component IDs
 * are `type[/name]` of known types, pipelines name only defined components, each connector is an
 * exporter of one pipeline and a receiver of another, nothing is defined and left unused, and the
 * processors run memory_limiter first and batch last, as the collector's documentation asks.
 */
function collectorProblems(config: Config): string[] {
  const problems: string[] = [];
  for (const [kind, types] of Object.entries(KNOWN_TYPES)) {
    for (const id of Object.keys(config[kind] ?? {})) {
      const type = id.split('/')[0]!;
      if (!(types as readonly string[]).includes(type)) problems.push(`${kind}: unknown component type ${type} (${id})`);
    }
  }
  const defined = (kind: string) => new Set(Object.keys(config[kind] ?? {}));
  const connectors = defined('connectors');
  const used = { receivers: new Set<string>(), processors: new Set<string>(), exporters: new Set<string>() };
  const connectorEnds = new Map<string, { in: string[]; out: string[] }>();
  for (const [name, p] of Object.entries(config.service.pipelines)) {
    const signal = name.split('/')[0]!;
    if (!['traces', 'metrics', 'logs'].includes(signal)) problems.push(`pipeline ${name}: unknown signal ${signal}`);
    if (p.receivers.length === 0 || p.exporters.length === 0) problems.push(`pipeline ${name}: needs a receiver and an exporter`);
    for (const r of p.receivers) {
      if (connectors.has(r)) connectorEnds.set(r, { in: connectorEnds.get(r)?.in ?? [], out: [...(connectorEnds.get(r)?.out ?? []), name] });
      else if (!defined('receivers').has(r)) problems.push(`pipeline ${name}: receiver ${r} is not defined`);
      used.receivers.add(r);
    }
    for (const x of p.exporters) {
      if (connectors.has(x)) connectorEnds.set(x, { in: [...(connectorEnds.get(x)?.in ?? []), name], out: connectorEnds.get(x)?.out ?? [] });
      else if (!defined('exporters').has(x)) problems.push(`pipeline ${name}: exporter ${x} is not defined`);
      used.exporters.add(x);
    }
    const processors = p.processors ?? [];
    for (const x of processors) {
      if (!defined('processors').has(x)) problems.push(`pipeline ${name}: processor ${x} is not defined`);
      used.processors.add(x);
    }
    if (processors.includes('memory_limiter') && processors[0] !== 'memory_limiter') problems.push(`pipeline ${name}: memory_limiter must come first`);
    if (processors.includes('batch') && processors.at(-1) !== 'batch') problems.push(`pipeline ${name}: batch must come last`);
  }
  for (const c of connectors) {
    const ends = connectorEnds.get(c);
    if (!ends?.in.length || !ends.out.length) problems.push(`connector ${c} must be an exporter of one pipeline and a receiver of another`);
  }
  for (const kind of ['receivers', 'processors', 'exporters'] as const)
    for (const id of defined(kind)) if (!used[kind].has(id)) problems.push(`${kind}: ${id} is defined but in no pipeline`);
  for (const e of config.service.extensions ?? []) if (!defined('extensions').has(e)) problems.push(`extension ${e} is not defined`);
  return problems;
}

const tempo: TracingSpec = { backend: 'tempo', queryUrl: 'http://tempo.monitoring.svc:3200', otlpEndpoint: 'tempo.monitoring.svc:4317' };

let model: Plan;
beforeAll(async () => {
  model = (await buildModel(join(PROJECT_ROOT, 'specs'), PROJECT_ROOT)).model!;
});

describe('OpenTelemetry Collector config', () => {
  it('is structurally valid: OTLP in, k8sattributes and batch, spanmetrics, traces out to the backend over OTLP', () => {
    const [artifact] = otelCollectorGenerator(model);
    expect(artifact!.path).toBe(OTEL_COLLECTOR_CONFIG);
    const config = parse(artifactText(artifact!)) as Config;
    expect(collectorProblems(config)).toEqual([]);
    expect(config.service.pipelines.traces).toEqual({
      receivers: ['otlp'],
      processors: ['memory_limiter', 'k8sattributes', 'batch'],
      exporters: ['otlp/jaeger', 'spanmetrics'],
    });
    expect(config.exporters!['otlp/jaeger']).toEqual({ endpoint: 'kthena-jaeger-collector.observability.svc:4317', tls: { insecure: true } });
    expect(config.service.pipelines['metrics/spanmetrics']?.receivers).toEqual(['spanmetrics']);
    expect(artifactText(artifact!)).not.toMatch(/^\s+jaeger:/m);
  });

  it('writes Tempo as the OTLP destination and the span-metric dimensions as given', () => {
    const config = otelCollectorConfig(tracingSpecSchema.parse({ ...tempo, collector: { spanMetricsDimensions: ['gen_ai.request.model'] } })) as Config;
    expect(collectorProblems(config)).toEqual([]);
    expect(Object.keys(config.exporters!)).toEqual(['otlp/tempo', 'prometheus']);
    expect((config.connectors!.spanmetrics as { dimensions: unknown }).dimensions).toEqual([{ name: 'gen_ai.request.model' }]);
  });

  it('the structural check catches what the collector would refuse', () => {
    const config = otelCollectorConfig(tracingSpecSchema.parse(tempo)) as Config;
    const broken = structuredClone(config);
    broken.service.pipelines.traces!.processors = ['batch', 'k8sattributes', 'memory_limiter'];
    broken.service.pipelines.traces!.exporters = ['otlp/tempo'];
    (broken.exporters as Record<string, unknown>).jaeger = { endpoint: 'jaeger:14250' };
    expect(collectorProblems(broken)).toEqual([
      'exporters: unknown component type jaeger (jaeger)',
      'pipeline traces: memory_limiter must come first',
      'pipeline traces: batch must come last',
      'connector spanmetrics must be an exporter of one pipeline and a receiver of another',
      'exporters: jaeger is defined but in no pipeline',
    ]);
  });

  it('passes `otelcol validate` of a collector built with its components, which refuses a broken one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'otelcol-'));
    try {
      const validate = (body: string) => {
        const file = join(dir, 'config.yaml');
        writeFileSync(file, body);
        return runTool('otelcol', ['validate', `--config=${file}`]);
      };
      const [artifact] = otelCollectorGenerator(model);
      const ok = validate(artifactText(artifact!));
      expect(ok.stderr).toBe('');
      expect(ok.status).toBe(0);
      const tempoConfig = validate(artifactText(otelCollectorGenerator(withStack(model, { tracing: tracingSpecSchema.parse(tempo) }))[0]!));
      expect(tempoConfig.status).toBe(0);
      // The former `jaeger` exporter of the source documents: gone from the collector.
      const broken = validate(artifactText(artifact!).replace('  otlp/jaeger:', '  jaeger:').replace('        - otlp/jaeger', '        - jaeger'));
      expect(broken.status).not.toBe(0);
      expect(broken.stderr).toMatch(/jaeger/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is not written without a tracing backend, and rejects a URL as the OTLP endpoint', () => {
    expect(otelCollectorGenerator(withStack(model, { tracing: undefined }))).toEqual([]);
    const bad = tracingSpecSchema.safeParse({ ...tempo, otlpEndpoint: 'http://tempo:4317' });
    expect(bad.success).toBe(false);
  });
});

describe('linked datasources', () => {
  const datasources = (m: Plan) =>
    (parse(artifactText(datasourcesGenerator(m).find((a) => a.path === DATASOURCES_FILE)!)) as { datasources: Array<Record<string, any>> }).datasources;

  it('link Prometheus exemplars and Loki trace IDs to the trace datasource, and traces back to Loki', () => {
    for (const [m, uid, type] of [
      [model, 'jaeger', 'jaeger'],
      [withStack(model, { tracing: tracingSpecSchema.parse(tempo) }), 'tempo', 'tempo'],
    ] as const) {
      const [prometheus, loki, traces] = datasources(m);
      expect(prometheus!.jsonData.exemplarTraceIdDestinations).toEqual([{ name: 'trace_id', datasourceUid: uid }]);
      expect(loki!.jsonData.derivedFields).toEqual([expect.objectContaining({ datasourceUid: uid, matcherType: 'regex', url: '$${__value.raw}' })]);
      expect(traces).toMatchObject({ type, uid, isDefault: false, jsonData: { tracesToLogsV2: { datasourceUid: 'loki', filterByTraceID: true } } });
    }
    const tempoDatasource = datasources(withStack(model, { tracing: tracingSpecSchema.parse(tempo) }))[2]!;
    expect(tempoDatasource.jsonData.serviceMap).toEqual({ datasourceUid: 'prometheus' });
  });

  it('the derived-field regex finds the trace ID in both access-log formats the router writes', () => {
    const entry: AccessLogEntry = {
      timestamp: new Date(0),
      method: 'POST',
      path: '/v1/chat/completions',
      protocol: 'HTTP/1.1',
      status_code: 200,
      request_id: 'r1',
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      duration_total: 1,
      duration_request_processing: 0,
      duration_upstream_processing: 1,
      duration_response_processing: 0,
    };
    const regex = new RegExp(LOG_TRACE_ID_REGEX);
    expect(regex.exec(formatJson(entry))?.[1]).toBe(entry.trace_id);
    expect(regex.exec(formatText(entry))?.[1]).toBe(entry.trace_id);
    expect(regex.exec(formatJson({ ...entry, trace_id: undefined }))).toBeNull();
  });

  it('without a tracing backend, nothing links and no trace datasource is written', () => {
    const plain = datasources(withStack(model, { tracing: undefined }));
    expect(plain.map((d) => d.type)).toEqual(['prometheus', 'loki']);
    expect(plain.every((d) => d.jsonData === undefined)).toBe(true);
  });

  it('kube-prometheus-stack values link the chart Prometheus exemplars and add the trace datasource', () => {
    const values = parse(artifactText(kubePrometheusStackValuesGenerator(model)[0]!)) as Record<string, any>;
    expect(values.grafana.sidecar.datasources.exemplarTraceIdDestinations).toEqual({ datasourceUid: 'jaeger', traceIdLabelName: 'trace_id' });
    expect(values.grafana.additionalDataSources.map((d: { type: string }) => d.type)).toEqual(['loki', 'jaeger']);
  });
});
