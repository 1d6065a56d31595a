import {
  byVariables,
  defineDashboard,
  gauge,
  heatmapBuckets,
  instant,
  labelVariable,
  q,
  quantileQueries,
  RANGE,
  ratio,
  sumIncrease,
  sumRate,
} from 'infermon';
import {
  sglangCacheHitRate,
  sglangE2eRequestLatency,
  sglangGenerationTokens,
  sglangInterTokenLatency,
  sglangNumQueueReqs,
  sglangNumRequests,
  sglangNumRunningReqs,
  sglangPromptTokens,
  sglangTimeToFirstToken,
  sglangTokenUsage,
} from 'infermon/catalog/sglang';
import {
  vllmE2eRequestLatency,
  vllmGenerationTokens,
  vllmInterTokenLatency,
  vllmKvCacheUsage,
  vllmNumRequestsRunning,
  vllmNumRequestsWaiting,
  vllmPrefixCacheHits,
  vllmPrefixCacheQueries,
  vllmPromptTokens,
  vllmRequestGenerationTokens,
  vllmRequestPromptTokens,
  vllmRequestSuccess,
  vllmTimeToFirstToken,
} from 'infermon/catalog/vllm';

const model = byVariables({ model_name: 'model' });
const LENGTH_QUANTILES = [0.5, 0.9, 0.99] as const;

/**
 * Model servers, in the sections of the Arks runtime dashboard: vLLM, with the SGLang equivalent beside it
 * wherever SGLang has one. Swapped requests and CPU cache panels are gone: the vLLM V1 engine has no swap.
 */
