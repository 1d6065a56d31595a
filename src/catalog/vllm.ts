import { label, metric } from '../model/catalog.ts';
import { defineSource } from '../model/spec.ts';
import { VLLM_HISTORY } from './vllm-history.ts';

/**
 * vLLM's OpenAI-compatible server (V1 engine): the `vllm:*` families on /metrics of the API port, followed
 * by the families older releases had, kept so checks can name what replaced them. Counters are declared
 * without `_total` in vLLM but exposed with it, which is the name listed here.
 */

/**
 * The request token histograms use a 1-2-5 series that stops at the server's max_model_len. The catalog
 * assumes max_model_len = 8192; a server with a longer context adds 10000, 20000, ... at the top.
 */
export const VLLM_ASSUMED_MAX_MODEL_LEN = 8192;

/** vLLM's 1-2-5 bucket series: 1, 2, 5, 10, 20, 50, ... up to and including `max`. */
function oneTwoFiveBuckets(max: number): number[] {
  const out: number[] = [];
  for (let scale = 1; ; scale *= 10) {
    for (const mantissa of [1, 2, 5]) {
      const value = mantissa * scale;
      if (value > max) return out;
      out.push(value);
    }
  }
}

/** Buckets of the per-request token-count histograms (prompt, generation, max_tokens, ...). */
export const VLLM_REQUEST_TOKEN_BUCKETS: readonly number[] = oneTwoFiveBuckets(VLLM_ASSUMED_MAX_MODEL_LEN);
export const VLLM_ITERATION_TOKEN_BUCKETS = [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384] as const;
export const VLLM_REQUEST_PARAMS_N_BUCKETS = [1, 2, 5, 10, 20] as const;
export const VLLM_REQUEST_PREEMPTION_BUCKETS = [1, 2, 3, 4, 5, 10, 20] as const;
export const VLLM_TTFT_BUCKETS = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0,
  640.0, 2560.0,
] as const;
/** Inter-token latency and per-request time per output token share these buckets. */
export const VLLM_ITL_BUCKETS = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0,
] as const;
/** End-to-end latency and the per-phase request times (queue, inference, prefill, decode). */
export const VLLM_REQUEST_LATENCY_BUCKETS = [
  0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0,
  7680.0,
] as const;
export const VLLM_KV_RESIDENCY_BUCKETS = [
  0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800,
] as const;
export const VLLM_NIXL_XFER_TIME_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 5.0] as const;
export const VLLM_NIXL_POST_TIME_BUCKETS = [0.001, ...VLLM_NIXL_XFER_TIME_BUCKETS] as const;
/** 2^11, 2^13, ..., 2^33 bytes. */
export const VLLM_NIXL_BYTES_BUCKETS: readonly number[] = Array.from({ length: 12 }, (_, i) => 2 ** (11 + 2 * i));
/** Defaults of the HTTP instrumentator's two latency histograms. */
export const VLLM_HTTP_DURATION_BUCKETS = [0.1, 0.5, 1] as const;
export const VLLM_HTTP_DURATION_HIGHR_BUCKETS = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 7.5, 10, 30, 60,
] as const;

/** `finished_reason` of `vllm:request_success_total`; every value is pre-created at 0. */
export const VLLM_FINISHED_REASONS = ['stop', 'length', 'abort', 'error', 'repetition'] as const;
/** `source` of `vllm:prompt_tokens_by_source_total`. */
export const VLLM_PROMPT_TOKEN_SOURCES = ['local_compute', 'local_cache_hit', 'external_kv_transfer'] as const;
/** `reason` of `vllm:num_requests_waiting_by_reason`; the reasons sum to `vllm:num_requests_waiting`. */
export const VLLM_WAITING_REASONS = ['capacity', 'deferred'] as const;
/** `sleep_state` of `vllm:engine_sleep_state`; the current state is 1, the others 0. */
export const VLLM_SLEEP_STATES = ['awake', 'weights_offloaded', 'discard_all'] as const;
/** `status` of `http_requests_total`: status codes grouped by class. */
export const VLLM_HTTP_STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

const SPEC_DECODE = 'speculative decoding is configured (--speculative-config)';
const KV_CACHE_METRICS = 'KV block residency sampling is on (--kv-cache-metrics)';
const MFU = 'MFU metrics are on (--enable-mfu-metrics)';
const NIXL = 'the NIXL KV connector is configured (prefill/decode disaggregation)';
const HTTP_INSTRUMENTATOR = 'single API server process; the HTTP instrumentator series describe the API routes, not the engine';

