import { Registry, type RegistryContentType } from 'prom-client';
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
  ROUTER_TRACE_ID_LABEL,
  type RouterErrorType,
  type RouterLimitType,
  type RouterPlugin,
  type RouterPluginType,
  type RouterTokenType,
} from 'infermon/catalog/kthena-router';
import { GOODPUT_OUTCOMES, routerGoodputRequests, type GoodputOutcome } from 'infermon/catalog/reference-router';
import { catalogCounter, catalogGauge, catalogPendingHistogram, type LabelsOf } from '../telemetry/catalog-metrics.ts';
import type { PendingHistogram } from '../telemetry/pending-histogram.ts';
import { PendingIncrements } from '../telemetry/pending-increments.ts';

/**
 * The router's metric families, built from the catalog on an explicit registry. The fairness and
 * prefill/decode families are only registered when the configuration can produce them, as the catalog
 * marks them conditional.
 */
export interface RouterMetricsOptions {
  fairness: boolean;
  disaggregated: boolean;
  /**
   * Trace exemplars on the latency histograms. They need the OpenMetrics format, so the registry is an
   * OpenMetrics one and scrapes that do not ask for it get the text format (see exposition-negotiation.ts).
   */
  exemplars?: boolean;
}



export type Phase = 'prefill' | 'decode';

/** The series key of the latency histograms; the request counter's key extends it with the error type. */
function latencyKey(model: string, path: string, status: number): string {
  return `${model}\u0000${path}\u0000${status}`;
}

export class RouterMetrics {
  readonly registry: Registry<RegistryContentType>;
  private readonly duration;
  private readonly prefill;
  private readonly decode;
  private readonly downstream;
  private readonly upstream;
  private readonly plugin;
  private readonly rateLimited;
  private readonly goodput;
  private readonly queueSize;
  private readonly queueDuration;
  private readonly exemplars: boolean;
  // Counter and gauge series every request writes, summed here and handed to prom-client at scrape time
  // (the histograms count their own observations the same way).
  private readonly requestCounts = new PendingIncrements<LabelsOf<typeof routerRequestsTotal>>();
  private readonly goodputCounts = new PendingIncrements<LabelsOf<typeof routerGoodputRequests>>();
  private readonly tokenCounts = new PendingIncrements<LabelsOf<typeof routerTokensTotal>>();
  private readonly downstreamCounts = new PendingIncrements<LabelsOf<typeof routerActiveDownstreamRequests>>();
  private readonly upstreamCounts = new PendingIncrements<LabelsOf<typeof routerActiveUpstreamRequests>>();

  constructor(options: RouterMetricsOptions) {
    this.exemplars = options.exemplars === true;
    this.registry = new Registry<RegistryContentType>();
    if (this.exemplars) this.registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const { requestCounts, downstreamCounts, upstreamCounts, tokenCounts, goodputCounts } = this;
    // Requests and tokens are only ever written by their scrape-time flush, so nothing keeps them.
    catalogCounter(routerRequestsTotal, this.registry, function () {
      requestCounts.flushInto(this);
    });
    this.duration = catalogPendingHistogram(routerRequestDuration, this.registry);
    this.downstream = catalogGauge(routerActiveDownstreamRequests, this.registry, function () {
      downstreamCounts.flushInto(this);
    });
    this.upstream = catalogGauge(routerActiveUpstreamRequests, this.registry, function () {
      upstreamCounts.flushInto(this);
    });
    catalogCounter(routerTokensTotal, this.registry, function () {
      tokenCounts.flushInto(this);
    });
    this.plugin = catalogPendingHistogram(routerSchedulerPluginDuration, this.registry);
    this.rateLimited = catalogCounter(routerRateLimitExceededTotal, this.registry);
    this.goodput = catalogCounter(routerGoodputRequests, this.registry, function () {
      goodputCounts.flushInto(this);
    });
    this.prefill = options.disaggregated ? catalogPendingHistogram(routerRequestPrefillDuration, this.registry) : undefined;
    this.decode = options.disaggregated ? catalogPendingHistogram(routerRequestDecodeDuration, this.registry) : undefined;
    this.queueSize = options.fairness ? catalogGauge(routerFairnessQueueSize, this.registry) : undefined;
    this.queueDuration = options.fairness ? catalogPendingHistogram(routerFairnessQueueDuration, this.registry) : undefined;
  }

  /** `traceId`, when given and exemplars are on, becomes the exemplar of the observation's bucket. */
  requestFinished(model: string, path: string, status: number, errorType: RouterErrorType, seconds: number, traceId?: string): void {
    const key = latencyKey(model, path, status);
    this.requestCounts.add(`${key}\u0000${errorType}`, () => ({ model, path, status_code: String(status), error_type: errorType }), 1);
    this.observeLatency(this.duration, key, model, path, status, seconds, traceId);
  }

  /** Counts a finished request once more, by whether it met its model's goodput targets. */
  goodputJudged(model: string, outcome: GoodputOutcome): void {
    this.goodputCounts.add(`${model}\u0000${outcome}`, () => ({ model, outcome }), 1);
  }

  phaseFinished(phase: Phase, model: string, path: string, status: number, seconds: number, traceId?: string): void {
    const histogram = phase === 'prefill' ? this.prefill : this.decode;
    if (histogram) this.observeLatency(histogram, latencyKey(model, path, status), model, path, status, seconds, traceId);
  }

  private observeLatency(
    histogram: PendingHistogram<LabelsOf<typeof routerRequestDuration>>,
    key: string,
    model: string,
    path: string,
    status: number,
    seconds: number,
    traceId: string | undefined,
  ): void {
    const exemplar = this.exemplars && traceId ? { [ROUTER_TRACE_ID_LABEL]: traceId } : undefined;
    histogram.observe(key, () => ({ model, path, status_code: String(status) }), seconds, exemplar);
  }

  downstreamDelta(model: string, delta: number): void {
    this.downstreamCounts.add(model, () => ({ model }), delta);
  }

  upstreamDelta(modelRoute: string, modelServer: string, delta: number): void {
    this.upstreamCounts.add(`${modelRoute}\u0000${modelServer}`, () => ({ model_route: modelRoute, model_server: modelServer }), delta);
  }

  countTokens(model: string, path: string, tokenType: RouterTokenType, count: number): void {
    if (count > 0) this.tokenCounts.add(`${model}\u0000${path}\u0000${tokenType}`, () => ({ model, path, token_type: tokenType }), count);
  }

  pluginTimed(model: string, plugin: RouterPlugin, type: RouterPluginType, seconds: number): void {
    this.plugin.observe(`${model}\u0000${plugin}\u0000${type}`, () => ({ model, plugin, type }), seconds);
  }

  rateLimitExceeded(model: string, limitType: RouterLimitType, path: string): void {
    this.rateLimited.inc({ model, limit_type: limitType, path });
  }

  queueDelta(model: string, userId: string, delta: number): void {
    this.queueSize?.inc({ model, user_id: userId }, delta);
  }

  queueWaited(model: string, userId: string, seconds: number): void {
    this.queueDuration?.observe(`${model}\u0000${userId}`, () => ({ model, user_id: userId }), seconds);
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
