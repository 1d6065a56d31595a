import { defineRuleGroup, promql } from 'infermon';
import {
  vllmGenerationTokens,
  vllmInterTokenLatency,
  vllmPrefixCacheHits,
  vllmPrefixCacheQueries,
  vllmPromptTokens,
  vllmTimeToFirstToken,
} from 'infermon/catalog/vllm';

/** Pre-computed vLLM series for the runtime dashboards. */
export const vllmRecordingRules = defineRuleGroup({
  name: 'vllm.rules',
  rules: [
    {
      record: 'model_name:vllm_prompt_tokens:rate5m',
      expr: promql`sum by (model_name) (rate(${vllmPromptTokens}[5m]))`,
      unit: 'tokens/s',
    },
    {
      record: 'model_name:vllm_generation_tokens:rate5m',
      expr: promql`sum by (model_name) (rate(${vllmGenerationTokens}[5m]))`,
      unit: 'tokens/s',
    },
    {
      record: 'model_name_le:vllm_time_to_first_token_seconds_bucket:rate5m',
      expr: promql`sum by (model_name, le) (rate(${vllmTimeToFirstToken}_bucket[5m]))`,
    },
    {
      record: 'model_name_le:vllm_inter_token_latency_seconds_bucket:rate5m',
      expr: promql`sum by (model_name, le) (rate(${vllmInterTokenLatency}_bucket[5m]))`,
    },
    {
      record: 'model_name:vllm_prefix_cache_hit:ratio_rate5m',
      expr: promql`sum by (model_name) (rate(${vllmPrefixCacheHits}[5m])) / sum by (model_name) (rate(${vllmPrefixCacheQueries}[5m]))`,
      unit: 'percentunit',
    },
  ],
});