export const llmRuntimeDashboard = defineDashboard({
  id: 'llm-runtime',
  title: 'LLM runtime (vLLM and SGLang)',
  description: 'Requests, latency, token throughput, scheduler state and KV cache of vLLM and SGLang model servers.',
  tags: ['runtime', 'vllm', 'sglang'],
  variables: [labelVariable('model', 'Model', vllmNumRequestsRunning, 'model_name')],
  links: ['model-drilldown', 'kthena-router', 'gpu', 'arks-gateway'],
  rows: [
    {
      title: 'Request overview',
      panels: [
        {
          title: 'Successful requests (stop)',
          description: 'Requests that finished with a stop condition over the dashboard range (vLLM), and all finished requests (SGLang counts no finish reason).',
          type: 'stat',
          unit: 'short',
          width: 6,
          queries: [
            instant(sumIncrease(vllmRequestSuccess, { ...model, finished_reason: { eq: 'stop' } }, { window: RANGE }), 'vllm'),
            instant(sumIncrease(sglangNumRequests, model, { window: RANGE }), 'sglang'),
          ],
        },
        {
          title: 'Finish reasons',
          description: 'Finished vLLM requests per step by reason: stop, length (max tokens), abort, error, repetition.',
          unit: 'short',
          width: 18,
          stack: true,
          queries: [q(sumIncrease(vllmRequestSuccess, model, { by: ['finished_reason'] }), '{{finished_reason}}')],
        },
        {
          title: 'Prompt length distribution',
          description: 'Prompt tokens per request (vLLM), as a heatmap of histogram buckets.',
          type: 'heatmap',
          unit: 'short',
          width: 8,
          queries: [q(heatmapBuckets(vllmRequestPromptTokens, model), '{{le}}')],
        },
        {
          title: 'Generation length distribution',
          description: 'Generated tokens per request (vLLM), as a heatmap of histogram buckets.',
          type: 'heatmap',
          unit: 'short',
          width: 8,
          queries: [q(heatmapBuckets(vllmRequestGenerationTokens, model), '{{le}}')],
        },
        {
          title: 'Prompt and generation length percentiles',
          description: 'P50, P90 and P99 of prompt and generated tokens per request (vLLM).',
          unit: 'short',
          width: 8,
          queries: [
            ...quantileQueries(vllmRequestPromptTokens, model, { quantiles: LENGTH_QUANTILES, legend: 'prompt' }),
            ...quantileQueries(vllmRequestGenerationTokens, model, { quantiles: LENGTH_QUANTILES, legend: 'generation' }),
          ],
        },
      ],
    },
    {
      title: 'Latency',
      panels: [
        {
          title: 'End-to-end request latency',
          description: 'Time from arrival to the last token at P50, P90, P95 and P99.',
          unit: 's',
          width: 8,
          queries: [
            ...quantileQueries(vllmE2eRequestLatency, model, { legend: 'vllm' }),
            ...quantileQueries(sglangE2eRequestLatency, model, { legend: 'sglang' }),
          ],
        },
        {
          title: 'Time to first token',
          description: 'Time from arrival to the first generated token at P50, P90, P95 and P99.',
          unit: 's',
          width: 8,
          queries: [
            ...quantileQueries(vllmTimeToFirstToken, model, { legend: 'vllm' }),
            ...quantileQueries(sglangTimeToFirstToken, model, { legend: 'sglang' }),
          ],
        },
        {
          title: 'Inter-token latency',
          description: 'Time between streamed output tokens at P50, P90, P95 and P99 (the successor of time per output token).',
          unit: 's',
          width: 8,
          queries: [
            ...quantileQueries(vllmInterTokenLatency, model, { legend: 'vllm' }),
            ...quantileQueries(sglangInterTokenLatency, model, { legend: 'sglang' }),
          ],
        },
      ],
    },
    {
      title: 'Throughput',
      panels: [
        {
          title: 'Prompt token throughput',
          description: 'Prompt tokens processed per second, per instance and in total.',
          unit: 'suffix: tok/s',
          width: 12,
          queries: [
            q(sumRate(vllmPromptTokens, model, { by: ['instance'] }), 'vllm {{instance}}'),
            q(sumRate(sglangPromptTokens, model, { by: ['instance'] }), 'sglang {{instance}}'),
            q(`${sumRate(vllmPromptTokens, model)} + ${sumRate(sglangPromptTokens, model)}`, 'total'),
          ],
        },
        {
          title: 'Generation token throughput',
          description: 'Generated tokens per second, per instance and in total.',
          unit: 'suffix: tok/s',
          width: 12,
          queries: [
            q(sumRate(vllmGenerationTokens, model, { by: ['instance'] }), 'vllm {{instance}}'),
            q(sumRate(sglangGenerationTokens, model, { by: ['instance'] }), 'sglang {{instance}}'),
            q(`${sumRate(vllmGenerationTokens, model)} + ${sumRate(sglangGenerationTokens, model)}`, 'total'),
          ],
        },
      ],
    },
    {
      title: 'Scheduler state and cache',
      panels: [
        {
          title: 'Running requests per instance',
          description: 'Requests in the running batch of each instance.',
          unit: 'short',
          width: 12,
          queries: [
            q(gauge(vllmNumRequestsRunning, model, ['instance']), 'vllm {{instance}}'),
            q(gauge(sglangNumRunningReqs, model, ['instance']), 'sglang {{instance}}'),
          ],
        },
        {
          title: 'Waiting requests per instance',
          description: 'Requests queued for admission on each instance.',
          unit: 'short',
          width: 12,
          queries: [
            q(gauge(vllmNumRequestsWaiting, model, ['instance']), 'vllm {{instance}}'),
            q(gauge(sglangNumQueueReqs, model, ['instance']), 'sglang {{instance}}'),
          ],
        },
        {
          title: 'Prefix cache hit rate',
          description: 'Share of prompt tokens served from the prefix cache (vLLM hits over queries; SGLang reports a ratio).',
          unit: 'percentunit',
          width: 12,
          min: 0,
          max: 1,
          queries: [
            q(ratio(sumRate(vllmPrefixCacheHits, model, { by: ['model_name'] }), sumRate(vllmPrefixCacheQueries, model, { by: ['model_name'] })), 'vllm {{model_name}}'),
            q(gauge(sglangCacheHitRate, model, ['model_name'], 'avg'), 'sglang {{model_name}}'),
          ],
        },
        {
          title: 'KV cache usage',
          description: 'Fraction of the KV cache in use on each instance (1 is full).',
          unit: 'percentunit',
          width: 12,
          min: 0,
          max: 1,
          thresholds: [{ value: 0.9, color: 'red' }],
          queries: [
            q(gauge(vllmKvCacheUsage, model, ['instance'], 'max'), 'vllm {{instance}}'),
            q(gauge(sglangTokenUsage, model, ['instance'], 'max'), 'sglang {{instance}}'),
          ],
        },
      ],
    },
  ],
});
