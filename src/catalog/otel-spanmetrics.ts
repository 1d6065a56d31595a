import { label, metric, type LabelSpec } from '../model/catalog.ts';
import { defineSource } from '../model/spec.ts';
import { DEFAULT_SPAN_DURATION_BUCKETS_MS } from '../model/tracing.ts';

/**
 * Request, error and duration series the OpenTelemetry Collector derives from spans: the `spanmetrics`
 * connector of the trace path (`generators/otel-collector/config.ts`) counts every span and times it, and
 * the collector's `prometheus` exporter serves the result. Read at collector-contrib v0.155.0:
 *
 * - `connector/spanmetricsconnector/factory.go`: namespace `traces.span.metrics`, cumulative temporality,
 *   durations in milliseconds (seconds only behind the alpha gate `useSecondAsDefaultMetricsUnit`).
 * - `connector/spanmetricsconnector/connector.go`: the metrics `calls` (a monotonic sum) and `duration`
 *   (a histogram with unit `ms`); every point carries `service.name`, `span.name`, `span.kind`
 *   (`SPAN_KIND_*`) and `status.code` (`STATUS_CODE_*`; `otel.status_code` only behind the alpha gate
 *   `useOtelPrefix`), the beta gate `includeCollectorInstanceID` (on by default) adds
 *   `collector.instance.id`, then each configured dimension the span or its resource has.
 * - `connector/spanmetricsconnector/internal/metrics/metrics.go`: a new `calls` series is flushed as 0 once
 *   and carries its count from the next flush on, so `increase()` sees its first spans; the duration
 *   histogram has no such first point.
 * - `exporter/prometheusexporter/collector.go`: suffixes on (`_total`, `_milliseconds`), dots escaped to
 *   underscores, the scope as `otel_scope_name` (`spanmetricsconnector`; its empty version and schema URL
 *   labels are dropped by Prometheus), and `job` from the span's `service.name` (prefixed with
 *   `service.namespace/` when set). A scrape without `honor_labels` keeps the scrape job and moves that
 *   one to `exported_job`, which is how these families are catalogued.
 *
 * The dimension labels are the tracing model's defaults; a stack that configures other
 * `spanMetricsDimensions` gets other labels.
 */

export const SPAN_KINDS = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
] as const;
export const SPAN_STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'] as const;

const DIMENSION = 'the span carries the attribute and the connector lists it in `dimensions` (the tracing model does by default)';

const spanLabels = {
  service_name: label.bounded('service.name of the span'),
  span_name: label.bounded('span name, e.g. `POST /v1/chat/completions` or `chat llama-3-8b`'),
  span_kind: label.enum(SPAN_KINDS, 'span kind'),
  status_code: label.enum(SPAN_STATUS_CODES, 'span status'),
  collector_instance_id: label.bounded('service.instance.id of the collector that counted the span; new on each collector start'),
  otel_scope_name: label.enum(['spanmetricsconnector'], 'instrumentation scope of the derived metrics'),
  exported_job: label.bounded('the job the exporter derives from service.namespace/service.name, moved aside by the scrape'),
  gen_ai_operation_name: label.bounded(`GenAI operation; present when ${DIMENSION}`),
  gen_ai_request_model: label.bounded(`model named in the request; present when ${DIMENSION}`),
  kthena_router_model_route: label.bounded(`ModelRoute the router matched; present when ${DIMENSION}`),
} satisfies Record<string, LabelSpec>;

export const spanMetricsCalls = metric({
  name: 'traces_span_metrics_calls_total',
  type: 'counter',
  help: 'Spans the collector received, per service, span name, kind, status and dimension.',
  unit: 'spans',
  labels: spanLabels,
});

export const spanMetricsDuration = metric({
  name: 'traces_span_metrics_duration_milliseconds',
  type: 'histogram',
  help: 'Span duration (end minus start) in milliseconds, per service, span name, kind, status and dimension.',
  unit: 'milliseconds',
  labels: spanLabels,
  // The bounds the generated collector config sets (the tracing model's default), not the connector's own.
  buckets: [...DEFAULT_SPAN_DURATION_BUCKETS_MS],
});

export const OTEL_SPANMETRICS_METRICS = [spanMetricsCalls, spanMetricsDuration] as const;

export const OTEL_SPANMETRICS_RELEASE = 'v0.155.0';

export const otelSpanMetrics = defineSource({
  name: 'otel-spanmetrics',
  component: 'OpenTelemetry Collector (span metrics)',
  job: 'otel-collector-spanmetrics',
  // The collector's prometheus exporter: the stack's `tracing.collector.prometheusPort` (a check holds them equal).
  port: { name: 'spanmetrics', number: 8889 },
  path: '/metrics',
  scrapeInterval: '15s',
  // The collector of the trace path, as the upstream opentelemetry-collector chart labels it, next to the trace backend.
  kubernetes: {
    namespace: 'observability',
    serviceLabels: { 'app.kubernetes.io/name': 'opentelemetry-collector' },
    podLabels: { 'app.kubernetes.io/name': 'opentelemetry-collector' },
  },
  history: { upstream: 'open-telemetry/opentelemetry-collector-contrib', releases: [OTEL_SPANMETRICS_RELEASE], current: OTEL_SPANMETRICS_RELEASE },
  metrics: [...OTEL_SPANMETRICS_METRICS],
});
