import { z } from 'zod';
import {
  byVariables,
  gauge,
  heatmapBuckets,
  instant,
  q,
  quantileQueries,
  RANGE,
  ratio,
  sumIncrease,
  sumRate,
} from '../../grafana/queries.ts';
import { labelVariable } from '../../grafana/variables.ts';
import type { DashboardQuerySpec, RowSpec } from '../../model/dashboard.ts';
import type { MetricSpec } from '../../model/catalog.ts';
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
} from '../../catalog/sglang.ts';
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
} from '../../catalog/vllm.ts';
import { bundledDashboard, type DashboardConfig } from './bundled.ts';
import { contentFactory, dashboardConfigFields } from '../options.ts';

export type LlmRuntime = 'vllm' | 'sglang';

const RUNTIMES: readonly LlmRuntime[] = ['vllm', 'sglang'];
const RUNTIME_TITLES: Record<LlmRuntime, string> = { vllm: 'vLLM', sglang: 'SGLang' };

export interface LlmRuntimeDashboardConfig extends DashboardConfig {
  /** The model servers shown; a runtime left out leaves no panel, query, tag or mention behind. */
  runtimes?: readonly LlmRuntime[];
}

const llmRuntimeDashboardConfigSchema = z.strictObject({ ...dashboardConfigFields, runtimes: z.array(z.enum(RUNTIMES)).min(1).readonly().optional() });

const model = byVariables({ model_name: 'model' });
const LENGTH_QUANTILES = [0.5, 0.9, 0.99] as const;

/** Which runtimes are shown, and the queries and wording that follow from it. */
function runtimeSelection(runtimes: readonly LlmRuntime[]) {
  const shown = RUNTIMES.filter((r) => runtimes.includes(r));
  if (shown.length === 0) throw new Error(`llmRuntimeDashboard: \`runtimes\` needs at least one of ${RUNTIMES.join(', ')}`);
  const mix = shown.length === RUNTIMES.length ? 'both' : shown[0]!;
  return {
    shown,
    has: (runtime: LlmRuntime) => shown.includes(runtime),
    /** The queries of the shown runtimes, vLLM first. */
    queries: (byRuntime: Partial<Record<LlmRuntime, DashboardQuerySpec[]>>) => shown.flatMap((r) => byRuntime[r] ?? []),
    /** The wording for the shown runtimes. */
    text: (byMix: Record<LlmRuntime | 'both', string>) => byMix[mix],
    /** Every shown runtime's rate of `metrics`, added up. */
    totalRate: (metrics: Record<LlmRuntime, MetricSpec>) => shown.map((r) => sumRate(metrics[r], model)).join(' + '),
  };
}

/** Rows without their empty panels, and without rows left empty. */
function nonEmpty(rows: RowSpec[]): RowSpec[] {
  return rows
    .map((row) => ({ ...row, panels: row.panels.filter((p) => p.queries.length > 0) }))
    .filter((row) => row.panels.length > 0);
}

/**
 * Model servers, in the sections of the Arks runtime dashboard: vLLM, with the SGLang equivalent beside it
 * wherever SGLang has one. Swapped requests and CPU cache panels are gone: the vLLM V1 engine has no swap.
 */