const modelName = label.bounded('served model name (--served-model-name)');
const engine = label.bounded('data-parallel engine index, "0", "1", ...');
const engineLabels = { model_name: modelName, engine };

// Scheduler state

export const vllmNumRequestsRunning = metric({
  name: 'vllm:num_requests_running',
  type: 'gauge',
  help: 'Requests in the running batch (prefill or decode).',
  unit: 'requests',
  labels: engineLabels,
});

export const vllmNumRequestsWaiting = metric({
  name: 'vllm:num_requests_waiting',
  type: 'gauge',
  help: 'Requests waiting to be scheduled.',
  unit: 'requests',
  labels: engineLabels,
});

export const vllmNumRequestsWaitingByReason = metric({
  name: 'vllm:num_requests_waiting_by_reason',
  type: 'gauge',
  help: 'Waiting requests split by why they wait; the reasons sum to vllm:num_requests_waiting.',
  unit: 'requests',
  labels: { ...engineLabels, reason: label.enum(VLLM_WAITING_REASONS, 'why the request waits') },
  conditional: 'vLLM releases from about 0.28 on',
});

export const vllmEngineSleepState = metric({
  name: 'vllm:engine_sleep_state',
  type: 'gauge',
  help: 'Sleep state of the engine: 1 on the current state, 0 on the others.',
  unit: 'state',
  labels: { ...engineLabels, sleep_state: label.enum(VLLM_SLEEP_STATES, 'engine sleep level') },
  conditional: 'sleep mode is enabled (--enable-sleep-mode)',
});

export const vllmKvCacheUsage = metric({
  name: 'vllm:kv_cache_usage_perc',
  type: 'gauge',
  help: 'Fraction of KV-cache blocks in use, 0 to 1 (1 means full).',
  unit: 'ratio',
  labels: engineLabels,
  since: '0.9',
});

export const vllmNumPreemptions = metric({
  name: 'vllm:num_preemptions_total',
  type: 'counter',
  help: 'Requests preempted by the scheduler to free KV cache.',
  unit: 'preemptions',
  labels: engineLabels,
});

// Caches

export const vllmPrefixCacheQueries = metric({
  name: 'vllm:prefix_cache_queries_total',
  type: 'counter',
  help: 'Prompt tokens looked up in the local prefix cache.',
  unit: 'tokens',
  labels: engineLabels,
  since: '0.9',
});

export const vllmPrefixCacheHits = metric({
  name: 'vllm:prefix_cache_hits_total',
  type: 'counter',
  help: 'Prompt tokens found in the local prefix cache; hit rate = rate(hits) / rate(queries).',
  unit: 'tokens',
  labels: engineLabels,
  since: '0.9',
});

export const vllmExternalPrefixCacheQueries = metric({
  name: 'vllm:external_prefix_cache_queries_total',
  type: 'counter',
  help: 'Prompt tokens looked up in the cross-instance cache of a KV connector.',
  unit: 'tokens',
  labels: engineLabels,
  conditional: 'a KV connector is configured (--kv-transfer-config)',
});

export const vllmExternalPrefixCacheHits = metric({
  name: 'vllm:external_prefix_cache_hits_total',
  type: 'counter',
  help: 'Prompt tokens found in the cross-instance cache of a KV connector.',
  unit: 'tokens',
  labels: engineLabels,
  conditional: 'a KV connector is configured (--kv-transfer-config)',
});

export const vllmMmCacheQueries = metric({
  name: 'vllm:mm_cache_queries_total',
  type: 'counter',
  help: 'Multimodal items looked up in the multimodal input cache.',
  unit: 'items',
  labels: engineLabels,
});

export const vllmMmCacheHits = metric({
  name: 'vllm:mm_cache_hits_total',
  type: 'counter',
  help: 'Multimodal items found in the multimodal input cache.',
  unit: 'items',
  labels: engineLabels,
});

export const vllmCacheConfigInfo = metric({
  name: 'vllm:cache_config_info',
  type: 'gauge',
  help: 'KV-cache configuration as labels; the value is always 1.',
  unit: 'info',
  // The label set is the engine's CacheConfig fields; these are the ones worth querying.
  labels: {
    engine,
    block_size: label.bounded('tokens per KV block'),
    cache_dtype: label.bounded('KV-cache data type'),
    enable_prefix_caching: label.enum(['True', 'False'], 'whether prefix caching is on'),
    gpu_memory_utilization: label.bounded('fraction of GPU memory the engine may use'),
    num_gpu_blocks: label.bounded('KV blocks allocated on the GPU'),
  },
});

