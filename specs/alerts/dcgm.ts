import * as content from 'infermon/content';

/** GPU health from the DCGM exporter, with the bundled thresholds. */
export const gpuAlerts = content.gpuAlerts();
