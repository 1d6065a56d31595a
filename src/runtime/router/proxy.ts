import type { Span } from '@opentelemetry/api';
import type { Dispatcher } from 'undici';
import { CLIENT_CLOSED_REQUEST, errorBody, RouterError } from './errors.ts';
import { BROKEN_STREAM_STATUS, type Exchange } from './exchange.ts';
import type { InferenceRequest } from './inference-request.ts';
import type { RouterRuntime } from './runtime.ts';
import type { ModelRoute, ModelServer, PodState } from './topology.ts';
import { classifyUpstreamError, describeUpstreamError, type WholeResponse } from './upstream.ts';
import { startUpstreamSpan, upstreamSpanEnded } from './spans.ts';
import { StreamFollower, summarizeResponse, type Usage } from './usage.ts';

/** Weight of the newest sample in a pod's smoothed latency. */
const LATENCY_SMOOTHING = 0.2;

export interface Dispatch {
  rt: RouterRuntime;
  ex: Exchange;
  route: ModelRoute;
  server: ModelServer;
  /** The server's pods that may take this request (for a LoRA adapter, those serving it). */
  pods: PodState[];
  request: InferenceRequest;
  /** Upstream path, e.g. /v1/chat/completions. */
  path: string;
  upstreamModel: string;
}

/** A pod's answer: streamed for the client's streams, read whole in memory otherwise. */
type UpstreamAnswer = ({ whole: false } & Dispatcher.ResponseData) | WholeResponse;

interface Attempt {
  pod: PodState;
  response: UpstreamAnswer;
  /** Gives the pod's in-flight slot back; call once the body is consumed or abandoned. */
  done: () => void;
  /** The attempt's client span, ended once its body is read; absent when tracing is off. */
  span: Span | undefined;
}

/** Sends one request to the first pod of `ranked` that answers, retrying others on errors and 5xx. */
async function attempt(d: Dispatch, ranked: PodState[], body: string | Buffer, phase?: 'prefill' | 'decode'): Promise<Attempt> {
  const { rt, ex } = d;
  const tries = Math.min(ranked.length, rt.config.server.retries + 1);
  // Only a stream the client asked for is relayed as it arrives; every other answer is read whole.
  const readWhole = phase === 'prefill' || !d.request.stream;
  let lastProblem: RouterError | undefined;
  for (let i = 0; i < tries; i++) {
    const pod = ranked[i]!;
    pod.inflight++;
    rt.metrics?.upstreamDelta(d.route.key, d.server.key, 1);
    let released = false;
    const done = () => {
      if (released) return;
      released = true;
      pod.inflight--;
      rt.metrics?.upstreamDelta(d.route.key, d.server.key, -1);
    };
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': ex.requestId, ...d.server.config.headers };
    let span: Span | undefined;
    if (rt.tracing && ex.span) {
      const stream = phase !== 'prefill' && d.request.stream;
      span = startUpstreamSpan(rt.tracing, ex.span, { path: d.path, model: d.upstreamModel, engine: d.server.config.engine, stream, pod: pod.config, phase, attempt: i });
      rt.tracing.inject(span ?? ex.span, headers);
    }
    const sent = performance.now();
    try {
      const response: UpstreamAnswer = readWhole
        ? await rt.upstream.sendWhole(pod, d.path, body, headers, ex.cancellation)
        : { whole: false, ...(await rt.upstream.send(pod, d.path, body, headers, ex.cancellation)) };
      const took = (response.whole ? response.headersAt : performance.now()) - sent;
      pod.latencyMs = pod.latencyMs === undefined ? took : pod.latencyMs + LATENCY_SMOOTHING * (took - pod.latencyMs);
      if (response.statusCode >= 500 && i < tries - 1) {
        lastProblem = new RouterError(response.statusCode, 'upstream_response', 'upstream_response', `pod ${pod.config.name} answered ${response.statusCode}`);
        if (!response.whole) await response.body.dump().catch(() => undefined);
        done();
        upstreamSpanEnded(span, { status: response.statusCode });
        continue;
      }
      return { pod, response, done, span };
    } catch (err) {
      done();
      const kind = classifyUpstreamError(err, ex.cancellation.cancelled);
      upstreamSpanEnded(span, { error: kind === 'aborted' ? 'client closed the request' : describeUpstreamError(err) });
      if (kind === 'aborted') throw err;
      const message = `pod ${pod.config.name}: ${describeUpstreamError(err)}`;
      // A timed-out pod has already cost the client the whole timeout; do not make it wait again.
      if (kind === 'timeout') throw new RouterError(504, 'upstream_transport', 'upstream_transport', message);
      lastProblem = new RouterError(503, 'proxy', 'proxy', message);
    }
  }
  throw lastProblem ?? new RouterError(503, 'scheduling', 'scheduling', `no pod of ${d.server.key} is available`);
}

/** The upstream's error message from an OpenAI-shaped error body, else the status. */
function upstreamErrorMessage(status: number, body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: { message?: unknown }; message?: unknown };
    const message = parsed.error?.message ?? parsed.message;
    if (typeof message === 'string') return `upstream answered ${status}: ${message}`;
  } catch {
    // not JSON
  }
  return `upstream answered ${status}`;
}

