import { label, metric } from '../model/catalog.ts';
import { defineSource } from '../model/spec.ts';
import { SGLANG_HISTORY } from './sglang-history.ts';

/**
 * SGLang server with `--enable-metrics`: scheduler gauges and counters (one set per TP/PP rank) and the
 * tokenizer's request counters and latency histograms, on /metrics of the server port. The families are
 * as release 0.5.10 exposes them; `sglang-history.ts` records how other releases differ.
 */

/** `engine_type`: the role of the server in prefill/decode disaggregation, `unified` without it. */
export const SGLANG_ENGINE_TYPES = ['unified', 'prefill', 'decode'] as const;

export const SGLANG_TTFT_BUCKETS = [0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8, 10, 20, 40, 60, 80, 100, 200, 400] as const;
export const SGLANG_ITL_BUCKETS = [
  0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.06, 0.08, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4,
  6, 8,
] as const;
export const SGLANG_E2E_BUCKETS = [
  0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8, 10, 20, 40, 60, 80, 100, 200, 400, 600, 1200, 1800, 2400,
] as const;
export const SGLANG_QUEUE_TIME_BUCKETS = [
  0, 0.1, 0.2, 0.5, 1, 2, 3, 4, 5, 10, 15, 20, 30, 40, 50, 60, 70, 80, 90, 100, 200, 300, 400, 500, 600, 700, 800, 900,
  1000, 1200, 1400, 1600, 1800, 2000, 2500, 3000,
] as const;
export const SGLANG_GRAMMAR_COMPILATION_BUCKETS = [
  0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 90, 120, 240,
] as const;
export const SGLANG_TOKENS_HISTOGRAM_BUCKETS = [
  100, 300, 500, 700, 1000, 1500, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 12000, 15000, 20000, 22000,
  25000, 30000, 35000, 40000, 66000, 99000, 132000, 300000, 600000, 900000, 1100000,
] as const;

const PD = 'the server runs as a prefill or decode worker (--disaggregation-mode)';
const SPEC = 'speculative decoding is configured';
const GRAMMAR = 'structured output (grammar-constrained) requests are served';
const TOKENS_HISTOGRAM = 'token histograms are enabled (--collect-tokens-histogram)';

const modelName = label.bounded('served model name');
const engineType = label.enum(SGLANG_ENGINE_TYPES, 'prefill/decode role of the server');
/** Labels of the scheduler metrics: one series per tensor/pipeline/expert-parallel rank. */
const schedulerLabels = {
  model_name: modelName,
  engine_type: engineType,
  tp_rank: label.bounded('tensor-parallel rank'),
  pp_rank: label.bounded('pipeline-parallel rank'),
  moe_ep_rank: label.bounded('expert-parallel rank'),
};
/** Labels of the tokenizer (request-level) metrics; `engine_type` joins them in 0.5.12. */
const tokenizerLabels = { model_name: modelName };

// Scheduler gauges

export const sglangNumRunningReqs = metric({
  name: 'sglang:num_running_reqs',
  type: 'gauge',
  help: 'Requests in the running batch (the counterpart of vllm:num_requests_running).',
  unit: 'requests',
  labels: schedulerLabels,
});

export const sglangNumQueueReqs = metric({
  name: 'sglang:num_queue_reqs',
  type: 'gauge',
  help: 'Requests in the waiting queue (the counterpart of vllm:num_requests_waiting).',
  unit: 'requests',
  labels: schedulerLabels,
});

export const sglangNumUsedTokens = metric({
  name: 'sglang:num_used_tokens',
  type: 'gauge',
  help: 'Tokens held in the KV pool.',
  unit: 'tokens',
  labels: schedulerLabels,
});

export const sglangTokenUsage = metric({
  name: 'sglang:token_usage',
  type: 'gauge',
  help: 'Fraction of the KV token pool in use, 0 to 1 (the counterpart of vllm:kv_cache_usage_perc).',
  unit: 'ratio',
  labels: schedulerLabels,
});

export const sglangGenThroughput = metric({
  name: 'sglang:gen_throughput',
  type: 'gauge',
  help: 'Generation throughput over the last logging interval.',
  unit: 'tokens_per_second',
  labels: schedulerLabels,
});

export const sglangCacheHitRate = metric({
  name: 'sglang:cache_hit_rate',
  type: 'gauge',
  help: 'Prefix-cache hit rate over the last logging interval, 0 to 1 (a gauge, not counters as in vLLM).',
  unit: 'ratio',
  labels: schedulerLabels,
});

