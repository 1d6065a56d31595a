import * as content from 'infermon/content';

/** The Kthena overview, on the series a Kthena deployment really exposes. */
export const kthenaOverviewDashboard = content.kthenaOverviewDashboard();
