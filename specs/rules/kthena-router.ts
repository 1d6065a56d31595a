import * as content from 'infermon/content';

/** Pre-computed router series for dashboards. */
export const kthenaRouterRecordingRules = content.kthenaRouterRecordingRules();
