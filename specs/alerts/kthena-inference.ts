import * as content from 'infermon/content';

/** The Kthena integration guide's alerts, fixed to the catalog. */
export const kthenaInferenceAlerts = content.kthenaInferenceAlerts();
