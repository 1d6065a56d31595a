import { vllmAlerts as bundledVllmAlerts } from 'infermon/content/vllm';

/** vLLM runtime health with the bundled thresholds, over every vLLM server. */
export const vllmAlerts = bundledVllmAlerts();
