import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { routerRequestDuration, ROUTER_TRACE_ID_LABEL } from '../../src/catalog/kthena-router.ts';
import { OTLP_SPAN_KIND, type ReceivedSpan } from '../support/otlp-receiver.ts';
import type { CheckResult } from './assertions.ts';
import { queryExemplars } from './http-api.ts';
import type { RunningStack } from './stack.ts';

/**
 * Traces on the live bench: one request through the router is one trace at the OTLP receiver (the
 * router's server span, its client span to the pod, the simulator's span under that), the access-log
 * line and an exemplar on the router's latency histogram in Prometheus name that trace, and a
 * disaggregated request has a prefill and a decode client span, each continued by its pod.
 */

const ROUTER_SERVICE = 'kthena-router';
/** A completion request, not the chat the load sends: its latency series is its own, so its exemplar stays. */
const TRACED_PATH = '/v1/completions';
const WAIT_MS = 15_000;

async function until<T>(find: () => T | undefined | Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const found = await find();
    if (found !== undefined || Date.now() > deadline) return found;
    await sleep(500);
  }
}

function accessLogTraceId(stack: RunningStack, requestId: string): string | undefined {
  const lines = readFileSync(join(stack.workDir, 'router-access.log'), 'utf8').split('\n').filter(Boolean);
  for (const line of lines) {
    const entry = JSON.parse(line) as { request_id?: string; trace_id?: string };
    if (entry.request_id === requestId) return entry.trace_id;
  }
  return undefined;
}

interface TraceShape {
  server: ReceivedSpan;
  /** Each client span of the router with the simulator span under it, if any. */
  calls: Array<{ client: ReceivedSpan; pod: ReceivedSpan | undefined }>;
}

function shapeOf(spans: readonly ReceivedSpan[], traceId: string): TraceShape | undefined {
  const inTrace = spans.filter((s) => s.traceId === traceId);
  const server = inTrace.find((s) => s.service === ROUTER_SERVICE && s.kind === OTLP_SPAN_KIND.server);
  if (!server) return undefined;
  const calls = inTrace
    .filter((s) => s.kind === OTLP_SPAN_KIND.client && s.parentSpanId === server.spanId)
    .map((client) => ({ client, pod: inTrace.find((s) => s.parentSpanId === client.spanId && s.kind === OTLP_SPAN_KIND.server) }));
  return { server, calls };
}

const complete = (shape: TraceShape | undefined, calls: number) =>
  shape !== undefined && shape.calls.length >= calls && shape.calls.every((c) => c.pod !== undefined) ? shape : undefined;

export async function checkTraces(stack: RunningStack): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const check = (name: string, ok: boolean, detail: string) => results.push({ area: 'traces', name, outcome: ok ? 'pass' : 'fail', detail });
  const started = Math.floor(Date.now() / 1000) - 1;
  const requestId = `e2e-trace-${Date.now()}`;
  const res = await request(`${stack.router.apiUrl}${TRACED_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify({ model: stack.models.first, prompt: 'Where does this request go?', max_tokens: 4 }),
  });
  await res.body.dump();
  const traceId = await until(() => accessLogTraceId(stack, requestId));
  check('the access-log line names a trace', traceId !== undefined && /^[0-9a-f]{32}$/.test(traceId), `request ${requestId}: trace_id ${traceId ?? 'missing'} (status ${res.statusCode})`);
  if (!traceId) return results;

  const shape = await until(() => complete(shapeOf(stack.traces.spans(), traceId), 1));
  const call = shape?.calls[0];
  check(
    'one trace: router server span, its client span, the pod span under it',
    shape !== undefined && shape.server.parentSpanId === '' && shape.calls.length === 1 && call?.pod?.service.startsWith('vllm-') === true,
    shape
      ? `${shape.server.name} (${shape.server.service}) → ${call?.client.name} to ${String(call?.client.attributes['kthena.router.pod'])} → ${call?.pod?.name} (${call?.pod?.service})`
      : `trace ${traceId}: ${stack.traces.spans().filter((s) => s.traceId === traceId).map((s) => `${s.service}:${s.name}`).join(', ') || 'no span'} at the receiver`,
  );
  check(
    'the spans carry the GenAI attributes',
    shape?.server.attributes['gen_ai.operation.name'] === 'text_completion' &&
      call?.client.attributes['gen_ai.request.model'] === stack.models.first &&
      typeof call?.pod?.attributes['gen_ai.usage.output_tokens'] === 'number',
    shape ? `server ${JSON.stringify(shape.server.attributes)}` : 'no trace',
  );

  const disaggregated = stack.traces
    .spans()
    .filter((s) => s.kind === OTLP_SPAN_KIND.client && s.attributes['kthena.router.phase'] === 'decode')
    .map((s) => complete(shapeOf(stack.traces.spans(), s.traceId), 2))
    .find((t) => t !== undefined);
  const phases = disaggregated?.calls.map((c) => `${String(c.client.attributes['kthena.router.phase'])} → ${c.pod?.service}`) ?? [];
  check(
    `${stack.models.disaggregated}: prefill and decode are separate client spans, each continued by its pod`,
    phases.some((p) => p.startsWith('prefill → vllm-')) && phases.some((p) => p.startsWith('decode → vllm-')),
    disaggregated ? phases.join('; ') : 'no complete disaggregated trace at the receiver',
  );

  const selector = `${routerRequestDuration.name}_bucket{path="${TRACED_PATH}"}`;
  let seen: string[] = [];
  const exemplar = await until(async () => {
    const series = await queryExemplars(stack.prometheusUrl, selector, started, Math.ceil(Date.now() / 1000) + 1);
    seen = series.flatMap((s) => s.exemplars.map((e) => e.labels[ROUTER_TRACE_ID_LABEL] ?? '?'));
    return seen.includes(traceId) ? traceId : undefined;
  });
  check('an exemplar on the router latency histogram names the trace', exemplar !== undefined, `query_exemplars ${selector}: ${seen.join(', ') || 'none'}`);
  check('the receiver decoded every export', stack.traces.rejected() === 0, `${stack.traces.count()} spans received, ${stack.traces.rejected()} exports refused`);
  return results;
}
