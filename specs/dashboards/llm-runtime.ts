import * as content from 'infermon/content';

/** vLLM and SGLang model servers: requests, latency, throughput, scheduler state and KV cache. */
export const llmRuntimeDashboard = content.llmRuntimeDashboard();
