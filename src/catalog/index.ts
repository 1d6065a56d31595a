/**
 * The built-in catalog: every metric family infermon knows, one module per upstream source. Each module
 * exports its families (referenced from queries) and the source as it is usually deployed; re-export a
 * source from your specs, or `deploySource()` it with your namespace, job and labels.
 */
export * from './arks-gateway.ts';
export * from './blackbox.ts';
export * from './dcgm.ts';
export * from './k6.ts';
export * from './kthena-inference.ts';
export * from './kthena-router.ts';
export * from './kubernetes.ts';
export * from './moe-router.ts';
export * from './otel-genai.ts';
export * from './otel-spanmetrics.ts';
export * from './rag-backend.ts';
export * from './reference-router.ts';
export * from './sglang.ts';
export * from './vllm.ts';
