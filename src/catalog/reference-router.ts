import { label, metric } from '../model/catalog.ts';

/**
 * Families infermon's reference router serves next to the Kthena ones: its own extension, not part of
 * the Kthena router specification, so they carry the `infermon_router_` prefix. A Kthena router does not
 * expose them; SLOs built on them say so.
 */

/** Served only by infermon's reference router, not by a Kthena router. */
export const REFERENCE_ROUTER_ONLY = "the router is infermon's reference router (an extension, not a Kthena family)";

/**
 * `outcome` of `infermon_router_goodput_requests_total`. A request is judged once, in this order: a status
 * of 400 or above is `failed`; a first token later than the model's target is `ttft_missed`; a mean gap
 * between output tokens above the target is `itl_missed`; anything else `met` both targets.
 */
export const GOODPUT_OUTCOMES = ['met', 'failed', 'ttft_missed', 'itl_missed'] as const;
export type GoodputOutcome = (typeof GOODPUT_OUTCOMES)[number];
/** The outcome of a request that succeeded within both latency targets. */
export const GOODPUT_MET: GoodputOutcome = 'met';

export const routerGoodputRequests = metric({
  name: 'infermon_router_goodput_requests_total',
  type: 'counter',
  help: 'Requests the router finished, by whether they succeeded within the model\'s time-to-first-token and inter-token latency targets.',
  unit: 'requests',
  labels: {
    model: label.bounded('requested model name, as on kthena_router_requests_total'),
    outcome: label.enum(GOODPUT_OUTCOMES, 'met both targets, failed (status >= 400), or which target the request missed first'),
  },
  conditional: REFERENCE_ROUTER_ONLY,
});

export const REFERENCE_ROUTER_METRICS = [routerGoodputRequests] as const;
