import type { SourceHistorySpec, UpstreamRef } from '../model/catalog.ts';

/**
 * SGLang releases whose metric definitions were read, and the changes to the catalog's families between
 * them. Each release was read as published (the package of that version, built from its `v<version>` tag):
 * the Prometheus families of `python/sglang/srt/metrics/collector.py`, which 0.5.10 moved to
 * `python/sglang/srt/observability/metrics_collector.py`, and the label sets the scheduler and the
 * tokenizer manager give them. Releases between two listed ones were not read: a change is recorded at the
 * first listed release that has it, with a note where the release before it was not read.
 */

const repo = 'sgl-project/sglang';
const COLLECTOR = 'python/sglang/srt/metrics/collector.py';
const METRICS_COLLECTOR = 'python/sglang/srt/observability/metrics_collector.py';

const RELEASES = ['0.3.6', '0.4.0', '0.4.3', '0.4.4', '0.4.5', '0.4.6', '0.4.7', '0.4.10', '0.5.1', '0.5.2', '0.5.3', '0.5.4', '0.5.5', '0.5.8', '0.5.10', '0.5.12', '0.5.15', '0.5.18', '0.5.23'];
/** The first release read with the collector in its new place. */
const MOVED = RELEASES.indexOf('0.5.10');

const collector = (version: string): UpstreamRef => ({ repo, path: RELEASES.indexOf(version) >= MOVED ? METRICS_COLLECTOR : COLLECTOR, at: `v${version}` });
const file = (path: string, version: string): UpstreamRef => ({ repo, path: `python/sglang/srt/${path}`, at: `v${version}` });

/** A note for a change whose listed release follows releases that were not read. */
const unreadBefore = (versions: string): { note: string } => ({ note: `${versions} not read; the change may be in one of them` });

/** Families of the scheduler's collector (one series per rank), by the release that adds them. */
const SCHEDULER_0_3_6 = ['sglang:num_running_reqs', 'sglang:num_queue_reqs', 'sglang:num_used_tokens', 'sglang:token_usage', 'sglang:gen_throughput', 'sglang:cache_hit_rate'];
const SCHEDULER_0_4_3 = ['sglang:spec_accept_length'];
const SCHEDULER_0_4_7 = ['sglang:num_grammar_queue_reqs', 'sglang:num_prefill_prealloc_queue_reqs', 'sglang:num_decode_prealloc_queue_reqs', 'sglang:num_decode_transfer_queue_reqs'];
const SCHEDULER_0_5_2 = [
  'sglang:num_running_reqs_offline_batch',
  'sglang:swa_token_usage',
  'sglang:num_retracted_reqs',
  'sglang:num_paused_reqs',
  'sglang:utilization',
  'sglang:max_running_requests_under_SLO',
  'sglang:engine_startup_time',
  'sglang:engine_load_weights_time',
  'sglang:num_prefill_inflight_queue_reqs',
  'sglang:kv_transfer_speed_gb_s',
  'sglang:kv_transfer_latency_ms',
  'sglang:num_bootstrap_failed_reqs_total',
  'sglang:num_transfer_failed_reqs_total',
  'sglang:grammar_compilation_time_seconds',
  'sglang:num_grammar_cache_hit_total',
  'sglang:num_grammar_aborted_total',
  'sglang:num_grammar_total',
];
/** 0.5.3 replaces the average queue-latency gauge by this histogram. */
const SCHEDULER_0_5_3 = ['sglang:queue_time_seconds'];
const SCHEDULER_0_5_4 = ['sglang:pending_prealloc_token_usage', 'sglang:spec_accept_rate', 'sglang:is_cuda_graph'];
/** Families of the tokenizer manager's collector: one series per served model. */
const TOKENIZER_FAMILIES = [
  'sglang:prompt_tokens_total',
  'sglang:generation_tokens_total',
  'sglang:cached_tokens_total',
  'sglang:num_requests_total',
  'sglang:num_so_requests_total',
  'sglang:num_aborted_requests_total',
  'sglang:time_to_first_token_seconds',
  'sglang:inter_token_latency_seconds',
  'sglang:e2e_request_latency_seconds',
  'sglang:prompt_tokens_histogram',
  'sglang:generation_tokens_histogram',
];
/** Tokenizer families 0.5.18 splits by streamed and whole responses. */
const STREAMING_FAMILIES = ['sglang:prompt_tokens_total', 'sglang:generation_tokens_total', 'sglang:num_requests_total', 'sglang:time_to_first_token_seconds', 'sglang:e2e_request_latency_seconds'];

