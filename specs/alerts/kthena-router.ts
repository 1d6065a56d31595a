import * as content from 'infermon/content';

/** What an SRE running the Kthena router pages and tickets on. */
export const kthenaRouterAlerts = content.kthenaRouterAlerts();
