import type { Attributes, Span } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION,
} from '@opentelemetry/semantic-conventions/incubating';
import { endWithStatus, type Tracing } from '../telemetry/tracing.ts';
import type { Usage } from './usage.ts';

/**
 * The router's spans: one SERVER span per client request (HTTP server conventions plus the GenAI
 * attributes of what it served) and one CLIENT span per upstream attempt, named and attributed after the
 * GenAI client-span conventions (`{operation} {model}`), with the prefill/decode phase where the model
 * server is disaggregated. Attributes of the router's own concepts carry the `kthena.router.` prefix.
 */

export const ROUTER_ATTRS = {
  requestId: 'kthena.router.request_id',
  modelRoute: 'kthena.router.model_route',
  modelServer: 'kthena.router.model_server',
  selectedPod: 'kthena.router.selected_pod',
  pod: 'kthena.router.pod',
  phase: 'kthena.router.phase',
} as const;

/** GenAI operation of each inference path. */
const OPERATIONS: Record<string, string> = {
  '/v1/chat/completions': GEN_AI_OPERATION_NAME_VALUE_CHAT,
  '/v1/completions': GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION,
};

/** What a request span reads from the exchange (kept structural so the exchange can own its span). */
export interface RequestFacts {
  readonly req: { method?: string | undefined };
  readonly path: string;
  readonly pathLabel: string;
  readonly requestId: string;
  modelName: string | undefined;
  modelRoute: string | undefined;
  modelServer: string | undefined;
  selectedPod: string | undefined;
  inputTokens: number;
  outputTokens: number;
  finishReasons: readonly string[];
}

/**
 * Spans of unsampled traces are not recorded, so their attributes are never built: an unsampled request
 * costs a span context (for the trace ID in the log and the `traceparent` upstream) and little more.
 */
export function startRequestSpan(tracing: Tracing, ex: RequestFacts & { req: { headers: Record<string, string | string[] | undefined> } }): Span {
  const method = ex.req.method ?? 'GET';
  const routed = ex.pathLabel === ex.path;
  const span = tracing.startServerSpan(routed ? `${method} ${ex.path}` : method, tracing.extract(ex.req.headers));
  if (!span.isRecording()) return span;
  const attributes: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: method,
    [ATTR_URL_PATH]: ex.path,
    [ROUTER_ATTRS.requestId]: ex.requestId,
  };
  if (routed) attributes[ATTR_HTTP_ROUTE] = ex.path;
  const operation = OPERATIONS[ex.path];
  if (operation) attributes[ATTR_GEN_AI_OPERATION_NAME] = operation;
  return span.setAttributes(attributes);
}

/** Completes a request span with what the exchange learned, and ends it. */
export function requestSpanEnded(span: Span, ex: RequestFacts, status: number, errorType: string): void {
  if (!span.isRecording()) return span.end();
  const attributes: Attributes = { [ATTR_HTTP_RESPONSE_STATUS_CODE]: status };
  if (status >= 400) attributes[ATTR_ERROR_TYPE] = errorType;
  if (ex.modelName !== undefined) attributes[ATTR_GEN_AI_REQUEST_MODEL] = ex.modelName;
  if (ex.modelRoute) attributes[ROUTER_ATTRS.modelRoute] = ex.modelRoute;
  if (ex.modelServer) attributes[ROUTER_ATTRS.modelServer] = ex.modelServer;
  if (ex.selectedPod) attributes[ROUTER_ATTRS.selectedPod] = ex.selectedPod;
  if (ex.inputTokens > 0) attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = ex.inputTokens;
  if (ex.outputTokens > 0) attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = ex.outputTokens;
  if (ex.finishReasons.length > 0) attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [...ex.finishReasons];
  span.setAttributes(attributes);
  endWithStatus(span, status);
}

export interface UpstreamCall {
  /** Upstream path, e.g. /v1/chat/completions. */
  path: string;
  /** The model name sent upstream. */
  model: string;
  /** `vllm` or `sglang`: the serving engine, reported as the GenAI provider. */
  engine: string;
  stream: boolean;
  pod: { name: string; address: string };
  phase: 'prefill' | 'decode' | undefined;
  /** 0 for the first attempt, 1.. for retries on other pods. */
  attempt: number;
}

/**
 * The client span of one upstream attempt, or none under an unsampled request: nothing of it would be
 * recorded, and the request's own span context carries the trace (and its unsampled flag) upstream.
 */
export function startUpstreamSpan(tracing: Tracing, parent: Span, call: UpstreamCall): Span | undefined {
  if (!parent.isRecording()) return undefined;
  const operation = OPERATIONS[call.path] ?? GEN_AI_OPERATION_NAME_VALUE_CHAT;
  const span = tracing.startClientSpan(`${operation} ${call.model}`, parent);
  const [host, port] = call.pod.address.split(':');
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: operation,
    [ATTR_GEN_AI_PROVIDER_NAME]: call.engine,
    [ATTR_GEN_AI_REQUEST_MODEL]: call.model,
    [ATTR_GEN_AI_REQUEST_STREAM]: call.stream,
    [ATTR_HTTP_REQUEST_METHOD]: 'POST',
    [ATTR_URL_PATH]: call.path,
    [ATTR_SERVER_ADDRESS]: host ?? call.pod.address,
    [ATTR_SERVER_PORT]: Number(port),
    [ROUTER_ATTRS.pod]: call.pod.name,
  };
  if (call.phase) attributes[ROUTER_ATTRS.phase] = call.phase;
  if (call.attempt > 0) attributes[ATTR_HTTP_REQUEST_RESEND_COUNT] = call.attempt;
  return span.setAttributes(attributes);
}

export interface UpstreamOutcome {
  status?: number;
  usage?: Usage | undefined;
  finishReasons?: readonly string[];
  /** Why the attempt failed without a usable response (transport error, timeout, broken stream). */
  error?: string;
}

/** Ends an upstream span; a 4xx or 5xx answer or a transport error marks it failed, as client spans do. */
export function upstreamSpanEnded(span: Span | undefined, outcome: UpstreamOutcome): void {
  if (!span) return;
  if (!span.isRecording()) return span.end();
  const attributes: Attributes = {};
  if (outcome.status !== undefined) attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = outcome.status;
  if (outcome.usage?.promptTokens !== undefined) attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = outcome.usage.promptTokens;
  if (outcome.usage?.completionTokens !== undefined) attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = outcome.usage.completionTokens;
  if (outcome.finishReasons?.length) attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [...outcome.finishReasons];
  if (outcome.error !== undefined) attributes[ATTR_ERROR_TYPE] = 'transport';
  else if (outcome.status !== undefined && outcome.status >= 400) attributes[ATTR_ERROR_TYPE] = String(outcome.status);
  span.setAttributes(attributes);
  const clientError = outcome.status !== undefined && outcome.status >= 400 ? `upstream answered ${outcome.status}` : undefined;
  endWithStatus(span, outcome.status, outcome.error ?? clientError);
}
