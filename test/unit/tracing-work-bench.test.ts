import { describe, expect, it } from 'vitest';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { keepingSpans, measureTracingWork, traceRequest } from '../../bench/tracing-work.ts';
import { Tracing } from '../../src/runtime/telemetry/tracing.ts';

interface OtlpJson {
  resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string; kind: number; traceId: string; attributes: Array<{ key: string }> }> }> }>;
}

describe('tracing work bench', () => {
  it('measures the spans the router makes for a request: one trace, a server and a client span with the GenAI attributes', () => {
    const ended: ReadableSpan[] = [];
    traceRequest(Tracing.create('router', [keepingSpans(ended)], 1), 0);
    const body = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(ended))) as OtlpJson;
    const spans = body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(spans.map((s) => s.kind).sort()).toEqual([2, 3]);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    for (const span of spans) expect(span.attributes.map((a) => a.key)).toContain('gen_ai.request.model');
  });

  it('reports every part of the work, and JSON larger than protobuf', () => {
    const work = measureTracingWork(1, 200);
    for (const value of [work.sampledSpansUs, work.unsampledUs, work.otlpJsonUs, work.otlpProtobufUs]) expect(value).toBeGreaterThan(0);
    expect(work.otlpJsonBytes).toBeGreaterThan(work.otlpProtobufBytes);
    expect(work.otlpProtobufBytes).toBeGreaterThan(0);
    expect({ rounds: work.rounds, requests: work.requests }).toEqual({ rounds: 1, requests: 200 });
  });
});
