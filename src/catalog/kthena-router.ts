import { label, metric } from '../model/catalog.ts';
import { defineSource } from '../model/spec.ts';
import { KTHENA_ROUTER_HISTORY } from './kthena-router-history.ts';
import { REFERENCE_ROUTER_METRICS } from './reference-router.ts';

/**
 * The Kthena router: the data-plane entry point for inference traffic. The eleven `kthena_router_*`
 * families and their label sets are the ones of the router observability specification (metrics on port
 * 15000 at /metrics); label values follow the router's code.
 */

/** `token_type` of `kthena_router_tokens_total`: prompt tokens counted before dispatch, completion tokens after. */
export const ROUTER_TOKEN_TYPES = ['input', 'output'] as const;
export type RouterTokenType = (typeof ROUTER_TOKEN_TYPES)[number];

/** `limit_type` of `kthena_router_rate_limit_exceeded_total`; `requests` is also the fallback for any other limit. */
export const ROUTER_LIMIT_TYPES = ['input_tokens', 'output_tokens', 'requests'] as const;
export type RouterLimitType = (typeof ROUTER_LIMIT_TYPES)[number];

/** `type` of `kthena_router_scheduler_plugin_duration_seconds`: the scheduler phase the plugin ran in. */
export const ROUTER_PLUGIN_TYPES = ['filter', 'score'] as const;
export type RouterPluginType = (typeof ROUTER_PLUGIN_TYPES)[number];

/** Score plugins the scheduler knows. */
export const ROUTER_SCORE_PLUGINS = [
  'least-request',
  'least-latency',
  'prefix-cache',
  'kv-cache',
  'kvcache-aware',
  'gpu-usage',
  'random',
] as const;
/** Filter plugins the scheduler knows. */
export const ROUTER_FILTER_PLUGINS = ['least-request', 'lora-affinity'] as const;
/** Every value of the `plugin` label. */
export const ROUTER_PLUGINS = [
  'least-request',
  'least-latency',
  'prefix-cache',
  'kv-cache',
  'kvcache-aware',
  'gpu-usage',
  'random',
  'lora-affinity',
] as const;
export type RouterPlugin = (typeof ROUTER_PLUGINS)[number];

/** The plugin chain the reference router runs, per scheduler phase. */
export const ROUTER_REFERENCE_PLUGINS = {
  filter: ['least-request'],
  score: ['least-request', 'least-latency', 'prefix-cache', 'kv-cache'],
} as const satisfies Record<RouterPluginType, readonly RouterPlugin[]>;

/** The `error_type` of a request that finished without error (any status below 400). */
export const ROUTER_SUCCESS_ERROR_TYPE = 'successful_request';
/** The `error_type` of a request that failed (status 400 or above) with no more specific reason. */
export const ROUTER_GENERIC_ERROR_TYPE = 'request_failed';

/**
 * `error_type` of `kthena_router_requests_total`. Despite the name it is the request's finish reason: every
 * request carries one, successful requests included. Requests whose body is not valid JSON are never
 * counted, so there is no `request_parsing` value.
 */
export const ROUTER_ERROR_TYPES = [
  ROUTER_SUCCESS_ERROR_TYPE,
  ROUTER_GENERIC_ERROR_TYPE,
  'prompt_parsing',
  'rate_limit',
  'route_not_found',
  'scheduling',
  'provider_discovery',
  'pod_discovery',
  'inference_pool_selection',
  'inference_pool_discovery',
  'port_discovery',
  'proxy',
  'external_provider_proxy',
  'upstream_response',
  'upstream_transport',
  'response_forwarding',
  'provider_config',
  'provider_request_build',
  'request_protocol',
] as const;
export type RouterErrorType = (typeof ROUTER_ERROR_TYPES)[number];

/**
 * The `user_id` every user that is not configured for fair scheduling is folded into. Raw user ids are
 * never exported, which keeps `user_id` bounded by the configured user list plus this one value.
 */
export const ROUTER_FOLDED_USER_ID = '_all';

/** Buckets of the request, prefill and decode duration histograms (seconds). */
export const ROUTER_REQUEST_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;
/** Buckets of the scheduler plugin duration histogram (seconds). */
export const ROUTER_PLUGIN_DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5] as const;
/** Buckets of the fairness queue wait histogram (seconds). */
export const ROUTER_FAIRNESS_QUEUE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

const FAIRNESS = 'fairness scheduling is enabled (ENABLE_FAIRNESS_SCHEDULING=true)';
const PD_DISAGGREGATION = 'the model is served with prefill/decode disaggregation';

const model = label.bounded('requested model name');
const path = label.bounded('request URL path, e.g. /v1/chat/completions');
const statusCode = label.bounded(
  'final HTTP status code as a string, e.g. "200"; the reference router records a stream that broke after its headers as "502"',
);
const modelRoute = label.bounded('ModelRoute that matched, as namespace/name');
const modelServer = label.bounded('ModelServer the request was sent to, as namespace/name');
const userId = label.bounded(`user of the fairness queue: a configured user, or "${ROUTER_FOLDED_USER_ID}" for everyone else`);