// Tokens and requests

export const vllmPromptTokens = metric({
  name: 'vllm:prompt_tokens_total',
  type: 'counter',
  help: 'Prompt (prefill) tokens processed.',
  unit: 'tokens',
  labels: engineLabels,
});

export const vllmPromptTokensBySource = metric({
  name: 'vllm:prompt_tokens_by_source_total',
  type: 'counter',
  help: 'Prompt tokens by where their KV came from: computed, local cache, or transferred.',
  unit: 'tokens',
  labels: { ...engineLabels, source: label.enum(VLLM_PROMPT_TOKEN_SOURCES, 'origin of the prompt token KV') },
});

export const vllmPromptTokensCached = metric({
  name: 'vllm:prompt_tokens_cached_total',
  type: 'counter',
  help: 'Prompt tokens served from a cache, local or external.',
  unit: 'tokens',
  labels: engineLabels,
});

export const vllmPromptTokensRecomputed = metric({
  name: 'vllm:prompt_tokens_recomputed_total',
  type: 'counter',
  help: 'Cached prompt tokens computed again because the whole prompt hit the cache (the last token).',
  unit: 'tokens',
  labels: engineLabels,
});

export const vllmGenerationTokens = metric({
  name: 'vllm:generation_tokens_total',
  type: 'counter',
  help: 'Generated (decode) tokens.',
  unit: 'tokens',
  labels: engineLabels,
});

export const vllmRequestSuccess = metric({
  name: 'vllm:request_success_total',
  type: 'counter',
  help: 'Finished requests by finish reason.',
  unit: 'requests',
  labels: { ...engineLabels, finished_reason: label.enum(VLLM_FINISHED_REASONS, 'why generation stopped') },
});

export const vllmCorruptedRequests = metric({
  name: 'vllm:corrupted_requests_total',
  type: 'counter',
  help: 'Requests whose logits contained NaNs.',
  unit: 'requests',
  labels: engineLabels,
  conditional: 'VLLM_COMPUTE_NANS_IN_LOGITS is set',
});

export const vllmAdmissionRejections = metric({
  name: 'vllm:admission_rejections_total',
  type: 'counter',
  help: 'Requests rejected at admission because a queue cap was reached.',
  unit: 'requests',
  labels: { model_name: modelName, reason: label.bounded('which queue cap rejected the request') },
  conditional: 'a queue cap is set (--max-num-queued-reqs or --max-num-queued-tokens)',
});

export const vllmIterationTokens = metric({
  name: 'vllm:iteration_tokens_total',
  type: 'histogram',
  help: 'Tokens scheduled per engine step (the name ends in _total but the family is a histogram).',
  unit: 'tokens',
  labels: engineLabels,
  buckets: [...VLLM_ITERATION_TOKEN_BUCKETS],
});

export const vllmRequestPromptTokens = metric({
  name: 'vllm:request_prompt_tokens',
  type: 'histogram',
  help: 'Prompt length of finished requests.',
  unit: 'tokens',
  labels: engineLabels,
  buckets: [...VLLM_REQUEST_TOKEN_BUCKETS],
});

export const vllmRequestGenerationTokens = metric({
  name: 'vllm:request_generation_tokens',
  type: 'histogram',
  help: 'Generated length of finished requests.',
  unit: 'tokens',
  labels: engineLabels,
  buckets: [...VLLM_REQUEST_TOKEN_BUCKETS],
});

export const vllmRequestMaxNumGenerationTokens = metric({
  name: 'vllm:request_max_num_generation_tokens',
  type: 'histogram',
  help: 'Longest generated sequence of each finished request.',
  unit: 'tokens',
  labels: engineLabels,
  buckets: [...VLLM_REQUEST_TOKEN_BUCKETS],
});

export const vllmRequestParamsMaxTokens = metric({
  name: 'vllm:request_params_max_tokens',
  type: 'histogram',
  help: 'The max_tokens parameter of finished requests.',
  unit: 'tokens',
  labels: engineLabels,
  buckets: [...VLLM_REQUEST_TOKEN_BUCKETS],
});

export const vllmRequestParamsN = metric({
  name: 'vllm:request_params_n',
  type: 'histogram',
  help: 'The n parameter (sequences per request) of finished requests.',
  unit: 'sequences',
  labels: engineLabels,
  buckets: [...VLLM_REQUEST_PARAMS_N_BUCKETS],
});