const TTFT_BUCKETS_0_3 = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 15.0, 20.0, 25.0, 30.0];
const TTFT_BUCKETS_0_4_3 = [0.1, 0.25, 0.5, 0.75, 1, 2, 5, 10, 20, 40, 60, 80, 120, 160];
const TTFT_BUCKETS_0_4_4 = [0.1, 0.3, 0.5, 0.7, 0.9, 1, 2, 4, 6, 8, 10, 20, 40, 60, 80, 120, 160];
const TTFT_BUCKETS = [0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8, 10, 20, 40, 60, 80, 100, 200, 400];
const ITL_BUCKETS_0_4_4 = [0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.0];
const ITL_BUCKETS = [0.002, 0.004, 0.006, 0.008, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.06, 0.08, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8];
const E2E_BUCKETS_0_3 = [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0];
const E2E_BUCKETS_0_4_3 = [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 60, 80, 120, 160];
const E2E_BUCKETS_0_4_4 = [0.1, 0.2, 0.4, 0.8, 1, 2, 5, 10, 20, 40, 60, 80, 100, 150, 200, 250, 300, 350, 500, 1000];
const E2E_BUCKETS_0_4_5 = [0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8, 10, 20, 40, 60, 80, 100, 200, 400, 800];
const E2E_BUCKETS = [0.1, 0.2, 0.4, 0.6, 0.8, 1, 2, 4, 6, 8, 10, 20, 40, 60, 80, 100, 200, 400, 600, 1200, 1800, 2400];
const QUEUE_TIME_BUCKETS = [
  0, 0.1, 0.2, 0.5, 1, 2, 3, 4, 5, 10, 15, 20, 30, 40, 50, 60, 70, 80, 90, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1200, 1400, 1600, 1800,
  2000, 2500, 3000,
];
/** 0.5.12 resolves the first second of queueing. */
const QUEUE_TIME_BUCKETS_0_5_12 = [0, 0.001, 0.005, 0.01, 0.05, ...QUEUE_TIME_BUCKETS.slice(1)];

const added = (version: string, families: readonly string[], extra: { note?: string } = {}) =>
  families.map((family) => ({ change: 'added' as const, version, family, ref: collector(version), ...extra }));

