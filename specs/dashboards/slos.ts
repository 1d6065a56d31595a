import * as content from 'infermon/content';

/** One row repeated per SLO, read from the Sloth recording rules the SLOs generate. */
export const slosDashboard = content.sloDashboard();
