import * as content from 'infermon/content';

/** The Kthena integration guide's alerts, fixed to the catalog. */
export const kthenaInferenceAlerts = content.kthenaInferenceAlerts();

/** The Kthena controller-manager, watched through kube-state-metrics: it serves no metrics of its own. */
export const kthenaControllerAlerts = content.kthenaControllerAlerts();
