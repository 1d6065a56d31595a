import * as content from 'infermon/content';

/** GPU usage per workload pod, for the GPU and per-model dashboards. */
export const gpuRecordingRules = content.gpuRecordingRules();