export const SGLANG_HISTORY = {
  upstream: repo,
  releases: RELEASES,
  current: '0.5.10',
  changes: [
    ...added('0.4.3', ['sglang:num_requests_total', ...SCHEDULER_0_4_3], unreadBefore('0.4.1 and 0.4.2')),
    ...added('0.4.4', ['sglang:inter_token_latency_seconds', 'sglang:cached_tokens_total']),
    // 0.4.4 exposes both latency names; 0.4.5 keeps only the inter-token one.
    { change: 'renamed', version: '0.4.5', family: 'sglang:time_per_output_token_seconds', to: 'sglang:inter_token_latency_seconds', ref: collector('0.4.5') },
    ...added('0.4.7', [...SCHEDULER_0_4_7, 'sglang:num_so_requests_total', 'sglang:prompt_tokens_histogram', 'sglang:generation_tokens_histogram']),
    ...added('0.5.2', SCHEDULER_0_5_2),
    // 0.5.3 also adds `_total` to the abort counter.
    ...added('0.5.3', [...SCHEDULER_0_5_3, 'sglang:num_aborted_requests_total']),
    ...added('0.5.4', SCHEDULER_0_5_4),

    ...[...SCHEDULER_0_3_6, ...SCHEDULER_0_4_3].map((family) => ({ change: 'relabelled' as const, version: '0.4.4', family, added: ['engine_type'], ref: file('managers/scheduler.py', '0.4.4') })),
    ...[...SCHEDULER_0_3_6, ...SCHEDULER_0_4_3, ...SCHEDULER_0_4_7].map((family) => ({
      change: 'relabelled' as const,
      version: '0.4.10',
      family,
      added: ['tp_rank', 'pp_rank'],
      ref: file('managers/scheduler_metrics_mixin.py', '0.4.10'),
      ...unreadBefore('0.4.8 and 0.4.9'),
    })),
    ...[...SCHEDULER_0_3_6, ...SCHEDULER_0_4_3, ...SCHEDULER_0_4_7, ...SCHEDULER_0_5_2, ...SCHEDULER_0_5_3, ...SCHEDULER_0_5_4].map((family) => ({
      change: 'relabelled' as const,
      version: '0.5.8',
      family,
      added: ['moe_ep_rank'],
      ref: file('managers/scheduler_metrics_mixin.py', '0.5.8'),
      ...unreadBefore('0.5.6 and 0.5.7'),
    })),
    { change: 'relabelled', version: '0.5.10', family: 'sglang:cached_tokens_total', added: ['cache_source'], ref: collector('0.5.10'), ...unreadBefore('0.5.9') },

    { change: 'rebucketed', version: '0.4.3', family: 'sglang:time_to_first_token_seconds', from: TTFT_BUCKETS_0_3, to: TTFT_BUCKETS_0_4_3, ref: collector('0.4.3'), ...unreadBefore('0.4.1 and 0.4.2') },
    { change: 'rebucketed', version: '0.4.4', family: 'sglang:time_to_first_token_seconds', from: TTFT_BUCKETS_0_4_3, to: TTFT_BUCKETS_0_4_4, ref: collector('0.4.4') },
    { change: 'rebucketed', version: '0.4.5', family: 'sglang:time_to_first_token_seconds', from: TTFT_BUCKETS_0_4_4, to: TTFT_BUCKETS, ref: collector('0.4.5') },
    { change: 'rebucketed', version: '0.4.5', family: 'sglang:inter_token_latency_seconds', from: ITL_BUCKETS_0_4_4, to: ITL_BUCKETS, ref: collector('0.4.5') },
    { change: 'rebucketed', version: '0.4.3', family: 'sglang:e2e_request_latency_seconds', from: E2E_BUCKETS_0_3, to: E2E_BUCKETS_0_4_3, ref: collector('0.4.3'), ...unreadBefore('0.4.1 and 0.4.2') },
    { change: 'rebucketed', version: '0.4.4', family: 'sglang:e2e_request_latency_seconds', from: E2E_BUCKETS_0_4_3, to: E2E_BUCKETS_0_4_4, ref: collector('0.4.4') },
    { change: 'rebucketed', version: '0.4.5', family: 'sglang:e2e_request_latency_seconds', from: E2E_BUCKETS_0_4_4, to: E2E_BUCKETS_0_4_5, ref: collector('0.4.5') },
    { change: 'rebucketed', version: '0.5.2', family: 'sglang:e2e_request_latency_seconds', from: E2E_BUCKETS_0_4_5, to: E2E_BUCKETS, ref: collector('0.5.2') },

    // After the catalog's release.
    ...['sglang:kv_transfer_speed_gb_s', 'sglang:kv_transfer_latency_ms'].map((family) => ({
      change: 'retyped' as const,
      version: '0.5.12',
      family,
      from: 'gauge' as const,
      to: 'histogram' as const,
      ref: collector('0.5.12'),
      ...unreadBefore('0.5.11'),
    })),
    // The same count of the prefill bootstrap queue, under the queue's name.
    { change: 'renamed', version: '0.5.12', family: 'sglang:num_prefill_prealloc_queue_reqs', to: 'sglang:num_prefill_bootstrap_queue_reqs', ref: collector('0.5.12'), ...unreadBefore('0.5.11') },
    { change: 'removed', version: '0.5.12', family: 'sglang:num_running_reqs_offline_batch', ref: collector('0.5.12'), ...unreadBefore('0.5.11') },
    { change: 'rebucketed', version: '0.5.12', family: 'sglang:queue_time_seconds', from: QUEUE_TIME_BUCKETS, to: QUEUE_TIME_BUCKETS_0_5_12, ref: collector('0.5.12'), ...unreadBefore('0.5.11') },
    ...TOKENIZER_FAMILIES.map((family) => ({
      change: 'relabelled' as const,
      version: '0.5.12',
      family,
      added: ['engine_type'],
      ref: file('managers/tokenizer_manager.py', '0.5.12'),
      ...unreadBefore('0.5.11'),
    })),
    ...STREAMING_FAMILIES.map((family) => ({
      change: 'relabelled' as const,
      version: '0.5.18',
      family,
      added: ['is_streaming'],
      ref: collector('0.5.18'),
      ...unreadBefore('0.5.16 and 0.5.17'),
    })),
    {
      change: 'removed',
      version: '0.5.18',
      family: 'sglang:engine_startup_time',
      ref: collector('0.5.18'),
      note: 'sglang:startup_time_seconds reports start-up by phase instead; 0.5.16 and 0.5.17 not read',
    },
    {
      change: 'removed',
      version: '0.5.18',
      family: 'sglang:engine_load_weights_time',
      ref: collector('0.5.18'),
      note: 'sglang:weight_load_duration_seconds (from 0.5.15) reports weight loading instead; 0.5.16 and 0.5.17 not read',
    },
  ],
} satisfies SourceHistorySpec;
