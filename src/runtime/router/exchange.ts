import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  ROUTER_GENERIC_ERROR_TYPE,
  ROUTER_SUCCESS_ERROR_TYPE,
  type RouterErrorType,
} from 'infermon/catalog/kthena-router';
import type { Span } from '@opentelemetry/api';
import type { AccessLogEntry, AccessLogger } from './access-log.ts';
import { Cancellation } from './cancellation.ts';
import type { GoodputTargets } from './config.ts';
import { goodputOutcome } from './goodput.ts';
import { CLIENT_CLOSED_REQUEST, errorBody, RouterError } from './errors.ts';
import type { RouterMetrics } from './metrics.ts';
import { requestSpanEnded, startRequestSpan } from './spans.ts';
import { isSampled, type Tracing } from '../telemetry/tracing.ts';

/** `model` label of requests whose model is missing or not routed: raw names would be unbounded. */
export const UNKNOWN_MODEL = 'unknown';
/** `path` label of requests to paths the router does not serve. */
export const UNMATCHED_PATH = 'unmatched';

const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** Status a stream is recorded with when it broke after its 200 headers went out. */
export const BROKEN_STREAM_STATUS = 502;

/**
 * Why every exchange's work is cancelled, as the AbortSignals its cancellation makes abort with: one
 * shared reason, because `abort()` without one builds a new AbortError (a DOMException with its stack)
 * per request. Nothing reads the reason beyond knowing the exchange is over.
 */
const EXCHANGE_OVER = new Error('the exchange is over');

/** The exchange a connection is serving, so errors the HTTP parser reports mid-request reach it. */
const bySocket = new WeakMap<Socket, Exchange>();

export function activeExchange(socket: Socket): Exchange | undefined {
  return bySocket.get(socket);
}

/**
 * One client request from arrival to the last byte (or the client going away): collects what the access
 * log and the request metrics need, and records both exactly once when the response closes, with the
 * status the client saw. `cancellation` fires once the exchange is over, whichever way it ended.
 */
