import * as content from 'infermon/content';

/** NVIDIA GPUs through the DCGM exporter, per GPU and per pod. */
export const gpuDashboard = content.gpuDashboard();