export const vllmRequestPrefillKvComputedTokens = metric({
  name: 'vllm:request_prefill_kv_computed_tokens',
  type: 'histogram',
  help: 'Prompt tokens whose KV was computed in prefill, cached tokens excluded.',
  unit: 'tokens',
  labels: engineLabels,
  buckets: [...VLLM_REQUEST_TOKEN_BUCKETS],
});

export const vllmRequestNumPreemptions = metric({
  name: 'vllm:request_num_preemptions',
  type: 'histogram',
  help: 'Times each finished request was preempted.',
  unit: 'preemptions',
  labels: engineLabels,
  buckets: [...VLLM_REQUEST_PREEMPTION_BUCKETS],
});

// Latency

export const vllmTimeToFirstToken = metric({
  name: 'vllm:time_to_first_token_seconds',
  type: 'histogram',
  help: 'Time from request arrival to the first generated token.',
  unit: 'seconds',
  labels: engineLabels,
  buckets: [...VLLM_TTFT_BUCKETS],
});

export const vllmInterTokenLatency = metric({
  name: 'vllm:inter_token_latency_seconds',
  type: 'histogram',
  help: 'Time between consecutive output events of a request (per step, not per token, under speculative decoding).',
  unit: 'seconds',
  labels: engineLabels,
  buckets: [...VLLM_ITL_BUCKETS],
  since: '0.11',
});

export const vllmRequestTimePerOutputToken = metric({
  name: 'vllm:request_time_per_output_token_seconds',
  type: 'histogram',
  help: 'Mean time per output token of each finished request.',
  unit: 'seconds',
  labels: engineLabels,
  buckets: [...VLLM_ITL_BUCKETS],
});

export const vllmE2eRequestLatency = metric({
  name: 'vllm:e2e_request_latency_seconds',
  type: 'histogram',
  help: 'End-to-end latency of finished requests.',
  unit: 'seconds',
  labels: engineLabels,
  buckets: [...VLLM_REQUEST_LATENCY_BUCKETS],
});

export const vllmRequestQueueTime = metric({
  name: 'vllm:request_queue_time_seconds',
  type: 'histogram',
  help: 'Time requests spent waiting before first being scheduled.',
  unit: 'seconds',
  labels: engineLabels,
  buckets: [...VLLM_REQUEST_LATENCY_BUCKETS],
});

export const vllmRequestInferenceTime = metric({
  name: 'vllm:request_inference_time_seconds',
  type: 'histogram',
  help: 'Time requests spent running (prefill plus decode).',
  unit: 'seconds',
  labels: engineLabels,
  buckets: [...VLLM_REQUEST_LATENCY_BUCKETS],
});

export const vllmRequestPrefillTime = metric({
  name: 'vllm:request_prefill_time_seconds',
  type: 'histogram',
  help: 'Time requests spent in prefill.',
  unit: 'seconds',
  labels: engineLabels,
  buckets: [...VLLM_REQUEST_LATENCY_BUCKETS],
});

export const vllmRequestDecodeTime = metric({
  name: 'vllm:request_decode_time_seconds',
  type: 'histogram',
  help: 'Time requests spent in decode.',
  unit: 'seconds',
  labels: engineLabels,
  buckets: [...VLLM_REQUEST_LATENCY_BUCKETS],
});

// KV block residency (sampled)

export const vllmKvBlockLifetime = metric({
  name: 'vllm:kv_block_lifetime_seconds',
  type: 'histogram',
  help: 'Lifetime of sampled KV blocks from allocation to eviction.',
  unit: 'seconds',
  labels: engineLabels,
  buckets: [...VLLM_KV_RESIDENCY_BUCKETS],
  conditional: KV_CACHE_METRICS,
});

export const vllmKvBlockIdleBeforeEvict = metric({
  name: 'vllm:kv_block_idle_before_evict_seconds',
  type: 'histogram',
  help: 'Idle time of sampled KV blocks between last access and eviction.',
  unit: 'seconds',
  labels: engineLabels,
  buckets: [...VLLM_KV_RESIDENCY_BUCKETS],
  conditional: KV_CACHE_METRICS,
});