export const routerRequestsTotal = metric({
  name: 'kthena_router_requests_total',
  type: 'counter',
  help: 'HTTP requests the router finished handling, by finish reason.',
  unit: 'requests',
  labels: {
    model,
    path,
    status_code: statusCode,
    error_type: label.enum(ROUTER_ERROR_TYPES, 'finish reason of the request; successful_request for status < 400'),
  },
});

export const routerRequestDuration = metric({
  name: 'kthena_router_request_duration_seconds',
  type: 'histogram',
  help: 'End-to-end latency of requests through the router.',
  unit: 'seconds',
  labels: { model, path, status_code: statusCode },
  buckets: [...ROUTER_REQUEST_DURATION_BUCKETS],
});

export const routerRequestPrefillDuration = metric({
  name: 'kthena_router_request_prefill_duration_seconds',
  type: 'histogram',
  help: 'Latency of the prefill phase of prefill/decode-disaggregated requests.',
  unit: 'seconds',
  labels: { model, path, status_code: statusCode },
  buckets: [...ROUTER_REQUEST_DURATION_BUCKETS],
  conditional: PD_DISAGGREGATION,
});

export const routerRequestDecodeDuration = metric({
  name: 'kthena_router_request_decode_duration_seconds',
  type: 'histogram',
  help: 'Latency of the decode phase of prefill/decode-disaggregated requests.',
  unit: 'seconds',
  labels: { model, path, status_code: statusCode },
  buckets: [...ROUTER_REQUEST_DURATION_BUCKETS],
  conditional: PD_DISAGGREGATION,
});

export const routerActiveDownstreamRequests = metric({
  name: 'kthena_router_active_downstream_requests',
  type: 'gauge',
  help: 'Client requests currently open against the router.',
  unit: 'requests',
  labels: { model },
});

export const routerActiveUpstreamRequests = metric({
  name: 'kthena_router_active_upstream_requests',
  type: 'gauge',
  help: 'Requests the router currently has open against model servers.',
  unit: 'requests',
  labels: { model_route: modelRoute, model_server: modelServer },
});

export const routerTokensTotal = metric({
  name: 'kthena_router_tokens_total',
  type: 'counter',
  help: 'Tokens that passed through the router: prompt tokens in, generated tokens out.',
  unit: 'tokens',
  labels: { model, path, token_type: label.enum(ROUTER_TOKEN_TYPES, 'input (prompt) or output (generated)') },
});

export const routerSchedulerPluginDuration = metric({
  name: 'kthena_router_scheduler_plugin_duration_seconds',
  type: 'histogram',
  help: 'Time each scheduler plugin spent on one scheduling decision.',
  unit: 'seconds',
  labels: {
    model,
    plugin: label.enum(ROUTER_PLUGINS, 'scheduler plugin name'),
    type: label.enum(ROUTER_PLUGIN_TYPES, 'scheduler phase the plugin ran in'),
  },
  buckets: [...ROUTER_PLUGIN_DURATION_BUCKETS],
});

export const routerRateLimitExceededTotal = metric({
  name: 'kthena_router_rate_limit_exceeded_total',
  type: 'counter',
  help: 'Requests rejected because a rate limit was exceeded.',
  unit: 'requests',
  labels: { model, limit_type: label.enum(ROUTER_LIMIT_TYPES, 'which limit rejected the request'), path },
});

export const routerFairnessQueueSize = metric({
  name: 'kthena_router_fairness_queue_size',
  type: 'gauge',
  help: 'Requests waiting in the fairness queue.',
  unit: 'requests',
  labels: { model, user_id: userId },
  conditional: FAIRNESS,
});

export const routerFairnessQueueDuration = metric({
  name: 'kthena_router_fairness_queue_duration_seconds',
  type: 'histogram',
  help: 'Time requests waited in the fairness queue before dispatch.',
  unit: 'seconds',
  labels: { model, user_id: userId },
  buckets: [...ROUTER_FAIRNESS_QUEUE_BUCKETS],
  conditional: FAIRNESS,
});

export const ROUTER_METRICS = [
  routerRequestsTotal,
  routerRequestDuration,
  routerRequestPrefillDuration,
  routerRequestDecodeDuration,
  routerActiveDownstreamRequests,
  routerActiveUpstreamRequests,
  routerTokensTotal,
  routerSchedulerPluginDuration,
  routerRateLimitExceededTotal,
  routerFairnessQueueSize,
  routerFairnessQueueDuration,
] as const;

export const kthenaRouter = defineSource({
  name: 'kthena-router',
  component: 'Kthena router',
  job: 'kthena-router',
  port: { name: 'metrics', number: 15000 },
  path: '/metrics',
  scrapeInterval: '15s',
  kubernetes: {
    namespace: 'kthena-system',
    serviceLabels: { app: 'kthena-router' },
    podLabels: { app: 'kthena-router' },
  },
  // The reference router's own families are scraped from the same endpoint; they are conditional, so a
  // real Kthena router that lacks them is no surprise to the checks.
  metrics: [...ROUTER_METRICS, ...REFERENCE_ROUTER_METRICS],
  history: KTHENA_ROUTER_HISTORY,
});

/**
 * Where the reference router puts a request's W3C trace ID when tracing is on: the exemplar label on its
 * latency histograms and the access-log field. Grafana's exemplar and derived-field links read this name.
 */
export const ROUTER_TRACE_ID_LABEL = 'trace_id';