export const sglangNumGrammarQueueReqs = metric({
  name: 'sglang:num_grammar_queue_reqs',
  type: 'gauge',
  help: 'Requests waiting for their grammar to compile.',
  unit: 'requests',
  labels: schedulerLabels,
});

export const sglangNumRunningReqsOfflineBatch = metric({
  name: 'sglang:num_running_reqs_offline_batch',
  type: 'gauge',
  help: 'Running low-priority offline batch requests.',
  unit: 'requests',
  labels: schedulerLabels,
});

export const sglangPendingPreallocTokenUsage = metric({
  name: 'sglang:pending_prealloc_token_usage',
  type: 'gauge',
  help: 'Fraction of the token pool wanted by requests not preallocated yet.',
  unit: 'ratio',
  labels: schedulerLabels,
});

export const sglangSwaTokenUsage = metric({
  name: 'sglang:swa_token_usage',
  type: 'gauge',
  help: 'Fraction of the sliding-window-attention token pool in use.',
  unit: 'ratio',
  labels: schedulerLabels,
});

export const sglangSpecAcceptLength = metric({
  name: 'sglang:spec_accept_length',
  type: 'gauge',
  help: 'Mean accepted length of speculative drafts.',
  unit: 'tokens',
  labels: schedulerLabels,
  conditional: SPEC,
});

export const sglangSpecAcceptRate = metric({
  name: 'sglang:spec_accept_rate',
  type: 'gauge',
  help: 'Accepted draft tokens over proposed draft tokens in the last batch.',
  unit: 'ratio',
  labels: schedulerLabels,
  conditional: SPEC,
});

export const sglangNumRetractedReqs = metric({
  name: 'sglang:num_retracted_reqs',
  type: 'gauge',
  help: 'Requests retracted from the running batch to free KV memory.',
  unit: 'requests',
  labels: schedulerLabels,
});

export const sglangNumPausedReqs = metric({
  name: 'sglang:num_paused_reqs',
  type: 'gauge',
  help: 'Requests paused during an asynchronous weight update.',
  unit: 'requests',
  labels: schedulerLabels,
});

export const sglangUtilization = metric({
  name: 'sglang:utilization',
  type: 'gauge',
  help: 'Engine utilisation as computed by the scheduler.',
  unit: 'ratio',
  labels: schedulerLabels,
});

export const sglangMaxRunningRequestsUnderSlo = metric({
  name: 'sglang:max_running_requests_under_SLO',
  type: 'gauge',
  help: 'Largest running batch that still meets the latency target.',
  unit: 'requests',
  labels: schedulerLabels,
  conditional: 'the scheduler has a latency target to compute it from',
});

export const sglangEngineStartupTime = metric({
  name: 'sglang:engine_startup_time',
  type: 'gauge',
  help: 'Time the engine took to start.',
  unit: 'seconds',
  labels: schedulerLabels,
});

export const sglangEngineLoadWeightsTime = metric({
  name: 'sglang:engine_load_weights_time',
  type: 'gauge',
  help: 'Time the engine took to load the model weights.',
  unit: 'seconds',
  labels: schedulerLabels,
});

export const sglangIsCudaGraph = metric({
  name: 'sglang:is_cuda_graph',
  type: 'gauge',
  help: 'Whether the last batch ran as a CUDA graph (1) or not (0).',
  unit: 'boolean',
  labels: schedulerLabels,
});

// Prefill/decode disaggregation

export const sglangNumPrefillPreallocQueueReqs = metric({
  name: 'sglang:num_prefill_prealloc_queue_reqs',
  type: 'gauge',
  help: 'Requests in the prefill prealloc (bootstrap) queue.',
  unit: 'requests',
  labels: schedulerLabels,
  conditional: PD,
});

export const sglangNumPrefillInflightQueueReqs = metric({
  name: 'sglang:num_prefill_inflight_queue_reqs',
  type: 'gauge',
  help: 'Prefilled requests whose KV is being transferred.',
  unit: 'requests',
  labels: schedulerLabels,
  conditional: PD,
});

export const sglangNumDecodePreallocQueueReqs = metric({
  name: 'sglang:num_decode_prealloc_queue_reqs',
  type: 'gauge',
  help: 'Requests waiting for KV memory on the decode side.',
  unit: 'requests',
  labels: schedulerLabels,
  conditional: PD,
});

