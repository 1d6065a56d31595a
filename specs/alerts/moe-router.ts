import * as content from 'infermon/content';

/** The MoE router's alerts, per model. */
export const moeRouterAlerts = content.moeRouterAlerts();
