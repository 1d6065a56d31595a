import { OUT } from '../../src/conventions.ts';
import { fileHeader, type Artifact } from '../../src/model/artifact.ts';
import type { Model } from '../../src/model/model.ts';
import type { Tracing } from '../../src/model/tracing.ts';

/**
 * The OpenTelemetry Collector config of the stack's trace path: OTLP in (gRPC 4317, HTTP 4318), then
 * `memory_limiter` first and `batch` last as the collector's documentation orders them, with
 * `k8sattributes` between so every span names its pod, namespace and workload. The traces pipeline
 * exports to the backend over OTLP and into the `spanmetrics` connector, whose metrics pipeline serves
 * request, error and duration series for Prometheus. Needs a collector build with the contrib
 * components (`otelcol-contrib` or a custom build): `k8sattributes` and `spanmetrics` are not in core.
 */

export const OTEL_COLLECTOR_CONFIG = `${OUT.otelCollector}/config.yaml`;

/** Ports of the collector itself, as its images expose them. */
const OTLP_GRPC_PORT = 4317;
const OTLP_HTTP_PORT = 4318;
const HEALTH_CHECK_PORT = 13133;

/** Pod metadata `k8sattributes` adds to each span's resource (the pod is matched by the connection's IP). */
const K8S_METADATA = [
  'k8s.namespace.name',
  'k8s.pod.name',
  'k8s.pod.uid',
  'k8s.node.name',
  'k8s.deployment.name',
  'k8s.statefulset.name',
  'k8s.daemonset.name',
];

export function backendExporterName(tracing: Tracing): string {
  return `otlp/${tracing.backend}`;
}

export function otelCollectorConfig(tracing: Tracing): Record<string, unknown> {
  const exporter = backendExporterName(tracing);
  return {
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `0.0.0.0:${OTLP_GRPC_PORT}` },
          http: { endpoint: `0.0.0.0:${OTLP_HTTP_PORT}` },
        },
      },
    },
    processors: {
      memory_limiter: {
        check_interval: '1s',
        limit_percentage: tracing.collector.memoryLimitPercentage,
        spike_limit_percentage: Math.min(25, Math.floor(tracing.collector.memoryLimitPercentage / 4)),
      },
      k8sattributes: {
        auth_type: 'serviceAccount',
        passthrough: false,
        extract: { metadata: K8S_METADATA },
        pod_association: [
          { sources: [{ from: 'resource_attribute', name: 'k8s.pod.ip' }] },
          { sources: [{ from: 'resource_attribute', name: 'k8s.pod.uid' }] },
          { sources: [{ from: 'connection' }] },
        ],
      },
      batch: { send_batch_size: 1024, timeout: '1s' },
    },
    connectors: {
      spanmetrics: {
        histogram: { explicit: { buckets: tracing.collector.spanDurationBucketsMs.map((ms) => `${ms}ms`) } },
        dimensions: tracing.collector.spanMetricsDimensions.map((name) => ({ name })),
        exemplars: { enabled: true },
        metrics_flush_interval: '15s',
      },
    },
    exporters: {
      [exporter]: { endpoint: tracing.otlpEndpoint, tls: { insecure: tracing.insecure } },
      // OpenMetrics carries the connector's exemplars, so a span-metrics panel links to its traces.
      prometheus: { endpoint: `0.0.0.0:${tracing.collector.prometheusPort}`, enable_open_metrics: true },
    },
    extensions: { health_check: { endpoint: `0.0.0.0:${HEALTH_CHECK_PORT}` } },
    service: {
      extensions: ['health_check'],
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['memory_limiter', 'k8sattributes', 'batch'], exporters: [exporter, 'spanmetrics'] },
        'metrics/spanmetrics': { receivers: ['spanmetrics'], processors: ['memory_limiter', 'batch'], exporters: ['prometheus'] },
      },
    },
  };
}

/** out/otel-collector/config.yaml, when the stack names a tracing backend. */
export function otelCollectorGenerator(model: Model): Artifact[] {
  const tracing = model.stack.value.tracing;
  if (!tracing) return [];
  return [{ path: OTEL_COLLECTOR_CONFIG, format: 'yaml', document: otelCollectorConfig(tracing), header: fileHeader(model.stack.value, [model.stack.file]) }];
}
