import * as content from 'infermon/content';

/** The Arks gateway: requests, duration, errors, token usage, rate limits and quotas per token namespace. */
export const arksGatewayDashboard = content.arksGatewayDashboard();
