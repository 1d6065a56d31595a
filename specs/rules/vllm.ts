import * as content from 'infermon/content';

/** Pre-computed vLLM series for the runtime dashboards. */
export const vllmRecordingRules = content.vllmRecordingRules();