export const vllmKvBlockReuseGap = metric({
  name: 'vllm:kv_block_reuse_gap_seconds',
  type: 'histogram',
  help: 'Time between consecutive reuses of sampled KV blocks.',
  unit: 'seconds',
  labels: engineLabels,
  buckets: [...VLLM_KV_RESIDENCY_BUCKETS],
  conditional: KV_CACHE_METRICS,
});

// LoRA

export const vllmLoraRequestsInfo = metric({
  name: 'vllm:lora_requests_info',
  type: 'gauge',
  help: 'LoRA adapters in use, as labels; the value is the Unix time of the last update.',
  unit: 'seconds',
  labels: {
    max_lora: label.bounded('configured maximum of concurrent adapters'),
    waiting_lora_adapters: label.unbounded('comma-joined names of adapters with waiting requests'),
    running_lora_adapters: label.unbounded('comma-joined names of adapters with running requests'),
  },
  conditional: 'LoRA is enabled (--enable-lora)',
});

// Speculative decoding

export const vllmSpecDecodeNumDrafts = metric({
  name: 'vllm:spec_decode_num_drafts_total',
  type: 'counter',
  help: 'Speculative drafts proposed.',
  unit: 'drafts',
  labels: engineLabels,
  conditional: SPEC_DECODE,
});

export const vllmSpecDecodeNumDraftTokens = metric({
  name: 'vllm:spec_decode_num_draft_tokens_total',
  type: 'counter',
  help: 'Draft tokens proposed; acceptance rate = rate(accepted) / rate(draft tokens).',
  unit: 'tokens',
  labels: engineLabels,
  conditional: SPEC_DECODE,
});

export const vllmSpecDecodeNumAcceptedTokens = metric({
  name: 'vllm:spec_decode_num_accepted_tokens_total',
  type: 'counter',
  help: 'Draft tokens accepted; mean acceptance length = 1 + rate(accepted) / rate(drafts).',
  unit: 'tokens',
  labels: engineLabels,
  conditional: SPEC_DECODE,
});

export const vllmSpecDecodeNumAcceptedTokensPerPos = metric({
  name: 'vllm:spec_decode_num_accepted_tokens_per_pos_total',
  type: 'counter',
  help: 'Draft tokens accepted at each position of the draft.',
  unit: 'tokens',
  labels: { ...engineLabels, position: label.bounded('draft position, "0" to "k-1" for k speculative tokens') },
  conditional: SPEC_DECODE,
});

// Model FLOPs utilisation

export const vllmEstimatedFlopsPerGpu = metric({
  name: 'vllm:estimated_flops_per_gpu_total',
  type: 'counter',
  help: 'Estimated floating-point operations executed per GPU.',
  unit: 'flops',
  labels: engineLabels,
  conditional: MFU,
});

export const vllmEstimatedReadBytesPerGpu = metric({
  name: 'vllm:estimated_read_bytes_per_gpu_total',
  type: 'counter',
  help: 'Estimated bytes read from GPU memory per GPU.',
  unit: 'bytes',
  labels: engineLabels,
  conditional: MFU,
});

export const vllmEstimatedWriteBytesPerGpu = metric({
  name: 'vllm:estimated_write_bytes_per_gpu_total',
  type: 'counter',
  help: 'Estimated bytes written to GPU memory per GPU.',
  unit: 'bytes',
  labels: engineLabels,
  conditional: MFU,
});

// NIXL KV transfer

export const vllmNixlXferTime = metric({
  name: 'vllm:nixl_xfer_time_seconds',
  type: 'histogram',
  help: 'Duration of NIXL KV transfers.',
  unit: 'seconds',
  labels: engineLabels,
  buckets: [...VLLM_NIXL_XFER_TIME_BUCKETS],
  conditional: NIXL,
});

export const vllmNixlPostTime = metric({
  name: 'vllm:nixl_post_time_seconds',
  type: 'histogram',
  help: 'Time to post NIXL KV transfer requests.',
  unit: 'seconds',
  labels: engineLabels,
  buckets: [...VLLM_NIXL_POST_TIME_BUCKETS],
  conditional: NIXL,
});

export const vllmNixlBytesTransferred = metric({
  name: 'vllm:nixl_bytes_transferred',
  type: 'histogram',
  help: 'Bytes moved per NIXL KV transfer.',
  unit: 'bytes',
  labels: engineLabels,
  buckets: [...VLLM_NIXL_BYTES_BUCKETS],
  conditional: NIXL,
});

export const vllmNixlNumFailedTransfers = metric({
  name: 'vllm:nixl_num_failed_transfers_total',
  type: 'counter',
  help: 'NIXL KV transfers that failed.',
  unit: 'transfers',
  labels: engineLabels,
  conditional: NIXL,
});

