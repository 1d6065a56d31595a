import { label, metric } from '../model/catalog.ts';
import { defineSource } from '../model/spec.ts';

/**
 * The Arks gateway (the `arks-gateway-plugins` Deployment): per-user request, token, rate-limit and quota
 * metrics. `namespace` and `user` identify the ArksToken, not the pod. Two quirks are the gateway's own:
 * `gateway_token_usage` is a counter without `_total`, and on the two token families the model name is in
 * the label `token`.
 */

/** `type` of the token families. */
export const ARKS_TOKEN_TYPES = ['input', 'output'] as const;
/** `rule_type` of the rate-limit families: requests or tokens per minute or per day. */
export const ARKS_RATE_LIMIT_RULES = ['rpm', 'rpd', 'tpm', 'tpd'] as const;

export const ARKS_REQUEST_DURATION_BUCKETS = [0.1, 0.5, 1, 2, 5, 10, 20, 30, 45, 60] as const;
export const ARKS_RESPONSE_PROCESS_BUCKETS = [1, 5, 10, 50, 100, 200, 500, 1000, 2000, 5000] as const;
/** Powers of two from 1 to 65536 tokens. */
export const ARKS_TOKEN_DISTRIBUTION_BUCKETS: readonly number[] = Array.from({ length: 17 }, (_, i) => 2 ** i);

const NEVER_UPDATED = 'never emitted: the gateway registers it but nothing updates it yet';

const tokenNamespace = label.bounded('namespace of the ArksToken');
const user = label.bounded('user of the ArksToken');
const model = label.bounded('requested model name');
const tokenModel = label.bounded('model name (the gateway names this label token)');
const ruleType = label.enum(ARKS_RATE_LIMIT_RULES, 'rate-limit rule');

export const arksGatewayRequestsTotal = metric({
  name: 'gateway_requests_total',
  type: 'counter',
  help: 'Requests through the gateway by HTTP status.',
  unit: 'requests',
  labels: { namespace: tokenNamespace, user, model, status: label.bounded('HTTP status code as a string') },
});

export const arksGatewayRequestDuration = metric({
  name: 'gateway_request_duration_seconds',
  type: 'histogram',
  help: 'End-to-end latency of requests through the gateway.',
  unit: 'seconds',
  labels: { namespace: tokenNamespace, user, model },
  buckets: [...ARKS_REQUEST_DURATION_BUCKETS],
});

export const arksGatewayResponseProcessDuration = metric({
  name: 'gateway_response_process_duration_milliseconds',
  type: 'histogram',
  help: 'Time the gateway spent processing responses.',
  unit: 'milliseconds',
  labels: { namespace: tokenNamespace, user, model },
  buckets: [...ARKS_RESPONSE_PROCESS_BUCKETS],
});

export const arksGatewayTokenUsage = metric({
  name: 'gateway_token_usage',
  type: 'counter',
  help: 'Tokens used, by direction (a counter although its name has no _total).',
  unit: 'tokens',
  labels: {
    namespace: tokenNamespace,
    user,
    token: tokenModel,
    type: label.enum(ARKS_TOKEN_TYPES, 'input (prompt) or output (generated)'),
  },
});

export const arksGatewayTokenDistribution = metric({
  name: 'gateway_token_distribution',
  type: 'histogram',
  help: 'Tokens per request, by direction.',
  unit: 'tokens',
  labels: {
    namespace: tokenNamespace,
    user,
    token: tokenModel,
    type: label.enum(ARKS_TOKEN_TYPES, 'input (prompt) or output (generated)'),
  },
  buckets: [...ARKS_TOKEN_DISTRIBUTION_BUCKETS],
});

export const arksGatewayRateLimitHits = metric({
  name: 'gateway_rate_limit_hits_total',
  type: 'counter',
  help: 'Requests rejected by a rate-limit rule.',
  unit: 'requests',
  labels: { namespace: tokenNamespace, user, model, rule_type: ruleType },
});

export const arksGatewayRateLimitTokens = metric({
  name: 'gateway_rate_limit_tokens',
  type: 'gauge',
  help: 'Remaining allowance of a rate-limit rule.',
  unit: 'tokens',
  labels: { namespace: tokenNamespace, user, model, rule_type: ruleType },
  conditional: NEVER_UPDATED,
});

const quotaLabels = {
  namespace: tokenNamespace,
  model,
  quota_name: label.bounded('ArksQuota name'),
  quota_type: label.bounded('quota kind'),
};

export const arksGatewayQuotaUsage = metric({
  name: 'gateway_quota_usage',
  type: 'gauge',
  help: 'Quota consumed so far.',
  unit: 'tokens',
  labels: quotaLabels,
  conditional: NEVER_UPDATED,
});

export const arksGatewayQuotaLimit = metric({
  name: 'gateway_quota_limit',
  type: 'gauge',
  help: 'Quota limit.',
  unit: 'tokens',
  labels: quotaLabels,
  conditional: NEVER_UPDATED,
});

export const arksGatewayErrorsTotal = metric({
  name: 'gateway_errors_total',
  type: 'counter',
  help: 'Gateway errors by type.',
  unit: 'errors',
  labels: { namespace: tokenNamespace, model, error_type: label.bounded('kind of gateway error') },
  conditional: NEVER_UPDATED,
});

export const ARKS_GATEWAY_METRICS = [
  arksGatewayRequestsTotal,
  arksGatewayRequestDuration,
  arksGatewayResponseProcessDuration,
  arksGatewayTokenUsage,
  arksGatewayTokenDistribution,
  arksGatewayRateLimitHits,
  arksGatewayRateLimitTokens,
  arksGatewayQuotaUsage,
  arksGatewayQuotaLimit,
  arksGatewayErrorsTotal,
] as const;

export const arksGateway = defineSource({
  name: 'arks-gateway',
  component: 'Arks gateway',
  job: 'arks-gateway',
  port: { name: 'metrics', number: 9110 },
  path: '/metrics',
  scrapeInterval: '15s',
  kubernetes: {
    namespace: 'arks-operator-system',
    serviceLabels: { app: 'arks-gateway-plugins' },
    podLabels: { app: 'arks-gateway-plugins' },
    // The gateway's own `namespace` label (the ArksToken namespace) would otherwise be overwritten by the
    // gateway pod's namespace and survive only as exported_namespace.
    honorLabels: true,
  },
  metrics: [...ARKS_GATEWAY_METRICS],
});