export const sglangNumDecodeTransferQueueReqs = metric({
  name: 'sglang:num_decode_transfer_queue_reqs',
  type: 'gauge',
  help: 'Requests waiting for their KV transfer on the decode side.',
  unit: 'requests',
  labels: schedulerLabels,
  conditional: PD,
});

export const sglangKvTransferSpeed = metric({
  name: 'sglang:kv_transfer_speed_gb_s',
  type: 'gauge',
  help: 'KV-cache transfer speed.',
  unit: 'gigabytes_per_second',
  labels: schedulerLabels,
  conditional: PD,
});

export const sglangKvTransferLatency = metric({
  name: 'sglang:kv_transfer_latency_ms',
  type: 'gauge',
  help: 'KV-cache transfer latency.',
  unit: 'milliseconds',
  labels: schedulerLabels,
  conditional: PD,
});

export const sglangNumBootstrapFailedReqs = metric({
  name: 'sglang:num_bootstrap_failed_reqs_total',
  type: 'counter',
  help: 'Requests whose prefill/decode bootstrap failed.',
  unit: 'requests',
  labels: schedulerLabels,
  conditional: PD,
});

export const sglangNumTransferFailedReqs = metric({
  name: 'sglang:num_transfer_failed_reqs_total',
  type: 'counter',
  help: 'Requests whose KV transfer failed.',
  unit: 'requests',
  labels: schedulerLabels,
  conditional: PD,
});

// Scheduler histograms and grammar counters

export const sglangQueueTime = metric({
  name: 'sglang:queue_time_seconds',
  type: 'histogram',
  help: 'Time requests waited in the scheduler queue.',
  unit: 'seconds',
  labels: schedulerLabels,
  buckets: [...SGLANG_QUEUE_TIME_BUCKETS],
});

export const sglangGrammarCompilationTime = metric({
  name: 'sglang:grammar_compilation_time_seconds',
  type: 'histogram',
  help: 'Time to compile the grammar of a structured output request.',
  unit: 'seconds',
  labels: schedulerLabels,
  buckets: [...SGLANG_GRAMMAR_COMPILATION_BUCKETS],
  conditional: GRAMMAR,
});

export const sglangNumGrammarCacheHit = metric({
  name: 'sglang:num_grammar_cache_hit_total',
  type: 'counter',
  help: 'Grammar compilations served from the grammar cache.',
  unit: 'requests',
  labels: schedulerLabels,
  conditional: GRAMMAR,
});

export const sglangNumGrammarAborted = metric({
  name: 'sglang:num_grammar_aborted_total',
  type: 'counter',
  help: 'Structured output requests aborted during grammar handling.',
  unit: 'requests',
  labels: schedulerLabels,
  conditional: GRAMMAR,
});

export const sglangNumGrammarTotal = metric({
  name: 'sglang:num_grammar_total',
  type: 'counter',
  help: 'Structured output requests whose grammar was processed.',
  unit: 'requests',
  labels: schedulerLabels,
  conditional: GRAMMAR,
});

// Tokenizer (request level)

export const sglangPromptTokens = metric({
  name: 'sglang:prompt_tokens_total',
  type: 'counter',
  help: 'Prompt (prefill) tokens of finished requests.',
  unit: 'tokens',
  labels: tokenizerLabels,
});

export const sglangGenerationTokens = metric({
  name: 'sglang:generation_tokens_total',
  type: 'counter',
  help: 'Generated tokens of finished requests.',
  unit: 'tokens',
  labels: tokenizerLabels,
});

export const sglangCachedTokens = metric({
  name: 'sglang:cached_tokens_total',
  type: 'counter',
  help: 'Prompt tokens served from the prefix cache; hit ratio = rate(cached) / rate(prompt).',
  unit: 'tokens',
  labels: { ...tokenizerLabels, cache_source: label.bounded('where the cached tokens were found: device or host memory') },
});

export const sglangNumRequests = metric({
  name: 'sglang:num_requests_total',
  type: 'counter',
  help: 'Requests that finished.',
  unit: 'requests',
  labels: tokenizerLabels,
});

export const sglangNumSoRequests = metric({
  name: 'sglang:num_so_requests_total',
  type: 'counter',
  help: 'Structured output requests that finished.',
  unit: 'requests',
  labels: tokenizerLabels,
});

