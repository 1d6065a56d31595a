import type { GoodputOutcome } from 'infermon/catalog/reference-router';
import type { GoodputTargets } from './config.ts';

/** When a request's tokens reached the client, in `performance.now()` milliseconds. */
export interface TokenTiming {
  /** The request arrived at the router. */
  started: number;
  /** The first output token was forwarded; undefined when none was. */
  firstTokenAt: number | undefined;
  /** The last output token was forwarded. */
  lastTokenAt: number | undefined;
  outputTokens: number;
}

/**
 * Judges one finished request against its model's goodput targets. A request without any output token
 * (an empty answer, or no inference at all) is judged on its status alone. A whole (non-streamed)
 * response hands every token over at once: its first token arrives with the response and it has no gaps.
 * The inter-token latency is the mean gap after the first token, vLLM's time per output token.
 */
export function goodputOutcome(status: number, timing: TokenTiming, targets: GoodputTargets | undefined): GoodputOutcome {
  if (status >= 400) return 'failed';
  const { firstTokenAt, lastTokenAt, outputTokens } = timing;
  if (!targets || firstTokenAt === undefined) return 'met';
  if (firstTokenAt - timing.started > targets.timeToFirstToken) return 'ttft_missed';
  if (lastTokenAt !== undefined && outputTokens > 1 && (lastTokenAt - firstTokenAt) / (outputTokens - 1) > targets.interTokenLatency) return 'itl_missed';
  return 'met';
}

/** A route's targets over the router's defaults. */
export function targetsOf(defaults: GoodputTargets, route: Partial<GoodputTargets> | undefined): GoodputTargets {
  return { ...defaults, ...route };
}
