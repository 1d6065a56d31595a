import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { requestSpanEnded, startRequestSpan, startUpstreamSpan, upstreamSpanEnded, type RequestFacts } from '../src/runtime/router/spans.ts';
import { Tracing } from '../src/runtime/telemetry/tracing.ts';
import { median } from './stats.ts';

/**
 * What tracing a request costs the router's own thread, measured in process with no I/O: the router's span
 * functions through the OpenTelemetry SDK for one non-streamed request (its server span, the upstream
 * client span, the `traceparent` header, both spans ended with their attributes), and the OTLP
 * serialisation of those spans in the export batches the router's batch processor sends (512 spans), as
 * JSON (what the router exports) and as protobuf. It is the least that tracing every request can cost,
 * before any span leaves the process.
 */

export interface TracingWork {
  /** Both spans of a sampled request, started, attributed and ended. */
  sampledSpansUs: number;
  /** The same calls for a request whose trace is not sampled. */
  unsampledUs: number;
  /** OTLP/HTTP JSON serialisation of one request's spans. */
  otlpJsonUs: number;
  /** OTLP/HTTP protobuf serialisation of one request's spans. */
  otlpProtobufUs: number;
}

/** The batch processor's default export batch. */
const EXPORT_BATCH = 512;

function request(i: number): RequestFacts & { req: { method: string; headers: Record<string, string> } } {
  return {
    req: { method: 'POST', headers: {} },
    path: '/v1/chat/completions',
    pathLabel: '/v1/chat/completions',
    requestId: `request-${i}`,
    modelName: 'llama',
    modelRoute: 'default/llama',
    modelServer: 'default/llama',
    selectedPod: 'llama-0',
    inputTokens: 12,
    outputTokens: 8,
    finishReasons: ['stop'],
  };
}

/** One request's tracing as the router does it. */
export function traceRequest(tracing: Tracing, i: number): void {
  const ex = request(i);
  const span = startRequestSpan(tracing, ex);
  const upstream = startUpstreamSpan(tracing, span, {
    path: ex.path,
    model: 'llama',
    engine: 'vllm',
    stream: false,
    pod: { name: 'llama-0', address: '10.0.0.7:8000' },
    phase: undefined,
    attempt: 0,
  });
  const headers: Record<string, string> = {};
  tracing.inject(upstream ?? span, headers);
  upstreamSpanEnded(upstream, { status: 200, usage: { promptTokens: 12, completionTokens: 8 }, finishReasons: ['stop'] });
  requestSpanEnded(span, ex, 200, 'none');
}

function microsPerRequest(requests: number, work: () => void): number {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1000 / requests;
}

function serialised(spans: readonly ReadableSpan[], serialise: (batch: ReadableSpan[]) => Uint8Array | undefined): number {
  let bytes = 0;
  for (let i = 0; i < spans.length; i += EXPORT_BATCH) bytes += serialise(spans.slice(i, i + EXPORT_BATCH))?.length ?? 0;
  return bytes;
}

/** A span processor that keeps every ended span in `ended`, for serialising them afterwards. */
export function keepingSpans(ended: ReadableSpan[]): SpanProcessor {
  return { onStart() {}, onEnd: (span) => void ended.push(span), forceFlush: async () => {}, shutdown: async () => {} };
}

export interface MeasuredTracingWork extends TracingWork {
  otlpJsonBytes: number;
  otlpProtobufBytes: number;
  /** Counted rounds (after one warm-up) and requests per round the medians are over. */
  rounds: number;
  requests: number;
}

export function measureTracingWork(rounds = 5, requests = 20_000): MeasuredTracingWork {
  const ended: ReadableSpan[] = [];
  const keep = keepingSpans(ended);
  const sampled = Tracing.create('router', [keep], 1);
  const unsampled = Tracing.create('router', [keep], 0);
  const samples: Record<keyof TracingWork, number[]> = { sampledSpansUs: [], unsampledUs: [], otlpJsonUs: [], otlpProtobufUs: [] };
  let jsonBytes = 0;
  let protobufBytes = 0;
  // The first round warms the JIT up and is not counted.
  for (let round = 0; round <= rounds; round++) {
    ended.length = 0;
    const spans = microsPerRequest(requests, () => {
      for (let i = 0; i < requests; i++) traceRequest(sampled, i);
    });
    const json = microsPerRequest(requests, () => (jsonBytes = serialised(ended, (batch) => JsonTraceSerializer.serializeRequest(batch))));
    const protobuf = microsPerRequest(requests, () => (protobufBytes = serialised(ended, (batch) => ProtobufTraceSerializer.serializeRequest(batch))));
    const none = microsPerRequest(requests, () => {
      for (let i = 0; i < requests; i++) traceRequest(unsampled, i);
    });
    if (round === 0) continue;
    samples.sampledSpansUs.push(spans);
    samples.otlpJsonUs.push(json);
    samples.otlpProtobufUs.push(protobuf);
    samples.unsampledUs.push(none);
  }
  const medians = Object.fromEntries(Object.entries(samples).map(([key, values]) => [key, median(values)])) as unknown as TracingWork;
  return { ...medians, otlpJsonBytes: jsonBytes / requests, otlpProtobufBytes: protobufBytes / requests, rounds, requests };
}
