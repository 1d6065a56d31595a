import * as content from 'infermon/content';

/** The dynamic MoE router: routing, expert usage, compute saved, memory and errors. */
export const moeRouterDashboard = content.moeRouterDashboard();
