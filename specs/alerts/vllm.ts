import * as content from 'infermon/content';

/** vLLM runtime health with the bundled thresholds, over every vLLM server. */
export const vllmAlerts = content.vllmAlerts();
