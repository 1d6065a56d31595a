import { label, metric } from '../model/catalog.ts';
import { defineSource } from '../model/spec.ts';

/**
 * dynamic-moe-router-kit: a mixture-of-experts router library whose process exposes routing, expert-usage,
 * FLOP and memory metrics on its metrics port. Names and label names are those of its observability
 * guide; the guide gives no buckets, so the routing-duration buckets are infermon's choice (routing runs
 * in milliseconds, so they start at 1 ms).
 */

export const MOE_ROUTING_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

const modelName = label.bounded('model the router serves');
const backend = label.bounded('compute backend, e.g. torch');

export const moeRoutingRequestsTotal = metric({
  name: 'dynamic_moe_routing_requests_total',
  type: 'counter',
  help: 'Routing requests by backend and outcome.',
  unit: 'requests',
  labels: { model_name: modelName, backend, status: label.bounded('outcome, e.g. success') },
});

export const moeRoutingDuration = metric({
  name: 'dynamic_moe_routing_duration_seconds',
  type: 'histogram',
  help: 'Time to route one request to its experts.',
  unit: 'seconds',
  labels: { model_name: modelName, backend },
  buckets: [...MOE_ROUTING_DURATION_BUCKETS],
});

export const moeExpertsUsedPerToken = metric({
  name: 'dynamic_moe_experts_used_per_token',
  type: 'gauge',
  help: 'Mean number of experts activated per token.',
  unit: 'experts',
  labels: { model_name: modelName },
});

export const moeLoadBalanceScore = metric({
  name: 'dynamic_moe_load_balance_score',
  type: 'gauge',
  help: 'Balance of load across the experts of a layer, 0 (all on one) to 1 (even).',
  unit: 'ratio',
  labels: { model_name: modelName, layer_id: label.bounded('model layer index') },
});

export const moeFlopsComputedTotal = metric({
  name: 'dynamic_moe_flops_computed_total',
  type: 'counter',
  help: 'Floating-point operations performed.',
  unit: 'flops',
  labels: { model_name: modelName, layer_type: label.bounded('kind of layer, e.g. moe') },
});

export const moeFlopsSavedTotal = metric({
  name: 'dynamic_moe_flops_saved_total',
  type: 'counter',
  help: 'Floating-point operations avoided by dynamic routing compared with static top-k.',
  unit: 'flops',
  labels: { model_name: modelName },
});

export const moeMemoryUsageBytes = metric({
  name: 'dynamic_moe_memory_usage_bytes',
  type: 'gauge',
  help: 'Memory held by a component of the router.',
  unit: 'bytes',
  labels: { model_name: modelName, component: label.bounded('part of the router, e.g. model') },
});

export const moeRoutingErrorsTotal = metric({
  name: 'dynamic_moe_routing_errors_total',
  type: 'counter',
  help: 'Routing failures by error type.',
  unit: 'errors',
  labels: { model_name: modelName, error_type: label.bounded('kind of failure, e.g. complexity_estimation_failed') },
});

export const moeExpertFailuresTotal = metric({
  name: 'dynamic_moe_expert_failures_total',
  type: 'counter',
  help: 'Failures of individual experts.',
  unit: 'failures',
  labels: {
    model_name: modelName,
    expert_id: label.bounded('expert index'),
    failure_type: label.bounded('kind of failure'),
  },
});

export const MOE_ROUTER_METRICS = [
  moeRoutingRequestsTotal,
  moeRoutingDuration,
  moeExpertsUsedPerToken,
  moeLoadBalanceScore,
  moeFlopsComputedTotal,
  moeFlopsSavedTotal,
  moeMemoryUsageBytes,
  moeRoutingErrorsTotal,
  moeExpertFailuresTotal,
] as const;

export const moeRouter = defineSource({
  name: 'moe-router',
  component: 'dynamic MoE router',
  job: 'dynamic-moe-router',
  port: { name: 'metrics', number: 8000 },
  path: '/metrics',
  scrapeInterval: '15s',
  // Deployed with prometheus.io/scrape annotations and no Service: scraped pod by pod.
  kubernetes: {
    namespace: 'moe-router',
    podLabels: { app: 'dynamic-moe-router' },
  },
  metrics: [...MOE_ROUTER_METRICS],
});
