/**
 * Bundled content: alerts, recording rules, SLOs and dashboards per source, each a factory of a config
 * (`selector`, `name`, `team`, thresholds), so one platform can instantiate it once per deployment.
 */
export * from './arks-gateway.ts';
export * from './blackbox.ts';
export * from './dashboards.ts';
export * from './dcgm.ts';
export * from './goodput.ts';
export * from './gpu-faults.ts';
export * from './kthena-controller.ts';
export * from './kthena-inference.ts';
export * from './kthena-router.ts';
export * from './moe-router.ts';
export * from './rag-backend.ts';
export * from './vllm.ts';
export { scopeDashboard, scopeRuleGroup, scopeSlos, type AlertScope, type ContentScope } from './scope.ts';