function applyUsage(ex: Exchange, usage: Usage | undefined, estimatedInput: number, fallbackOutput: number): void {
  ex.inputTokens = usage?.promptTokens ?? estimatedInput;
  ex.outputTokens = usage?.completionTokens ?? fallbackOutput;
}

/** Reads a whole upstream body, honouring the upstream timeout; a pod failing mid-body is a 502 (504 on timeout). */
async function readAll(d: Dispatch, a: Attempt): Promise<Buffer> {
  if (a.response.whole) return wholeBody(d, a, a.response);
  try {
    return Buffer.from(await a.response.body.arrayBuffer());
  } catch (err) {
    return brokenBody(d, a, err);
  } finally {
    a.done();
  }
}

/** The body of an answer the upstream client already read whole (no promise to wait for). */
function wholeBody(d: Dispatch, a: Attempt, response: WholeResponse): Buffer {
  a.done();
  if (response.bodyError) return brokenBody(d, a, response.bodyError);
  return response.body;
}

function brokenBody(d: Dispatch, a: Attempt, err: unknown): never {
  const kind = classifyUpstreamError(err, d.ex.cancellation.cancelled);
  upstreamSpanEnded(a.span, { status: a.response.statusCode, error: describeUpstreamError(err) });
  if (kind === 'aborted') throw err;
  const message = `response from pod ${a.pod.config.name} broke: ${describeUpstreamError(err)}`;
  throw new RouterError(kind === 'timeout' ? 504 : 502, 'upstream_transport', 'upstream_transport', message);
}

/** Relays a complete (non-streamed) upstream response. */
function relayWhole(d: Dispatch, a: Attempt, body: Buffer, estimatedInput: number): number {
  const { ex } = d;
  ex.upstreamDoneAt = performance.now();
  const status = a.response.statusCode;
  const contentType = a.response.headers['content-type'];
  ex.res.writeHead(status, {
    'content-type': typeof contentType === 'string' ? contentType : 'application/json',
    'content-length': body.length,
  });
  ex.res.end(body);
  // The client has its answer; what the router learns from it is recorded when the response closes, later.
  const summary = status < 400 || a.span?.isRecording() ? summarizeResponse(body) : undefined;
  upstreamSpanEnded(a.span, { status, usage: summary?.usage, finishReasons: summary?.finishReasons });
  if (status < 400) {
    applyUsage(ex, summary?.usage, estimatedInput, 0);
    ex.finishReasons = summary?.finishReasons ?? [];
    if (ex.outputTokens > 0) ex.tokensForwarded(ex.upstreamDoneAt);
  } else ex.fail(new RouterError(status, 'upstream_response', 'upstream_response', upstreamErrorMessage(status, body)));
  return status;
}

function waitForDrain(ex: Exchange): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      ex.res.off('drain', done);
      ex.res.off('close', done);
      resolve();
    };
    ex.res.on('drain', done);
    ex.res.on('close', done);
  });
}

/**
 * Relays a server-sent event stream chunk by chunk, following its usage. A stream that breaks after its
 * 200 headers went out is ended with an in-band error event and recorded as a 502.
 */
async function relayStream(d: Dispatch, a: Attempt, upstream: Dispatcher.ResponseData['body'], estimatedInput: number): Promise<number> {
  const { ex } = d;
  const follower = new StreamFollower(d.request.clientWantsUsage);
  let status = 200;
  let broken: string | undefined;
  ex.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  try {
    for await (const chunk of upstream) {
      const tokensBefore = follower.contentChunks;
      const out = follower.push(chunk as Buffer);
      if (follower.contentChunks > tokensBefore) ex.tokensForwarded(performance.now());
      if (out && !ex.res.write(out)) await waitForDrain(ex);
      if (ex.res.destroyed) break;
    }
    const rest = follower.flush();
    if (rest) ex.res.write(rest);
  } catch (err) {
    if (ex.cancellation.cancelled) throw err;
    status = BROKEN_STREAM_STATUS;
    broken = describeUpstreamError(err);
    const error = new RouterError(status, 'upstream_transport', 'upstream_transport', `stream from pod ${a.pod.config.name} broke: ${describeUpstreamError(err)}`);
    ex.failAfterHeaders(error);
    // Headers are gone already: tell the client in-band, as an OpenAI-compatible server does.
    ex.res.write(`data: ${errorBody(status, error.message, error.logType)}\n\n`);
  } finally {
    a.done();
    ex.upstreamDoneAt = performance.now();
    upstreamSpanEnded(a.span, { status: 200, usage: follower.usage, finishReasons: follower.finishReasons, error: broken ?? (ex.cancellation.cancelled ? 'client closed the request' : undefined) });
  }
  applyUsage(ex, follower.usage, estimatedInput, follower.contentChunks);
  ex.finishReasons = follower.finishReasons;
  ex.res.end();
  return status;
}

