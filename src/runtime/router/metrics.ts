import { Registry } from 'prom-client';
import {
  routerActiveDownstreamRequests,
  routerActiveUpstreamRequests,
  routerFairnessQueueDuration,
  routerFairnessQueueSize,
  routerRateLimitExceededTotal,
  routerRequestDecodeDuration,
  routerRequestDuration,
  routerRequestPrefillDuration,
  routerRequestsTotal,
  routerSchedulerPluginDuration,
  routerTokensTotal,
  type RouterErrorType,
  type RouterLimitType,
  type RouterPlugin,
  type RouterPluginType,
  type RouterTokenType,
} from 'infermon/catalog/kthena-router';
import { GOODPUT_OUTCOMES, routerGoodputRequests, type GoodputOutcome } from 'infermon/catalog/reference-router';
import { catalogCounter, catalogGauge, catalogHistogram } from '../telemetry/catalog-metrics.ts';

/**
 * The router's metric families, built from the catalog on an explicit registry. The fairness and
 * prefill/decode families are only registered when the configuration can produce them, as the catalog
 * marks them conditional.
 */
export interface RouterMetricsOptions {
  fairness: boolean;
  disaggregated: boolean;
}

export type Phase = 'prefill' | 'decode';

export class RouterMetrics {
  readonly registry = new Registry();
  private readonly requests = catalogCounter(routerRequestsTotal, this.registry);
  private readonly duration = catalogHistogram(routerRequestDuration, this.registry);
  private readonly prefill;
  private readonly decode;
  private readonly downstream = catalogGauge(routerActiveDownstreamRequests, this.registry);
  private readonly upstream = catalogGauge(routerActiveUpstreamRequests, this.registry);
  private readonly tokens = catalogCounter(routerTokensTotal, this.registry);
  private readonly plugin = catalogHistogram(routerSchedulerPluginDuration, this.registry);
  private readonly rateLimited = catalogCounter(routerRateLimitExceededTotal, this.registry);
  private readonly goodput = catalogCounter(routerGoodputRequests, this.registry);
  private readonly queueSize;
  private readonly queueDuration;

  constructor(options: RouterMetricsOptions) {
    this.prefill = options.disaggregated ? catalogHistogram(routerRequestPrefillDuration, this.registry) : undefined;
    this.decode = options.disaggregated ? catalogHistogram(routerRequestDecodeDuration, this.registry) : undefined;
    this.queueSize = options.fairness ? catalogGauge(routerFairnessQueueSize, this.registry) : undefined;
    this.queueDuration = options.fairness ? catalogHistogram(routerFairnessQueueDuration, this.registry) : undefined;
  }

  requestFinished(model: string, path: string, status: number, errorType: RouterErrorType, seconds: number): void {
    const status_code = String(status);
    this.requests.inc({ model, path, status_code, error_type: errorType });
    this.duration.observe({ model, path, status_code }, seconds);
  }

  /** Counts a finished request once more, by whether it met its model's goodput targets. */
  goodputJudged(model: string, outcome: GoodputOutcome): void {
    this.goodput.inc({ model, outcome });
  }

  phaseFinished(phase: Phase, model: string, path: string, status: number, seconds: number): void {
    const histogram = phase === 'prefill' ? this.prefill : this.decode;
    histogram?.observe({ model, path, status_code: String(status) }, seconds);
  }

  downstreamDelta(model: string, delta: number): void {
    this.downstream.inc({ model }, delta);
  }

  upstreamDelta(modelRoute: string, modelServer: string, delta: number): void {
    this.upstream.inc({ model_route: modelRoute, model_server: modelServer }, delta);
  }

  countTokens(model: string, path: string, tokenType: RouterTokenType, count: number): void {
    if (count > 0) this.tokens.inc({ model, path, token_type: tokenType }, count);
  }

  pluginTimed(model: string, plugin: RouterPlugin, type: RouterPluginType, seconds: number): void {
    this.plugin.observe({ model, plugin, type }, seconds);
  }

  rateLimitExceeded(model: string, limitType: RouterLimitType, path: string): void {
    this.rateLimited.inc({ model, limit_type: limitType, path });
  }

  queueDelta(model: string, userId: string, delta: number): void {
    this.queueSize?.inc({ model, user_id: userId }, delta);
  }

  queueWaited(model: string, userId: string, seconds: number): void {
    this.queueDuration?.observe({ model, user_id: userId }, seconds);
  }

  /** Creates the gauge series of a model up front, so they read 0 rather than being absent. */
  touchModel(model: string): void {
    this.downstream.inc({ model }, 0);
    // Every outcome from the start: a goodput ratio then reads 0 misses instead of no series at all.
    for (const outcome of GOODPUT_OUTCOMES) this.goodput.inc({ model, outcome }, 0);
  }

  touchUpstream(modelRoute: string, modelServer: string): void {
    this.upstream.inc({ model_route: modelRoute, model_server: modelServer }, 0);
  }
}
