import { z } from 'zod';

/**
 * The tracing backend of the stack, when it has one: spans go over OTLP to an OpenTelemetry Collector,
 * which adds Kubernetes metadata, derives request/error/duration metrics from the spans (the
 * `spanmetrics` connector) and forwards the traces to Tempo or Jaeger. Both backends take OTLP natively;
 * Jaeger's own Thrift/gRPC protocols and the collector's former `jaeger` exporter are not used. Spans
 * keep the `service.name` each component gives them: a collector that overwrote it would merge the router
 * and its pods into one service, and a `namespace` on the Prometheus exporter would rename every span metric.
 */

export const TRACING_BACKENDS = ['tempo', 'jaeger'] as const;
export type TracingBackend = (typeof TRACING_BACKENDS)[number];

/** Span attributes the span metrics keep by default: what the router's spans say about the GenAI request and its route. */
export const DEFAULT_SPAN_METRICS_DIMENSIONS = ['gen_ai.operation.name', 'gen_ai.request.model', 'kthena.router.model_route'] as const;

const hostPort = z.string().regex(/^[^\s/:]+:\d{1,5}$/, 'expected host:port');

/** Bucket bounds (ms) of the span duration histogram: 1 ms to 2 min, which covers a long generation. */
export const DEFAULT_SPAN_DURATION_BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000];

export const tracingSpecSchema = z.strictObject({
  backend: z.enum(TRACING_BACKENDS),
  /** The backend's query API as Grafana reaches it: Tempo's HTTP port (3200), Jaeger's query service (16686). */
  queryUrl: z.string().url(),
  /** OTLP/gRPC `host:port` the collector sends traces to (Tempo's distributor or Jaeger's collector, 4317). */
  otlpEndpoint: hostPort,
  /** Plaintext to the backend, as inside a cluster without a service mesh; false uses TLS with the system roots. */
  insecure: z.boolean().default(true),
  collector: z
    .strictObject({
      /** Where the collector's spanmetrics output is served for Prometheus to scrape. */
      prometheusPort: z.number().int().min(1).max(65535).default(8889),
      /** Span attributes that become labels of the span metrics, besides service, span name, kind and status. Keep them bounded. */
      spanMetricsDimensions: z.array(z.string().min(1)).default([...DEFAULT_SPAN_METRICS_DIMENSIONS]),
      spanDurationBucketsMs: z.array(z.number().positive()).min(1).default(DEFAULT_SPAN_DURATION_BUCKETS_MS),
      /** Memory the collector may use before it refuses data, as a share of its container limit. */
      memoryLimitPercentage: z.number().int().min(10).max(95).default(80),
    })
    .prefault({}),
});
export type TracingSpec = z.input<typeof tracingSpecSchema>;
export type Tracing = z.output<typeof tracingSpecSchema>;
