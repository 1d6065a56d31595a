import { Registry } from 'prom-client';
import {
  VLLM_FINISHED_REASONS,
  VLLM_METRICS,
  VLLM_PROMPT_TOKEN_SOURCES,
  vllmCacheConfigInfo,
  vllmE2eRequestLatency,
  vllmGenerationTokens,
  vllmInterTokenLatency,
  vllmIterationTokens,
  vllmKvCacheUsage,
  vllmMmCacheHits,
  vllmMmCacheQueries,
  vllmNumPreemptions,
  vllmNumRequestsRunning,
  vllmNumRequestsWaiting,
  vllmPrefixCacheHits,
  vllmPrefixCacheQueries,
  vllmPromptTokens,
  vllmPromptTokensBySource,
  vllmPromptTokensCached,
  vllmPromptTokensRecomputed,
  vllmRequestDecodeTime,
  vllmRequestGenerationTokens,
  vllmRequestInferenceTime,
  vllmRequestMaxNumGenerationTokens,
  vllmRequestNumPreemptions,
  vllmRequestParamsMaxTokens,
  vllmRequestParamsN,
  vllmRequestPrefillKvComputedTokens,
  vllmRequestPrefillTime,
  vllmRequestPromptTokens,
  vllmRequestQueueTime,
  vllmRequestSuccess,
  vllmRequestTimePerOutputToken,
  vllmTimeToFirstToken,
} from 'infermon/catalog/vllm';
import type { MetricSpec } from 'infermon';
import { labelsFor, registerFamilies, unconditionalFamilies, type AnyCollector } from './catalog-registry.ts';
import type { Counter, Gauge, Histogram } from 'prom-client';

export type FinishedReason = (typeof VLLM_FINISHED_REASONS)[number];
export type PromptTokenSource = (typeof VLLM_PROMPT_TOKEN_SOURCES)[number];

/** What one finished request contributes to the per-request histograms. */
export interface FinishedRequest {
  reason: FinishedReason;
  promptTokens: number;
  generatedTokens: number;
  maxTokens: number;
  n: number;
  computedPromptTokens: number;
  ttft: number | undefined;
  e2e: number;
  queue: number;
  prefill: number;
  decode: number;
}

export interface VllmMetricsOptions {
  model: string;
  engine: string;
  blockSize: number;
  numGpuBlocks: number;
}

/**
 * The catalog's unconditional vLLM families on one registry, with the labels a single-engine server
 * gives them (`model_name`, `engine`), pre-created the way vLLM does.
 */
export class VllmMetrics {
  readonly registry = new Registry();
  readonly families: Map<string, AnyCollector>;
  private readonly base: Record<string, string>;

  constructor(private readonly options: VllmMetricsOptions) {
    this.families = registerFamilies(unconditionalFamilies(VLLM_METRICS), this.registry);
    this.base = { model_name: options.model, engine: options.engine };
    for (const reason of VLLM_FINISHED_REASONS) this.counter(vllmRequestSuccess).inc(this.labels(vllmRequestSuccess, { finished_reason: reason }), 0);
    for (const source of VLLM_PROMPT_TOKEN_SOURCES) this.counter(vllmPromptTokensBySource).inc(this.labels(vllmPromptTokensBySource, { source }), 0);
    for (const m of [vllmNumPreemptions, vllmPrefixCacheQueries, vllmPrefixCacheHits, vllmMmCacheQueries, vllmMmCacheHits, vllmPromptTokens, vllmPromptTokensCached, vllmPromptTokensRecomputed, vllmGenerationTokens])
      this.counter(m).inc(this.labels(m), 0);
    this.gauge(vllmCacheConfigInfo).set(
      this.labels(vllmCacheConfigInfo, {
        block_size: String(options.blockSize),
        cache_dtype: 'auto',
        enable_prefix_caching: 'True',
        gpu_memory_utilization: '0.9',
        num_gpu_blocks: String(options.numGpuBlocks),
      }),
      1,
    );
    this.setState(0, 0, 0);
  }

  private labels(m: MetricSpec, extra: Record<string, string> = {}): Record<string, string> {
    return labelsFor(m, this.base, extra);
  }

  private counter(m: MetricSpec): Counter<string> {
    return this.families.get(m.name) as Counter<string>;
  }

