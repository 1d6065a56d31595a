import * as content from 'infermon/content';

/** One row per SLO in specs/, read from the Sloth recording rules the SLOs generate. */
export const slosDashboard = content.sloDashboard();
