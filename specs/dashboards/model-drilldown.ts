import * as content from 'infermon/content';

/** One model end to end: router traffic, model-server latency and load, and the GPUs under its pods. */
export const modelDrilldownDashboard = content.modelDrilldownDashboard();