export const llmRuntimeDashboard = contentFactory('llmRuntimeDashboard', llmRuntimeDashboardConfigSchema, (config: LlmRuntimeDashboardConfig) => {
  const runtimes = runtimeSelection(config.runtimes ?? RUNTIMES);
  const { queries, text, has } = runtimes;
  const names = runtimes.shown.map((r) => RUNTIME_TITLES[r]).join(' and ');
  return bundledDashboard(
    {
      id: 'llm-runtime',
      title: `LLM runtime (${names})`,
      description: `Requests, latency, token throughput, scheduler state and KV cache of ${names} model servers.`,
      tags: ['runtime', ...runtimes.shown],
      variables: [labelVariable('model', 'Model', has('vllm') ? vllmNumRequestsRunning : sglangNumRunningReqs, 'model_name')],
      rows: nonEmpty([
        {
          title: 'Request overview',
          panels: [
            {
              title: has('vllm') ? 'Successful requests (stop)' : 'Finished requests',
              description: text({
                both: 'Requests that finished with a stop condition over the dashboard range (vLLM), and all finished requests (SGLang counts no finish reason).',
                vllm: 'Requests that finished with a stop condition over the dashboard range.',
                sglang: 'Requests finished over the dashboard range (SGLang counts no finish reason).',
              }),
              type: 'stat',
              unit: 'short',
              width: has('vllm') ? 6 : 24,
              queries: queries({
                vllm: [instant(sumIncrease(vllmRequestSuccess, { ...model, finished_reason: { eq: 'stop' } }, { window: RANGE }), 'vllm')],
                sglang: [instant(sumIncrease(sglangNumRequests, model, { window: RANGE }), 'sglang')],
              }),
            },
            {
              title: 'Finish reasons',
              description: 'Finished vLLM requests per step by reason: stop, length (max tokens), abort, error, repetition.',
              unit: 'short',
              width: 18,
              stack: true,
              queries: queries({ vllm: [q(sumIncrease(vllmRequestSuccess, model, { by: ['finished_reason'] }), '{{finished_reason}}')] }),
            },
            {
              title: 'Prompt length distribution',
              description: 'Prompt tokens per request (vLLM), as a heatmap of histogram buckets.',
              type: 'heatmap',
              unit: 'short',
              width: 8,
              queries: queries({ vllm: [q(heatmapBuckets(vllmRequestPromptTokens, model), '{{le}}')] }),
            },
            {
              title: 'Generation length distribution',
              description: 'Generated tokens per request (vLLM), as a heatmap of histogram buckets.',
              type: 'heatmap',
              unit: 'short',
              width: 8,
              queries: queries({ vllm: [q(heatmapBuckets(vllmRequestGenerationTokens, model), '{{le}}')] }),
            },
            {
              title: 'Prompt and generation length percentiles',
              description: 'P50, P90 and P99 of prompt and generated tokens per request (vLLM).',
              unit: 'short',
              width: 8,
              queries: queries({
                vllm: [
                  ...quantileQueries(vllmRequestPromptTokens, model, { quantiles: LENGTH_QUANTILES, legend: 'prompt' }),
                  ...quantileQueries(vllmRequestGenerationTokens, model, { quantiles: LENGTH_QUANTILES, legend: 'generation' }),
                ],
              }),
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
              queries: queries({
                vllm: quantileQueries(vllmE2eRequestLatency, model, { legend: 'vllm' }),
                sglang: quantileQueries(sglangE2eRequestLatency, model, { legend: 'sglang' }),
              }),
            },
            {
              title: 'Time to first token',
              description: 'Time from arrival to the first generated token at P50, P90, P95 and P99.',
              unit: 's',
              width: 8,
              queries: queries({
                vllm: quantileQueries(vllmTimeToFirstToken, model, { legend: 'vllm' }),
                sglang: quantileQueries(sglangTimeToFirstToken, model, { legend: 'sglang' }),
              }),
            },
            {
              title: 'Inter-token latency',
              description: 'Time between streamed output tokens at P50, P90, P95 and P99 (the successor of time per output token).',
              unit: 's',
              width: 8,
              queries: queries({
                vllm: quantileQueries(vllmInterTokenLatency, model, { legend: 'vllm' }),
                sglang: quantileQueries(sglangInterTokenLatency, model, { legend: 'sglang' }),
              }),
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
                ...queries({
                  vllm: [q(sumRate(vllmPromptTokens, model, { by: ['instance'] }), 'vllm {{instance}}')],
                  sglang: [q(sumRate(sglangPromptTokens, model, { by: ['instance'] }), 'sglang {{instance}}')],
                }),
                q(runtimes.totalRate({ vllm: vllmPromptTokens, sglang: sglangPromptTokens }), 'total'),
              ],
            },
            {
              title: 'Generation token throughput',
              description: 'Generated tokens per second, per instance and in total.',
              unit: 'suffix: tok/s',
              width: 12,
              queries: [
                ...queries({
                  vllm: [q(sumRate(vllmGenerationTokens, model, { by: ['instance'] }), 'vllm {{instance}}')],
                  sglang: [q(sumRate(sglangGenerationTokens, model, { by: ['instance'] }), 'sglang {{instance}}')],
                }),
                q(runtimes.totalRate({ vllm: vllmGenerationTokens, sglang: sglangGenerationTokens }), 'total'),
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
              queries: queries({
                vllm: [q(gauge(vllmNumRequestsRunning, model, ['instance']), 'vllm {{instance}}')],
                sglang: [q(gauge(sglangNumRunningReqs, model, ['instance']), 'sglang {{instance}}')],
              }),
            },
            {
              title: 'Waiting requests per instance',
              description: 'Requests queued for admission on each instance.',
              unit: 'short',
              width: 12,
              queries: queries({
                vllm: [q(gauge(vllmNumRequestsWaiting, model, ['instance']), 'vllm {{instance}}')],
                sglang: [q(gauge(sglangNumQueueReqs, model, ['instance']), 'sglang {{instance}}')],
              }),
            },
            {
              title: 'Prefix cache hit rate',
              description: text({
                both: 'Share of prompt tokens served from the prefix cache (vLLM hits over queries; SGLang reports a ratio).',
                vllm: 'Share of prompt tokens served from the prefix cache (hits over queries).',
                sglang: 'Share of prompt tokens served from the prefix cache, as the server reports it.',
              }),
              unit: 'percentunit',
              width: 12,
              min: 0,
              max: 1,
              queries: queries({
                vllm: [
                  q(
                    ratio(sumRate(vllmPrefixCacheHits, model, { by: ['model_name'] }), sumRate(vllmPrefixCacheQueries, model, { by: ['model_name'] })),
                    'vllm {{model_name}}',
                  ),
                ],
                sglang: [q(gauge(sglangCacheHitRate, model, ['model_name'], 'avg'), 'sglang {{model_name}}')],
              }),
            },
            {
              title: 'KV cache usage',
              description: 'Fraction of the KV cache in use on each instance (1 is full).',
              unit: 'percentunit',
              width: 12,
              min: 0,
              max: 1,
              thresholds: [{ value: 0.9, color: 'red' }],
              queries: queries({
                vllm: [q(gauge(vllmKvCacheUsage, model, ['instance'], 'max'), 'vllm {{instance}}')],
                sglang: [q(gauge(sglangTokenUsage, model, ['instance'], 'max'), 'sglang {{instance}}')],
              }),
            },
          ],
        },
      ]),
    },
    ['model-drilldown', 'kthena-router', 'gpu', 'arks-gateway'],
    config,
  );
});
