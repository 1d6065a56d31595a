import type { IncomingHttpHeaders } from 'node:http';
import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/**
 * Spans of the reference router and the simulators: an explicit tracer provider (no global one, so two
 * components in one process keep their own service names), W3C `traceparent` in and out, and OTLP/HTTP
 * (JSON) export in batches. Parents are passed explicitly as contexts; no context manager is needed.
 */

export interface OtlpTracingOptions {
  /** `service.name` of every span. */
  serviceName: string;
  /** OTLP/HTTP traces endpoint, e.g. http://otel-collector:4318/v1/traces. */
  endpoint: string;
  /** Share of new traces recorded; a request that arrives with a `traceparent` follows its sampled flag. */
  samplingRatio: number;
  /** Longest time a finished span waits before it is exported. */
  exportIntervalMs: number;
}

export class Tracing {
  readonly tracer: Tracer;
  private readonly propagator = new W3CTraceContextPropagator();

  constructor(private readonly provider: TracerProvider) {
    this.tracer = provider.getTracer('infermon');
  }

  /** Exports over OTLP/HTTP with a parent-based ratio sampler. */
  static otlp(options: OtlpTracingOptions): Tracing {
    const exporter = new OTLPTraceExporter({ url: options.endpoint });
    const processor = new BatchSpanProcessor({ exporter, scheduledDelayMillis: options.exportIntervalMs });
    return Tracing.create(options.serviceName, [processor], options.samplingRatio);
  }

  static create(serviceName: string, spanProcessors: SpanProcessor[], samplingRatio = 1): Tracing {
    const sampler = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(samplingRatio) });
    return new Tracing(new TracerProvider({ resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }), sampler, spanProcessors }));
  }

  /** The caller's trace context from a request's `traceparent`/`tracestate` headers, else the root. */
  extract(headers: IncomingHttpHeaders): Context {
    if (headers.traceparent === undefined) return ROOT_CONTEXT;
    return this.propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  }

  /** Adds `traceparent` (and `tracestate`) for `span` to outgoing headers. */
  inject(span: Span, headers: Record<string, string>): void {
    this.propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
  }

  startServerSpan(name: string, parent: Context, attributes?: Attributes): Span {
    return this.tracer.startSpan(name, { kind: SpanKind.SERVER, ...(attributes ? { attributes } : {}) }, parent);
  }

  startClientSpan(name: string, parent: Span, attributes?: Attributes): Span {
    return this.tracer.startSpan(name, { kind: SpanKind.CLIENT, ...(attributes ? { attributes } : {}) }, trace.setSpan(ROOT_CONTEXT, parent));
  }

  /** Exports what is pending. */
  flush(): Promise<void> {
    return this.provider.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}

/** True when the span is recorded and exported, so an exemplar or a link to its trace leads somewhere. */
export function isSampled(span: Span): boolean {
  return (span.spanContext().traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
}

/** Ends a span with an error status when `status` is a server error (5xx), or when `error` is given. */
export function endWithStatus(span: Span, status: number | undefined, error?: string): void {
  if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
  else if (status !== undefined && status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}
