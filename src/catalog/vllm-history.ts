import type { SourceHistorySpec, UpstreamRef } from '../model/catalog.ts';

/**
 * vLLM releases the catalog knows (minor lines: a pin of `0.11.2` is the 0.11 line) and the family changes
 * between them, each on the minor line that first has it.
 */

const LOGGERS = 'vllm/v1/metrics/loggers.py';
const repo = 'vllm-project/vllm';
const loggers = (at: string, pr?: number): UpstreamRef => ({ repo, path: LOGGERS, at, ...(pr ? { pr } : {}) });

/** TTFT, TPOT and request-latency buckets before they were extended for long requests. */
const TTFT_BUCKETS_BEFORE_0_9 = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];
const TPOT_BUCKETS_BEFORE_0_9 = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5];
const REQUEST_LATENCY_BUCKETS_BEFORE_0_9 = [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0];
const TTFT_BUCKETS = [...TTFT_BUCKETS_BEFORE_0_9, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0];
const TPOT_BUCKETS = [...TPOT_BUCKETS_BEFORE_0_9, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0];
const REQUEST_LATENCY_BUCKETS = [...REQUEST_LATENCY_BUCKETS_BEFORE_0_9, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0];

// PR #15202 was still in review on 2025-04-03, amid the 0.8 patch releases; loggers.py at 005a810 (0.10 line)
// has the new lists. 0.9 is the first minor line recorded with them; no 0.8.x or 0.9.0 tag was read.
const LONGER_BUCKETS = {
  version: '0.9',
  ref: loggers('005a810bc40faa25b8870fbc8559c3462581eee3', 15202),
  note: 'buckets extended for long requests; read on the 0.10 line, first release of the change not read',
} as const;

export const VLLM_HISTORY = {
  upstream: repo,
  releases: Array.from({ length: 27 }, (_, i) => `0.${i + 6}`),
  current: '0.32',
  changes: [
    // PR #18354 added the new names next to the gpu_-prefixed ones ("Deprecated in 0.9 - Renamed as ..." in
    // loggers.py at 005a810); PR #29330 (2025-11-24) deleted the old ones.
    ...(
      [
        ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc'],
        ['vllm:prefix_cache_queries_total', 'vllm:gpu_prefix_cache_queries_total'],
        ['vllm:prefix_cache_hits_total', 'vllm:gpu_prefix_cache_hits_total'],
      ] as const
    ).flatMap(([now, before]) => [
      { change: 'added' as const, version: '0.9', family: now, ref: loggers('005a810bc40faa25b8870fbc8559c3462581eee3', 18354) },
      { change: 'renamed' as const, version: '0.12', family: before, to: now, ref: loggers('v0.12.0', 29330) },
    ]),
    // PR #24110 deprecated TPOT from 0.11 in favour of ITL (same buckets); PR #32661 (2026-01-20) deleted it.
    { change: 'added', version: '0.11', family: 'vllm:inter_token_latency_seconds', ref: loggers('v0.11.0', 24110) },
    { change: 'renamed', version: '0.15', family: 'vllm:time_per_output_token_seconds', to: 'vllm:inter_token_latency_seconds', ref: loggers('v0.15.0', 32661) },
    { change: 'rebucketed', family: 'vllm:time_to_first_token_seconds', from: TTFT_BUCKETS_BEFORE_0_9, to: TTFT_BUCKETS, ...LONGER_BUCKETS },
    { change: 'rebucketed', family: 'vllm:time_per_output_token_seconds', from: TPOT_BUCKETS_BEFORE_0_9, to: TPOT_BUCKETS, ...LONGER_BUCKETS },
    ...['vllm:e2e_request_latency_seconds', 'vllm:request_queue_time_seconds', 'vllm:request_inference_time_seconds', 'vllm:request_prefill_time_seconds', 'vllm:request_decode_time_seconds'].map(
      (family) => ({ change: 'rebucketed' as const, family, from: REQUEST_LATENCY_BUCKETS_BEFORE_0_9, to: REQUEST_LATENCY_BUCKETS, ...LONGER_BUCKETS }),
    ),
  ],
} satisfies SourceHistorySpec;
