/**
 * What infermon writes into OpenSLO documents beyond the standard fields, so an exported SLO imports back
 * as the same SLO: OpenSLO has no alert name, and its queries read one fixed range, which stands for
 * every burn-rate window.
 */
export const OPENSLO_API_VERSION = 'openslo/v1';
/** The name of the SLO's page and ticket burn-rate alerts. */
export const OPENSLO_ALERT_NAME_ANNOTATION = 'infermon.dev/alert-name';
/** Set to `disabled` when the SLO has neither a page nor a ticket alert. */
export const OPENSLO_ALERTS_ANNOTATION = 'infermon.dev/alerts';
/** The range exported queries read; an importer turns every range back into each burn-rate window. */
export const OPENSLO_QUERY_RANGE = '5m';