  private gauge(m: MetricSpec): Gauge<string> {
    return this.families.get(m.name) as Gauge<string>;
  }

  private histogram(m: MetricSpec): Histogram<string> {
    return this.families.get(m.name) as Histogram<string>;
  }

  setState(running: number, waiting: number, kvUsage: number): void {
    this.gauge(vllmNumRequestsRunning).set(this.labels(vllmNumRequestsRunning), running);
    this.gauge(vllmNumRequestsWaiting).set(this.labels(vllmNumRequestsWaiting), waiting);
    this.gauge(vllmKvCacheUsage).set(this.labels(vllmKvCacheUsage), kvUsage);
  }

  /** A prefill step: the prompt, how much came from the local cache and how much from a KV transfer. */
  prefilled(promptTokens: number, cachedTokens: number, transferredTokens: number): void {
    const computed = Math.max(0, promptTokens - cachedTokens - transferredTokens);
    this.counter(vllmPromptTokens).inc(this.labels(vllmPromptTokens), promptTokens);
    this.counter(vllmPrefixCacheQueries).inc(this.labels(vllmPrefixCacheQueries), promptTokens);
    this.counter(vllmPrefixCacheHits).inc(this.labels(vllmPrefixCacheHits), cachedTokens);
    this.counter(vllmPromptTokensCached).inc(this.labels(vllmPromptTokensCached), cachedTokens + transferredTokens);
    if (cachedTokens >= promptTokens && promptTokens > 0) this.counter(vllmPromptTokensRecomputed).inc(this.labels(vllmPromptTokensRecomputed), 1);
    const bySource = this.counter(vllmPromptTokensBySource);
    bySource.inc(this.labels(vllmPromptTokensBySource, { source: 'local_compute' }), computed);
    bySource.inc(this.labels(vllmPromptTokensBySource, { source: 'local_cache_hit' }), cachedTokens);
    bySource.inc(this.labels(vllmPromptTokensBySource, { source: 'external_kv_transfer' }), transferredTokens);
    this.histogram(vllmIterationTokens).observe(this.labels(vllmIterationTokens), Math.max(1, computed));
  }

  /** One decode step that produced `tokens` tokens, `gap` seconds after the previous output. */
  decoded(tokens: number, gap: number | undefined): void {
    this.counter(vllmGenerationTokens).inc(this.labels(vllmGenerationTokens), tokens);
    this.histogram(vllmIterationTokens).observe(this.labels(vllmIterationTokens), tokens);
    if (gap !== undefined) this.histogram(vllmInterTokenLatency).observe(this.labels(vllmInterTokenLatency), gap);
  }

  firstToken(seconds: number): void {
    this.histogram(vllmTimeToFirstToken).observe(this.labels(vllmTimeToFirstToken), seconds);
  }

  finished(r: FinishedRequest): void {
    const h = (m: MetricSpec, v: number) => this.histogram(m).observe(this.labels(m), v);
    this.counter(vllmRequestSuccess).inc(this.labels(vllmRequestSuccess, { finished_reason: r.reason }));
    h(vllmRequestPromptTokens, r.promptTokens);
    h(vllmRequestGenerationTokens, r.generatedTokens);
    h(vllmRequestMaxNumGenerationTokens, r.generatedTokens);
    h(vllmRequestParamsMaxTokens, r.maxTokens);
    h(vllmRequestParamsN, r.n);
    h(vllmRequestPrefillKvComputedTokens, r.computedPromptTokens);
    h(vllmRequestNumPreemptions, 0);
    h(vllmE2eRequestLatency, r.e2e);
    h(vllmRequestQueueTime, r.queue);
    h(vllmRequestInferenceTime, r.prefill + r.decode);
    h(vllmRequestPrefillTime, r.prefill);
    h(vllmRequestDecodeTime, r.decode);
    if (r.generatedTokens > 1) h(vllmRequestTimePerOutputToken, r.decode / (r.generatedTokens - 1));
  }

  /** A request that failed before it was scheduled. */
  failed(reason: FinishedReason): void {
    this.counter(vllmRequestSuccess).inc(this.labels(vllmRequestSuccess, { finished_reason: reason }));
  }
}
