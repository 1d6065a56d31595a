import { vllmRecordingRules as bundledVllmRecordingRules } from 'infermon/content/vllm';

/** Pre-computed vLLM series for the runtime dashboards. */
export const vllmRecordingRules = bundledVllmRecordingRules();
