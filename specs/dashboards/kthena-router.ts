import * as content from 'infermon/content';

/** The Kthena router: traffic, latency, tokens, scheduling and the fairness queue, per model. */
export const kthenaRouterDashboard = content.kthenaRouterDashboard();