async function relay(d: Dispatch, a: Attempt, estimatedInput: number): Promise<number> {
  d.ex.selectedPod = a.pod.config.name;
  const { response } = a;
  if (response.whole) return relayWhole(d, a, wholeBody(d, a, response), estimatedInput);
  if (response.statusCode === 200) return relayStream(d, a, response.body, estimatedInput);
  return relayWhole(d, a, await readAll(d, a), estimatedInput);
}

/** The request body as the pods get it: the upstream model, and usage always requested on streams. */
function upstreamBody(d: Dispatch, raw: Buffer, overrides: Record<string, unknown> = {}): string | Buffer {
  const { request } = d;
  const needsUsage = request.stream && !request.clientWantsUsage;
  if (request.model === d.upstreamModel && !needsUsage && Object.keys(overrides).length === 0) return raw;
  const body: Record<string, unknown> = { ...request.body, model: d.upstreamModel, ...overrides };
  if (needsUsage && body.stream === true) body.stream_options = { ...(body.stream_options as object | undefined), include_usage: true };
  return JSON.stringify(body);
}

function rank(d: Dispatch, pods: PodState[]): PodState[] {
  const ranked = d.rt.scheduler.rank(d.ex.modelLabel, d.request.prompt, pods);
  if (ranked.length === 0) throw new RouterError(503, 'scheduling', 'scheduling', `no pod of ${d.server.key} can take the request`);
  return ranked;
}

/** Aggregated serving: one pod does prefill and decode. */
export async function dispatchAggregated(d: Dispatch, raw: Buffer, estimatedInput: number): Promise<number> {
  const ranked = rank(d, d.pods);
  d.ex.dispatchedAt = performance.now();
  const a = await attempt(d, ranked, upstreamBody(d, raw));
  return relay(d, a, estimatedInput);
}

/**
 * Prefill/decode disaggregation: a prefill pod computes the prompt's KV cache (max_tokens 1), then a
 * decode pod generates, continuing from the KV transfer parameters the prefill pod returned.
 */
export async function dispatchDisaggregated(d: Dispatch, raw: Buffer, estimatedInput: number): Promise<number> {
  const { rt, ex: x } = d;
  const prefillPods = rank(d, d.pods.filter((p) => p.config.role === 'prefill'));
  const decodePods = rank(d, d.pods.filter((p) => p.config.role === 'decode'));
  x.dispatchedAt = performance.now();

  const prefillStarted = performance.now();
  const prefillOverrides: Record<string, unknown> = {
    max_tokens: 1,
    stream: false,
    kv_transfer_params: { do_remote_decode: true, do_remote_prefill: false },
  };
  if ('max_completion_tokens' in d.request.body) prefillOverrides.max_completion_tokens = 1;
  const prefillBody = JSON.stringify({ ...d.request.body, model: d.upstreamModel, ...prefillOverrides, stream_options: undefined });
  let prefill: Attempt;
  let prefillResponse: Buffer;
  try {
    prefill = await attempt(d, prefillPods, prefillBody, 'prefill');
    prefillResponse = await readAll(d, prefill);
  } catch (err) {
    if (err instanceof RouterError)
      rt.metrics?.phaseFinished('prefill', x.modelLabel, x.pathLabel, err.status, (performance.now() - prefillStarted) / 1000, x.sampledTraceId);
    throw err;
  }
  const prefillStatus = prefill.response.statusCode;
  if (prefill.span) {
    const summary = prefill.span.isRecording() ? summarizeResponse(prefillResponse) : undefined;
    upstreamSpanEnded(prefill.span, { status: prefillStatus, usage: summary?.usage, finishReasons: summary?.finishReasons });
  }
  x.prefillMs = performance.now() - prefillStarted;
  rt.metrics?.phaseFinished('prefill', x.modelLabel, x.pathLabel, prefillStatus, x.prefillMs / 1000, x.sampledTraceId);
  if (prefillStatus >= 400) {
    x.selectedPod = prefill.pod.config.name;
    x.upstreamDoneAt = performance.now();
    x.fail(new RouterError(prefillStatus, 'upstream_response', 'upstream_response', `prefill ${upstreamErrorMessage(prefillStatus, prefillResponse)}`));
    x.res.writeHead(prefillStatus, { 'content-type': 'application/json', 'content-length': prefillResponse.length }).end(prefillResponse);
    return prefillStatus;
  }
  let kvTransfer: unknown;
  try {
    kvTransfer = (JSON.parse(prefillResponse.toString('utf8')) as { kv_transfer_params?: unknown }).kv_transfer_params;
  } catch {
    kvTransfer = undefined;
  }

  const decodeStarted = performance.now();
  let status = 502;
  try {
    const decode = await attempt(d, decodePods, upstreamBody(d, raw, kvTransfer ? { kv_transfer_params: kvTransfer } : {}), 'decode');
    status = await relay(d, decode, estimatedInput);
    return status;
  } catch (err) {
    if (err instanceof RouterError) status = err.status;
    throw err;
  } finally {
    x.decodeMs = performance.now() - decodeStarted;
    rt.metrics?.phaseFinished('decode', x.modelLabel, x.pathLabel, x.clientGone ? CLIENT_CLOSED_REQUEST : status, x.decodeMs / 1000, x.sampledTraceId);
  }
}