export const sglangNumAbortedRequests = metric({
  name: 'sglang:num_aborted_requests_total',
  type: 'counter',
  help: 'Requests aborted before finishing.',
  unit: 'requests',
  labels: tokenizerLabels,
});

export const sglangTimeToFirstToken = metric({
  name: 'sglang:time_to_first_token_seconds',
  type: 'histogram',
  help: 'Time from request arrival to the first generated token.',
  unit: 'seconds',
  labels: tokenizerLabels,
  buckets: [...SGLANG_TTFT_BUCKETS],
});

export const sglangInterTokenLatency = metric({
  name: 'sglang:inter_token_latency_seconds',
  type: 'histogram',
  help: 'Time between consecutive output tokens.',
  unit: 'seconds',
  labels: tokenizerLabels,
  buckets: [...SGLANG_ITL_BUCKETS],
});

export const sglangE2eRequestLatency = metric({
  name: 'sglang:e2e_request_latency_seconds',
  type: 'histogram',
  help: 'End-to-end latency of finished requests.',
  unit: 'seconds',
  labels: tokenizerLabels,
  buckets: [...SGLANG_E2E_BUCKETS],
});

export const sglangPromptTokensHistogram = metric({
  name: 'sglang:prompt_tokens_histogram',
  type: 'histogram',
  help: 'Prompt length of finished requests.',
  unit: 'tokens',
  labels: tokenizerLabels,
  buckets: [...SGLANG_TOKENS_HISTOGRAM_BUCKETS],
  conditional: TOKENS_HISTOGRAM,
});

export const sglangGenerationTokensHistogram = metric({
  name: 'sglang:generation_tokens_histogram',
  type: 'histogram',
  help: 'Generated length of finished requests.',
  unit: 'tokens',
  labels: tokenizerLabels,
  buckets: [...SGLANG_TOKENS_HISTOGRAM_BUCKETS],
  conditional: TOKENS_HISTOGRAM,
});

// Renamed: releases before 0.4.5 measured inter-token latency under this name.

export const sglangTimePerOutputToken = metric({
  name: 'sglang:time_per_output_token_seconds',
  type: 'histogram',
  help: 'Former name of the inter-token latency histogram.',
  unit: 'seconds',
  labels: { model_name: modelName },
  removedIn: '0.4.5',
  renamedTo: 'sglang:inter_token_latency_seconds',
});

export const SGLANG_METRICS = [
  sglangNumRunningReqs,
  sglangNumQueueReqs,
  sglangNumUsedTokens,
  sglangTokenUsage,
  sglangGenThroughput,
  sglangCacheHitRate,
  sglangNumGrammarQueueReqs,
  sglangNumRunningReqsOfflineBatch,
  sglangPendingPreallocTokenUsage,
  sglangSwaTokenUsage,
  sglangSpecAcceptLength,
  sglangSpecAcceptRate,
  sglangNumRetractedReqs,
  sglangNumPausedReqs,
  sglangUtilization,
  sglangMaxRunningRequestsUnderSlo,
  sglangEngineStartupTime,
  sglangEngineLoadWeightsTime,
  sglangIsCudaGraph,
  sglangNumPrefillPreallocQueueReqs,
  sglangNumPrefillInflightQueueReqs,
  sglangNumDecodePreallocQueueReqs,
  sglangNumDecodeTransferQueueReqs,
  sglangKvTransferSpeed,
  sglangKvTransferLatency,
  sglangNumBootstrapFailedReqs,
  sglangNumTransferFailedReqs,
  sglangQueueTime,
  sglangGrammarCompilationTime,
  sglangNumGrammarCacheHit,
  sglangNumGrammarAborted,
  sglangNumGrammarTotal,
  sglangPromptTokens,
  sglangGenerationTokens,
  sglangCachedTokens,
  sglangNumRequests,
  sglangNumSoRequests,
  sglangNumAbortedRequests,
  sglangTimeToFirstToken,
  sglangInterTokenLatency,
  sglangE2eRequestLatency,
  sglangPromptTokensHistogram,
  sglangGenerationTokensHistogram,
  sglangTimePerOutputToken,
] as const;

export const sglang = defineSource({
  name: 'sglang',
  component: 'SGLang server',
  job: 'sglang',
  port: { name: 'http', number: 30000 },
  path: '/metrics',
  scrapeInterval: '15s',
  kubernetes: {
    namespace: 'inference',
    podLabels: { app: 'sglang' },
  },
  metrics: [...SGLANG_METRICS],
  history: SGLANG_HISTORY,
});