export const vllmNixlNumFailedNotifications = metric({
  name: 'vllm:nixl_num_failed_notifications_total',
  type: 'counter',
  help: 'NIXL transfer notifications that failed.',
  unit: 'notifications',
  labels: engineLabels,
  conditional: NIXL,
});

export const vllmNixlNumKvExpiredReqs = metric({
  name: 'vllm:nixl_num_kv_expired_reqs_total',
  type: 'counter',
  help: 'Requests whose KV blocks expired before the decode side fetched them.',
  unit: 'requests',
  labels: engineLabels,
  conditional: NIXL,
});

// Fault tolerance

export const vllmEngineHealthy = metric({
  name: 'vllm:engine_healthy',
  type: 'gauge',
  help: 'Whether the engine rank is healthy (1) or not (0).',
  unit: 'boolean',
  labels: engineLabels,
  conditional: 'fault tolerance is enabled (--enable-fault-tolerance)',
});

// HTTP API (prometheus-fastapi-instrumentator). Absent when several API server processes run.

const handler = label.bounded('route template of the API endpoint, e.g. /v1/chat/completions');

export const vllmHttpRequests = metric({
  name: 'http_requests_total',
  type: 'counter',
  help: 'HTTP requests to the API server by route, method and status class.',
  unit: 'requests',
  labels: {
    handler,
    method: label.bounded('HTTP method'),
    status: label.enum(VLLM_HTTP_STATUS_CLASSES, 'HTTP status class'),
  },
  conditional: HTTP_INSTRUMENTATOR,
});

export const vllmHttpRequestDuration = metric({
  name: 'http_request_duration_seconds',
  type: 'histogram',
  help: 'Latency of API requests by route and method (coarse buckets).',
  unit: 'seconds',
  labels: { handler, method: label.bounded('HTTP method') },
  buckets: [...VLLM_HTTP_DURATION_BUCKETS],
  conditional: HTTP_INSTRUMENTATOR,
});

export const vllmHttpRequestDurationHighr = metric({
  name: 'http_request_duration_highr_seconds',
  type: 'histogram',
  help: 'Latency of all API requests, fine buckets, no labels.',
  unit: 'seconds',
  buckets: [...VLLM_HTTP_DURATION_HIGHR_BUCKETS],
  conditional: HTTP_INSTRUMENTATOR,
});

export const vllmHttpRequestSize = metric({
  name: 'http_request_size_bytes',
  type: 'summary',
  help: 'Size of API request bodies by route.',
  unit: 'bytes',
  labels: { handler },
  conditional: HTTP_INSTRUMENTATOR,
});

export const vllmHttpResponseSize = metric({
  name: 'http_response_size_bytes',
  type: 'summary',
  help: 'Size of API response bodies by route.',
  unit: 'bytes',
  labels: { handler },
  conditional: HTTP_INSTRUMENTATOR,
});

// Removed and renamed families. vLLM deprecates a metric in X.Y, hides it in X.Y+1 (back with
// --show-hidden-metrics-for-version=X.Y) and deletes it later; `removedIn` is the release without the code.

export const vllmGpuCacheUsagePerc = metric({
  name: 'vllm:gpu_cache_usage_perc',
  type: 'gauge',
  help: 'Former name of the KV-cache usage fraction.',
  unit: 'ratio',
  labels: engineLabels,
  deprecated: '0.9',
  removedIn: '0.12',
  renamedTo: 'vllm:kv_cache_usage_perc',
});

export const vllmGpuPrefixCacheQueries = metric({
  name: 'vllm:gpu_prefix_cache_queries_total',
  type: 'counter',
  help: 'Former name of the prefix-cache query counter (counted blocks in 0.8, tokens later).',
  unit: 'tokens',
  labels: engineLabels,
  deprecated: '0.9',
  removedIn: '0.12',
  renamedTo: 'vllm:prefix_cache_queries_total',
});

export const vllmGpuPrefixCacheHits = metric({
  name: 'vllm:gpu_prefix_cache_hits_total',
  type: 'counter',
  help: 'Former name of the prefix-cache hit counter (counted blocks in 0.8, tokens later).',
  unit: 'tokens',
  labels: engineLabels,
  deprecated: '0.9',
  removedIn: '0.12',
  renamedTo: 'vllm:prefix_cache_hits_total',
});

