import * as content from 'infermon/content';

/**
 * Service level objectives of the inference platform. Each service's SLOs page its team (`severity:
 * critical`) when the error budget burns fast and open a ticket (`severity: warning`) when it burns
 * steadily; the `team` and `service` labels route them in Alertmanager.
 *
 * Every SLO drops its SLI samples at zero traffic (no NaN burn rates); the high-traffic router SLOs use
 * the efficient mode (told the router's scrape interval, so its tiles add up exactly), the rest keep
 * Sloth's exact rules plus that guard.
 */

/**
 * The router's SLOs: availability and latency of every model it routes, each model with its own error
 * budget and alerts (grouped by `model`), so routing a new model needs no change here. The reasoning model
 * runs prefill and decode on separate servers and answers at length: it is held to a latency objective of
 * its own (95 % within 1 s).
 */
export const routerSlos = content.kthenaRouterSlos({ perModel: { 'deepseek-r1': { latency: 95 } } });

export const kthenaInferenceSlos = content.kthenaInferenceSlos();
export const vllmSlos = content.vllmSlos();
export const ragSlos = content.ragSlos();
export const arksGatewaySlos = content.arksGatewaySlos();

/**
 * Goodput per model: requests that succeeded with their first token within 1 s and tokens 100 ms apart,
 * as the router judges them (its `goodput` targets are the same).
 */
export const goodputSlos = content.goodputSlos({ models: ['llama-3-8b', 'qwen2-7b'], objective: 99, targets: { timeToFirstToken: 1, interTokenLatency: 0.1 } });
