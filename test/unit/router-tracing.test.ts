import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { Tracing } from '../../src/runtime/telemetry/tracing.ts';
import { startRequestSpan, startUpstreamSpan } from '../../src/runtime/router/spans.ts';
import { acceptsOpenMetrics } from '../../src/runtime/telemetry/exposition-negotiation.ts';
import { chat, startRig, type Rig } from './router-fixture.ts';

/** A tracer provider whose spans land in memory, one per component (router, each simulator). */
function memoryTracing(serviceName: string, samplingRatio = 1): { tracing: Tracing; spans: () => ReadableSpan[] } {
  const exporter = new InMemorySpanExporter();
  return { tracing: Tracing.create(serviceName, [new SimpleSpanProcessor({ exporter })], samplingRatio), spans: () => exporter.getFinishedSpans() };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const OPENMETRICS_ACCEPT = 'application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.2,*/*;q=0.1';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const tracingOn = (samplingRatio = 1) => ({ tracing: { enabled: true, samplingRatio } });

describe('router spans', () => {
  it('one trace: the server span, a client span per upstream call and the simulator span under it', async () => {
    const router = memoryTracing('kthena-router');
    const sim = memoryTracing('vllm');
    rig = await startRig({
      tracing: router.tracing,
      sims: [{ model: 'llama', outputTokens: 4, tracing: sim.tracing }],
      config: ([a]) => ({
        observability: tracingOn(),
        modelServers: [{ name: 'llama-server', pods: [{ name: 'llama-0', address: a! }] }],
        modelRoutes: [{ name: 'llama-route', model: 'llama', targets: [{ modelServer: 'default/llama-server' }] }],
      }),
    });
    const res = await rig.post('/v1/chat/completions', chat('llama', 'hi', { max_tokens: 4 }));
    expect(res.status).toBe(200);
    await res.text();
    await until(() => router.spans().length === 2 && sim.spans().length === 1, 'spans');

    const server = router.spans().find((s) => s.kind === SpanKind.SERVER)!;
    const client = router.spans().find((s) => s.kind === SpanKind.CLIENT)!;
    const [served] = sim.spans();
    expect(server.name).toBe('POST /v1/chat/completions');
    expect(server.parentSpanContext).toBeUndefined();
    expect(server.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/v1/chat/completions',
      'http.response.status_code': 200,
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'llama',
      'gen_ai.usage.input_tokens': 1,
      'gen_ai.usage.output_tokens': 4,
      'gen_ai.response.finish_reasons': ['length'],
      'kthena.router.model_route': 'default/llama-route',
      'kthena.router.model_server': 'default/llama-server',
      'kthena.router.selected_pod': 'llama-0',
    });
    expect(server.resource.attributes['service.name']).toBe('kthena-router');

    expect(client.name).toBe('chat llama');
    expect(client.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(client.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'vllm',
      'gen_ai.request.model': 'llama',
      'server.address': '127.0.0.1',
      'http.response.status_code': 200,
      'gen_ai.usage.output_tokens': 4,
      'kthena.router.pod': 'llama-0',
    });
    expect(client.attributes['kthena.router.phase']).toBeUndefined();

    // The simulator continued the trace from the traceparent the router sent.
    expect(served!.spanContext().traceId).toBe(server.spanContext().traceId);
    expect(served!.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
    expect(served!.kind).toBe(SpanKind.SERVER);
    expect(served!.name).toBe('chat llama');
    expect(served!.attributes).toMatchObject({ 'gen_ai.usage.output_tokens': 4, 'gen_ai.response.finish_reasons': ['length'] });

    // The access-log line carries the trace ID.
    const [line] = await rig.logLines();
    expect(JSON.parse(line!)).toMatchObject({ trace_id: server.spanContext().traceId });
  });

  it('prefill and decode are separate client spans, each continued by its simulator', async () => {
    const router = memoryTracing('kthena-router');
    const prefill = memoryTracing('vllm-prefill');
    const decode = memoryTracing('vllm-decode');
    rig = await startRig({
      tracing: router.tracing,
      sims: [
        { model: 'llama', role: 'prefill', tracing: prefill.tracing },
        { model: 'llama', role: 'decode', outputTokens: 3, tracing: decode.tracing },
      ],
      config: ([p, d]) => ({
        observability: tracingOn(),
        modelServers: [
          { name: 'pd', pods: [{ name: 'prefill-0', address: p!, role: 'prefill' }, { name: 'decode-0', address: d!, role: 'decode' }] },
        ],
        modelRoutes: [{ name: 'llama', model: 'llama', targets: [{ modelServer: 'default/pd' }] }],
      }),
    });
    const res = await rig.post('/v1/chat/completions', chat('llama', 'hello', { stream: true }));
    expect(res.status).toBe(200);
    await res.text();
    await until(() => router.spans().length === 3 && prefill.spans().length === 1 && decode.spans().length === 1, 'spans');
    const server = router.spans().find((s) => s.kind === SpanKind.SERVER)!;
    const byPhase = (phase: string) => router.spans().find((s) => s.attributes['kthena.router.phase'] === phase)!;
    for (const [phase, sim] of [['prefill', prefill], ['decode', decode]] as const) {
      const client = byPhase(phase);
      expect(client.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
      expect(sim.spans()[0]!.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
      expect(sim.spans()[0]!.spanContext().traceId).toBe(server.spanContext().traceId);
    }
    expect(byPhase('prefill').attributes['gen_ai.request.stream']).toBe(false);
    expect(byPhase('decode').attributes).toMatchObject({ 'gen_ai.request.stream': true, 'gen_ai.usage.output_tokens': 3, 'gen_ai.response.finish_reasons': ['stop'] });
    expect(server.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
  });

  it('continues a trace the client started, and follows its sampled flag', async () => {
    const router = memoryTracing('kthena-router', 0);
    const sim = memoryTracing('vllm', 0);
    rig = await startRig({
      tracing: router.tracing,
      sims: [{ model: 'llama', tracing: sim.tracing }],
      config: ([a]) => ({
        observability: tracingOn(0),
        modelServers: [{ name: 'llama', pods: [{ name: 'llama-0', address: a! }] }],
        modelRoutes: [{ name: 'llama', model: 'llama', targets: [{ modelServer: 'default/llama' }] }],
      }),
    });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await (await rig.post('/v1/chat/completions', chat('llama'), { traceparent: `00-${traceId}-00f067aa0ba902b7-01` })).text();
    await until(() => router.spans().length === 2 && sim.spans().length === 1, 'spans');
    const server = router.spans().find((s) => s.kind === SpanKind.SERVER)!;
    expect(server.spanContext().traceId).toBe(traceId);
    expect(server.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(sim.spans()[0]!.spanContext().traceId).toBe(traceId);

    // Not sampled by the caller and a ratio of 0: nothing recorded, but the log still names the trace.
    const unsampled = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    await (await rig.post('/v1/chat/completions', chat('llama'), { traceparent: `00-${unsampled}-00f067aa0ba902b7-00` })).text();
    await (await rig.post('/v1/chat/completions', chat('llama'))).text();
    await new Promise((r) => setTimeout(r, 100));
    expect(router.spans()).toHaveLength(2);
    expect(sim.spans()).toHaveLength(1);
    const lines = (await rig.logLines()).map((l) => JSON.parse(l) as { trace_id?: string });
    expect(lines.map((l) => l.trace_id)).toEqual([traceId, unsampled, expect.stringMatching(/^[0-9a-f]{32}$/)]);
    const exposition = await (await fetch(rig.router.metricsUrl!, { headers: { accept: OPENMETRICS_ACCEPT } })).text();
    const exemplarTraces = [...exposition.matchAll(/# \{trace_id="([0-9a-f]+)"\}/g)].map((m) => m[1]);
    expect(exemplarTraces).toEqual([traceId]);
  });

  it('an unsampled request opens no client span and passes its own span context upstream', () => {
    const { tracing, spans } = memoryTracing('kthena-router', 0);
    const request = startRequestSpan(tracing, { req: { method: 'POST', headers: {} }, path: '/v1/chat/completions', pathLabel: '/v1/chat/completions', requestId: 'r-1', modelName: undefined, modelRoute: undefined, modelServer: undefined, selectedPod: undefined, inputTokens: 0, outputTokens: 0, finishReasons: [] });
    const call = { path: '/v1/chat/completions', model: 'llama', engine: 'vllm', stream: false, pod: { name: 'llama-0', address: '10.0.0.1:8000' }, phase: undefined, attempt: 0 };
    expect(startUpstreamSpan(tracing, request, call)).toBeUndefined();
    const headers: Record<string, string> = {};
    tracing.inject(request, headers);
    const { traceId, spanId } = request.spanContext();
    expect(headers.traceparent).toBe(`00-${traceId}-${spanId}-00`);
    request.end();
    expect(spans()).toHaveLength(0);
  });

  it('each attempt on another pod is its own client span, and a failed request an error span', async () => {
    const router = memoryTracing('kthena-router');
    rig = await startRig({
      tracing: router.tracing,
      sims: [
        { model: 'llama', faults: { errorRate: 1 } },
        { model: 'llama', faults: { errorRate: 1 } },
      ],
      config: ([a, b]) => ({
        observability: tracingOn(),
        server: { retries: 1 },
        modelServers: [{ name: 'llama', pods: [{ name: 'llama-0', address: a! }, { name: 'llama-1', address: b! }] }],
        modelRoutes: [{ name: 'llama', model: 'llama', targets: [{ modelServer: 'default/llama' }] }],
      }),
    });
    const res = await rig.post('/v1/chat/completions', chat('llama'));
    expect(res.status).toBe(500);
    await res.text();
    await until(() => router.spans().length === 3, 'spans');
    const clients = router.spans().filter((s) => s.kind === SpanKind.CLIENT);
    expect(clients.map((s) => s.attributes['http.response.status_code'])).toEqual([500, 500]);
    expect(clients.map((s) => s.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.ERROR]);
    expect(clients.map((s) => s.attributes['http.request.resend_count'])).toEqual([undefined, 1]);
    expect(new Set(clients.map((s) => s.attributes['kthena.router.pod'])).size).toBe(2);
    const server = router.spans().find((s) => s.kind === SpanKind.SERVER)!;
    expect(server.status.code).toBe(SpanStatusCode.ERROR);
    expect(server.attributes).toMatchObject({ 'http.response.status_code': 500, 'error.type': 'upstream_response' });
  });
});

describe('trace exemplars', () => {
  it('the latency histogram carries the trace ID in OpenMetrics, and text scrapes stay as they were', async () => {
    const router = memoryTracing('kthena-router');
    rig = await startRig({
      tracing: router.tracing,
      sims: [{ model: 'llama' }],
      config: ([a]) => ({
        observability: tracingOn(),
        modelServers: [{ name: 'llama', pods: [{ name: 'llama-0', address: a! }] }],
        modelRoutes: [{ name: 'llama', model: 'llama', targets: [{ modelServer: 'default/llama' }] }],
      }),
    });
    await (await rig.post('/v1/chat/completions', chat('llama'))).text();
    await until(() => router.spans().length === 2, 'spans');
    const traceId = router.spans().find((s) => s.kind === SpanKind.SERVER)!.spanContext().traceId;

    const om = await fetch(rig.router.metricsUrl!, { headers: { accept: OPENMETRICS_ACCEPT } });
    expect(om.headers.get('content-type')).toContain('application/openmetrics-text');
    const body = await om.text();
    expect(body.endsWith('# EOF\n')).toBe(true);
    const exemplar = body.split('\n').find((l) => l.startsWith('kthena_router_request_duration_seconds_bucket') && l.includes('# {'));
    expect(exemplar).toMatch(new RegExp(`^kthena_router_request_duration_seconds_bucket\\{.*\\} \\d+ # \\{trace_id="${traceId}"\\} [0-9.e-]+ [0-9.]+$`));
    expect(body).toContain('kthena_router_requests_total{');

    // A text scrape after an OpenMetrics one: no exemplars, and counters keep their `_total` names.
    const text = await fetch(rig.router.metricsUrl!);
    expect(text.headers.get('content-type')).toContain('text/plain');
    const plain = await text.text();
    expect(plain).not.toContain('# {');
    expect(plain).not.toContain('# EOF');
    expect(plain).toContain('# TYPE kthena_router_requests_total counter');
    const families = await rig.scrape();
    expect(families.get('kthena_router_requests_total')?.samples.length).toBeGreaterThan(0);
  });

  it('reads the Accept header as Prometheus 2 and 3 send it', () => {
    expect(acceptsOpenMetrics('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1')).toBe(true);
    expect(acceptsOpenMetrics(OPENMETRICS_ACCEPT)).toBe(true);
    expect(acceptsOpenMetrics('text/plain;version=0.0.4;q=1,*/*;q=0.1')).toBe(false);
    expect(acceptsOpenMetrics('application/openmetrics-text;q=0,text/plain')).toBe(false);
    expect(acceptsOpenMetrics(undefined)).toBe(false);
  });
});

describe('tracing off', () => {
  it('creates no span, sends no traceparent, logs no trace ID and serves the text format only', async () => {
    const router = memoryTracing('kthena-router');
    const sim = memoryTracing('vllm');
    rig = await startRig({
      tracing: router.tracing,
      sims: [{ model: 'llama', tracing: sim.tracing }],
      config: ([a]) => ({
        modelServers: [{ name: 'llama', pods: [{ name: 'llama-0', address: a! }] }],
        modelRoutes: [{ name: 'llama', model: 'llama', targets: [{ modelServer: 'default/llama' }] }],
      }),
    });
    expect(rig.router.runtime.tracing).toBeUndefined();
    await (await rig.post('/v1/chat/completions', chat('llama'))).text();
    await until(() => sim.spans().length === 1, 'the simulator span');
    expect(router.spans()).toEqual([]);
    // Without a traceparent from the router, the simulator starts a trace of its own.
    expect(sim.spans()[0]!.parentSpanContext).toBeUndefined();
    const [line] = await rig.logLines();
    expect(JSON.parse(line!)).not.toHaveProperty('trace_id');
    const res = await fetch(rig.router.metricsUrl!, { headers: { accept: OPENMETRICS_ACCEPT } });
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).not.toContain('# {');
  });
});