export const vllmGpuPrefixCacheHitRate = metric({
  name: 'vllm:gpu_prefix_cache_hit_rate',
  type: 'gauge',
  help: 'V0 GPU prefix-cache hit rate; use rate(vllm:prefix_cache_hits_total) / rate(vllm:prefix_cache_queries_total).',
  unit: 'ratio',
  labels: { model_name: modelName },
  deprecated: '0.8',
  removedIn: '0.10',
});

export const vllmCpuPrefixCacheHitRate = metric({
  name: 'vllm:cpu_prefix_cache_hit_rate',
  type: 'gauge',
  help: 'V0 CPU prefix-cache hit rate; the V1 engine has no CPU cache tier.',
  unit: 'ratio',
  labels: { model_name: modelName },
  deprecated: '0.8',
  removedIn: '0.10',
});

export const vllmNumRequestsSwapped = metric({
  name: 'vllm:num_requests_swapped',
  type: 'gauge',
  help: 'V0 requests swapped to CPU; the V1 engine never swaps, so there is no replacement.',
  unit: 'requests',
  labels: { model_name: modelName },
  deprecated: '0.8',
  removedIn: '0.10',
});

export const vllmCpuCacheUsagePerc = metric({
  name: 'vllm:cpu_cache_usage_perc',
  type: 'gauge',
  help: 'V0 CPU swap-space usage; the V1 engine has no CPU cache tier, so there is no replacement.',
  unit: 'ratio',
  labels: { model_name: modelName },
  deprecated: '0.8',
  removedIn: '0.10',
});

export const vllmTimeInQueueRequests = metric({
  name: 'vllm:time_in_queue_requests',
  type: 'histogram',
  help: 'V0 queue time of requests.',
  unit: 'seconds',
  labels: { model_name: modelName },
  deprecated: '0.8',
  removedIn: '0.10',
  renamedTo: 'vllm:request_queue_time_seconds',
});

export const vllmModelForwardTime = metric({
  name: 'vllm:model_forward_time_milliseconds',
  type: 'histogram',
  help: 'V0 model forward time; no V1 replacement.',
  unit: 'milliseconds',
  labels: { model_name: modelName },
  deprecated: '0.8',
  removedIn: '0.10',
});

export const vllmModelExecuteTime = metric({
  name: 'vllm:model_execute_time_milliseconds',
  type: 'histogram',
  help: 'V0 model execute time; no V1 replacement.',
  unit: 'milliseconds',
  labels: { model_name: modelName },
  deprecated: '0.8',
  removedIn: '0.10',
});

export const vllmTimePerOutputToken = metric({
  name: 'vllm:time_per_output_token_seconds',
  type: 'histogram',
  help: 'Former name of the inter-token latency (same buckets); hidden by default from 0.12. Not to be confused with vllm:request_time_per_output_token_seconds.',
  unit: 'seconds',
  labels: engineLabels,
  buckets: [...VLLM_ITL_BUCKETS],
  deprecated: '0.11',
  // Deleted in January 2026, after the 0.14 branch; from 0.12 on it needs --show-hidden-metrics-for-version=0.11.
  removedIn: '0.15',
  renamedTo: 'vllm:inter_token_latency_seconds',
});

export const vllmAvgPromptThroughput = metric({
  name: 'vllm:avg_prompt_throughput_toks_per_s',
  type: 'gauge',
  help: 'V0 logged prompt throughput; use rate(vllm:prompt_tokens_total[...]).',
  unit: 'tokens_per_second',
  labels: { model_name: modelName },
  removedIn: '0.7',
});

export const vllmAvgGenerationThroughput = metric({
  name: 'vllm:avg_generation_throughput_toks_per_s',
  type: 'gauge',
  help: 'V0 logged generation throughput; use rate(vllm:generation_tokens_total[...]).',
  unit: 'tokens_per_second',
  labels: { model_name: modelName },
  removedIn: '0.7',
});

export const vllmSpecDecodeDraftAcceptanceRate = metric({
  name: 'vllm:spec_decode_draft_acceptance_rate',
  type: 'gauge',
  help: 'V0 draft acceptance rate; use rate(vllm:spec_decode_num_accepted_tokens_total) / rate(vllm:spec_decode_num_draft_tokens_total).',
  unit: 'ratio',
  labels: { model_name: modelName },
  removedIn: '0.11',
});