export class Exchange {
  readonly started = performance.now();
  readonly startedAt = new Date();
  readonly requestId: string;
  readonly cancellation = new Cancellation(EXCHANGE_OVER);
  /** Bounded `model` label value. */
  modelLabel = UNKNOWN_MODEL;
  /** The model as the client asked for it (escaped in the log). */
  modelName: string | undefined;
  modelRoute: string | undefined;
  modelServer: string | undefined;
  selectedPod: string | undefined;
  inputTokens = 0;
  outputTokens = 0;
  dispatchedAt: number | undefined;
  upstreamDoneAt: number | undefined;
  /** When the first and the latest output token went to the client. */
  firstTokenAt: number | undefined;
  lastTokenAt: number | undefined;
  /** The routed model's goodput targets; a request that matched no route is judged on its status. */
  goodputTargets: GoodputTargets | undefined;
  prefillMs: number | undefined;
  decodeMs: number | undefined;
  /** Finish reasons of the choices the upstream returned. */
  finishReasons: readonly string[] = [];
  errorType: RouterErrorType | undefined;
  logError: { type: string; message: string } | undefined;
  /** False for requests the catalog says are not counted (the access log still has them). */
  counted = true;
  /** True once the client went away before the response was complete. */
  clientGone = false;
  /** Counted in the routed model's active downstream requests until recorded. */
  private downstream = false;
  /** The request's server span; absent when tracing is off. */
  readonly span: Span | undefined;
  /** Trace ID of the request when tracing is on (sampled or not), for the access log. */
  readonly traceId: string | undefined;
  /** Trace ID when the trace is recorded, for exemplars: an unsampled trace leads nowhere. */
  readonly sampledTraceId: string | undefined;
  /** Set when the response failed after its headers were sent; the status line cannot say so. */
  private statusAfterHeaders: number | undefined;
  private readonly onDone: (() => void)[] = [];
  private recorded = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    /** Bounded `path` label value. */
    readonly pathLabel: string,
    readonly path: string,
    private readonly metrics: RouterMetrics | undefined,
    private readonly log: AccessLogger | undefined,
    tracing?: Tracing,
  ) {
    const given = req.headers['x-request-id'];
    this.requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    if (tracing) {
      this.span = startRequestSpan(tracing, this);
      this.traceId = this.span.spanContext().traceId;
      if (isSampled(this.span)) this.sampledTraceId = this.traceId;
    }
    res.setHeader('x-request-id', this.requestId);
    // A response emits 'close' after 'finish', or alone when the connection went first.
    res.on('close', () => this.record(!res.writableFinished));
    bySocket.set(req.socket, this);
  }

  get isRecorded(): boolean {
    return this.recorded;
  }

  /** Notes output tokens forwarded to the client just now. */
  tokensForwarded(at: number): void {
    this.firstTokenAt ??= at;
    this.lastTokenAt = at;
  }

  /** Counts the request in its model's active downstream requests until it is recorded. */
  enterDownstream(): void {
    if (this.downstream || this.recorded) return;
    this.downstream = true;
    this.metrics?.downstreamDelta(this.modelLabel, 1);
  }

  /** Runs when the exchange is recorded (release queue slots, gauges, ...). */
  whenDone(fn: () => void): void {
    this.onDone.push(fn);
  }

  fail(err: RouterError): void {
    if (this.recorded) return;
    this.errorType = err.errorType;
    this.logError = { type: err.logType, message: err.message };
    this.counted = err.counted;
  }

  /**
   * A response that broke after its headers went out (the upstream stream died): recorded with the
   * error's status, so metrics and the access log count it as the failure the client saw.
   */
  failAfterHeaders(err: RouterError): void {
    if (this.recorded) return;
    this.fail(err);
    this.statusAfterHeaders = err.status;
  }

  /** Sends the router's own error response, unless a response is already under way or recorded. */
  sendError(err: RouterError, closeConnection = false): void {
    if (this.recorded) return;
    this.fail(err);
    if (this.res.headersSent) {
      this.res.destroy();
      return;
    }
    const body = errorBody(err.status, err.message, err.logType, err.param ?? null);
    const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    // The rest of a stalled, oversized or unparseable body is not read, so the connection cannot be reused.
    if (closeConnection || err.status === 408 || err.status === 413) headers.connection = 'close';
    this.res.writeHead(err.status, headers).end(body);
  }

  private record(clientGone: boolean): void {
    if (this.recorded) return;
    this.recorded = true;
    if (bySocket.get(this.req.socket) === this) bySocket.delete(this.req.socket);
    this.clientGone = clientGone;
    if (clientGone && this.statusAfterHeaders === undefined) {
      this.errorType ??= 'response_forwarding';
      this.logError ??= { type: 'client_closed', message: 'client closed the connection before the response was complete' };
    }
    this.cancellation.cancel();
    const status = this.statusAfterHeaders ?? (clientGone ? CLIENT_CLOSED_REQUEST : this.res.statusCode);
    const now = performance.now();
    const errorType = status < 400 ? ROUTER_SUCCESS_ERROR_TYPE : (this.errorType ?? ROUTER_GENERIC_ERROR_TYPE);
    if (this.downstream) this.metrics?.downstreamDelta(this.modelLabel, -1);
    for (const fn of this.onDone) fn();
    if (this.span) requestSpanEnded(this.span, this, status, errorType);
    if (this.counted) {
      this.metrics?.requestFinished(this.modelLabel, this.pathLabel, status, errorType, (now - this.started) / 1000, this.sampledTraceId);
      this.metrics?.goodputJudged(this.modelLabel, goodputOutcome(status, this, this.goodputTargets));
    }
    if (this.log) this.log.log(this.entry(status, now));
  }

  private entry(status: number, now: number): AccessLogEntry {
    const ms = (t: number) => Math.max(0, Math.round(t));
    const dispatched = this.dispatchedAt ?? now;
    const upstreamDone = this.upstreamDoneAt ?? dispatched;
    return {
      timestamp: this.startedAt,
      method: this.req.method ?? '',
      path: this.path,
      protocol: `HTTP/${this.req.httpVersion}`,
      status_code: status,
      model_name: this.modelName,
      model_route: this.modelRoute,
      model_server: this.modelServer,
      selected_pod: this.selectedPod,
      request_id: this.requestId,
      trace_id: this.traceId,
      input_tokens: this.inputTokens,
      output_tokens: this.outputTokens,
      duration_total: ms(now - this.started),
      duration_request_processing: ms(dispatched - this.started),
      duration_upstream_processing: ms(upstreamDone - dispatched),
      duration_response_processing: ms(now - upstreamDone),
      duration_prefill: this.prefillMs === undefined ? undefined : ms(this.prefillMs),
      duration_decode: this.decodeMs === undefined ? undefined : ms(this.decodeMs),
      error: this.logError,
    };
  }
}