export const vllmSpecDecodeEfficiency = metric({
  name: 'vllm:spec_decode_efficiency',
  type: 'gauge',
  help: 'V0 speculative decoding system efficiency; no V1 equivalent.',
  unit: 'ratio',
  labels: { model_name: modelName },
  removedIn: '0.11',
});

export const vllmSpecDecodeNumEmittedTokens = metric({
  name: 'vllm:spec_decode_num_emitted_tokens_total',
  type: 'counter',
  help: 'V0 tokens emitted by speculative decoding; V1 counts accepted tokens instead.',
  unit: 'tokens',
  labels: { model_name: modelName },
  removedIn: '0.11',
  renamedTo: 'vllm:spec_decode_num_accepted_tokens_total',
});

export const VLLM_REMOVED_METRICS = [
  vllmGpuCacheUsagePerc,
  vllmGpuPrefixCacheQueries,
  vllmGpuPrefixCacheHits,
  vllmGpuPrefixCacheHitRate,
  vllmCpuPrefixCacheHitRate,
  vllmNumRequestsSwapped,
  vllmCpuCacheUsagePerc,
  vllmTimeInQueueRequests,
  vllmModelForwardTime,
  vllmModelExecuteTime,
  vllmTimePerOutputToken,
  vllmAvgPromptThroughput,
  vllmAvgGenerationThroughput,
  vllmSpecDecodeDraftAcceptanceRate,
  vllmSpecDecodeEfficiency,
  vllmSpecDecodeNumEmittedTokens,
] as const;

export const VLLM_METRICS = [
  vllmNumRequestsRunning,
  vllmNumRequestsWaiting,
  vllmNumRequestsWaitingByReason,
  vllmEngineSleepState,
  vllmKvCacheUsage,
  vllmNumPreemptions,
  vllmPrefixCacheQueries,
  vllmPrefixCacheHits,
  vllmExternalPrefixCacheQueries,
  vllmExternalPrefixCacheHits,
  vllmMmCacheQueries,
  vllmMmCacheHits,
  vllmCacheConfigInfo,
  vllmPromptTokens,
  vllmPromptTokensBySource,
  vllmPromptTokensCached,
  vllmPromptTokensRecomputed,
  vllmGenerationTokens,
  vllmRequestSuccess,
  vllmCorruptedRequests,
  vllmAdmissionRejections,
  vllmIterationTokens,
  vllmRequestPromptTokens,
  vllmRequestGenerationTokens,
  vllmRequestMaxNumGenerationTokens,
  vllmRequestParamsMaxTokens,
  vllmRequestParamsN,
  vllmRequestPrefillKvComputedTokens,
  vllmRequestNumPreemptions,
  vllmTimeToFirstToken,
  vllmInterTokenLatency,
  vllmRequestTimePerOutputToken,
  vllmE2eRequestLatency,
  vllmRequestQueueTime,
  vllmRequestInferenceTime,
  vllmRequestPrefillTime,
  vllmRequestDecodeTime,
  vllmKvBlockLifetime,
  vllmKvBlockIdleBeforeEvict,
  vllmKvBlockReuseGap,
  vllmLoraRequestsInfo,
  vllmSpecDecodeNumDrafts,
  vllmSpecDecodeNumDraftTokens,
  vllmSpecDecodeNumAcceptedTokens,
  vllmSpecDecodeNumAcceptedTokensPerPos,
  vllmEstimatedFlopsPerGpu,
  vllmEstimatedReadBytesPerGpu,
  vllmEstimatedWriteBytesPerGpu,
  vllmNixlXferTime,
  vllmNixlPostTime,
  vllmNixlBytesTransferred,
  vllmNixlNumFailedTransfers,
  vllmNixlNumFailedNotifications,
  vllmNixlNumKvExpiredReqs,
  vllmEngineHealthy,
  vllmHttpRequests,
  vllmHttpRequestDuration,
  vllmHttpRequestDurationHighr,
  vllmHttpRequestSize,
  vllmHttpResponseSize,
] as const;

export const vllm = defineSource({
  name: 'vllm',
  component: 'vLLM server',
  job: 'vllm',
  port: { name: 'http', number: 8000 },
  path: '/metrics',
  scrapeInterval: '15s',
  // Model servers are scraped pod by pod: each pod is its own engine, and a Service may not exist.
  kubernetes: {
    namespace: 'inference',
    podLabels: { app: 'vllm' },
  },
  metrics: [...VLLM_METRICS, ...VLLM_REMOVED_METRICS],
  history: VLLM_HISTORY,
});
