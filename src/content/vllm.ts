import { z } from 'zod';
import { promql } from '../model/rules.ts';
import { defineRuleGroup, defineSlos } from '../model/spec.ts';
import {
  vllmGenerationTokens,
  vllmInterTokenLatency,
  vllmKvCacheUsage,
  vllmNumPreemptions,
  vllmNumRequestsRunning,
  vllmNumRequestsWaiting,
  vllmPrefixCacheHits,
  vllmPrefixCacheQueries,
  vllmPromptTokens,
  vllmRequestPrefillTime,
  vllmRequestQueueTime,
  vllmRequestSuccess,
  vllmTimeToFirstToken,
  vllm,
} from '../catalog/vllm.ts';
import { scopeRuleGroup, scopeSlos, type AlertScope, type ContentScope } from './scope.ts';
import { alertScopeFields, contentFactory, contentScopeSchema, ratioOption } from './options.ts';

/** Bundled vLLM alerts and recording rules, as factories of one config. */
export interface VllmContentConfig extends AlertScope {
  /** KV cache usage (0..1) above which `VllmKvCacheNearlyFull` warns. */
  kvCacheWarning?: number;
  /** Share of requests finished with an engine error above which `VllmRequestErrors` pages. */
  errorRatio?: number;
}

const vllmContentConfigSchema = z.strictObject({
  ...alertScopeFields,
  kvCacheWarning: ratioOption.optional(),
  errorRatio: ratioOption.optional(),
});

const round3 = (n: number) => Math.round(n * 1000) / 1000;
const percent = (ratio: number) => `${Math.round(ratio * 1000) / 10}%`;
const pod = { namespace: 'inference', model_name: 'llama-3-8b', engine: '0', instance: 'vllm-0:8000' };

/** `kubectl` arguments that reach the vLLM pods of the deployment the alerts watch. */
function vllmPods(config: VllmContentConfig): string {
  const placement = vllm.spec.kubernetes;
  return `-n ${config.selector?.namespace ?? placement.namespace} -l app=${placement.podLabels.app}`;
}

/** vLLM runtime health: KV cache pressure, queueing, preemptions, first-token latency, failed requests. */
export const vllmAlerts = contentFactory('vllmAlerts', vllmContentConfigSchema, (config: VllmContentConfig) => {
  const { kvCacheWarning = 0.9, errorRatio = 0.05 } = config;
  // The firing case sits between the threshold and a full cache.
  const kvFiring = round3(kvCacheWarning + (1 - kvCacheWarning) * 0.7);
  const kvQuiet = round3(Math.max(0, kvCacheWarning - 0.3));
  // One request in four fails in the firing case, or halfway between the threshold and all of them.
  const errorFiring = errorRatio < 0.25 ? 0.25 : (1 + errorRatio) / 2;
  const pods = vllmPods(config);
  const runbooks = vllmRunbooks(pods);
  return defineRuleGroup(
    scopeRuleGroup(
      {
        name: 'vllm.alerts',
        team: 'inference-runtime',
        service: 'vllm',
        dashboard: 'llm-runtime',
        rules: [
          {
            alert: 'VllmKvCacheNearlyFull',
            expr: promql`max by (namespace, model_name, instance) (${vllmKvCacheUsage}) > ${kvCacheWarning}`,
            for: '10m',
            severity: 'warning',
            summary: `vLLM KV cache above ${percent(kvCacheWarning)}`,
            description: 'KV cache of {{ $labels.model_name }} on {{ $labels.instance }} in {{ $labels.namespace }} is {{ $value | humanizePercentage }} full; requests will queue and be preempted.',
            runbook: runbooks.VllmKvCacheNearlyFull,
            tests: {
              firing: [{ series: [{ metric: vllmKvCacheUsage, labels: pod, value: kvFiring }], value: kvFiring }],
              quiet: [{ series: [{ metric: vllmKvCacheUsage, labels: pod, value: kvQuiet }] }],
            },
          },
          {
            alert: 'VllmWaitingQueueGrowing',
            expr: promql`sum by (namespace, model_name) (${vllmNumRequestsWaiting}) > 10 and sum by (namespace, model_name) (deriv(${vllmNumRequestsWaiting}[10m])) > 0`,
            for: '10m',
            severity: 'warning',
            summary: 'vLLM waiting queue keeps growing',
            description: '{{ $labels.model_name }} in {{ $labels.namespace }} has {{ $value }} requests waiting and the queue is still growing.',
            runbook: runbooks.VllmWaitingQueueGrowing,
            tests: {
              firing: [{ description: 'one more waiting request a minute', series: [{ metric: vllmNumRequestsWaiting, labels: pod, values: '0+1x25' }], value: 25, evalAfter: '25m' }],
              quiet: [{ description: 'a steady, short queue', series: [{ metric: vllmNumRequestsWaiting, labels: pod, value: 3 }] }],
            },
          },
          {
            alert: 'VllmPreemptionsHigh',
            expr: promql`sum by (namespace, model_name) (rate(${vllmNumPreemptions}[5m])) > 0.1`,
            for: '10m',
            severity: 'warning',
            summary: 'vLLM is preempting requests',
            description: '{{ $labels.model_name }} in {{ $labels.namespace }} preempts {{ $value | humanize }} requests/s: the KV cache is too small for the load.',
            runbook: runbooks.VllmPreemptionsHigh,
            tests: {
              firing: [{ series: [{ metric: vllmNumPreemptions, labels: pod, rate: 0.5 }], value: 0.5 }],
              quiet: [{ series: [{ metric: vllmNumPreemptions, labels: pod, rate: 0 }] }],
            },
          },
          {
            alert: 'VllmHighTimeToFirstToken',
            expr: promql`histogram_quantile(0.95, sum by (namespace, model_name, le) (rate(${vllmTimeToFirstToken}_bucket[5m]))) > 2`,
            for: '2m',
            severity: 'warning',
            summary: 'vLLM p95 time to first token above 2 s',
            description: 'p95 TTFT of {{ $labels.model_name }} in {{ $labels.namespace }} is {{ $value | humanize }}s over the last 5 minutes.',
            runbook: runbooks.VllmHighTimeToFirstToken,
            tests: {
              firing: [{ series: [{ metric: vllmTimeToFirstToken, labels: pod, observe: { rate: 2, value: 3 } }], value: 4.875 }],
              quiet: [{ series: [{ metric: vllmTimeToFirstToken, labels: pod, observe: { rate: 2, value: 0.2 } }] }],
            },
          },
          {
            alert: 'VllmRequestErrors',
            expr: promql`sum by (namespace, model_name) (rate(${vllmRequestSuccess}{finished_reason="error"}[5m])) / sum by (namespace, model_name) (rate(${vllmRequestSuccess}[5m])) > ${errorRatio}`,
            for: '5m',
            severity: 'critical',
            summary: `vLLM finishes more than ${percent(errorRatio)} of requests with an error`,
            description: '{{ $value | humanizePercentage }} of {{ $labels.model_name }} requests in {{ $labels.namespace }} finished with an engine error.',
            runbook: runbooks.VllmRequestErrors,
            tests: {
              firing: [
                {
                  series: [
                    { metric: vllmRequestSuccess, labels: { ...pod, finished_reason: 'stop' }, rate: round3(4 * (1 - errorFiring)) },
                    { metric: vllmRequestSuccess, labels: { ...pod, finished_reason: 'error' }, rate: round3(4 * errorFiring) },
                  ],
                  value: errorFiring,
                },
              ],
              quiet: [
                {
                  series: [
                    { metric: vllmRequestSuccess, labels: { ...pod, finished_reason: 'stop' }, rate: 3 },
                    { metric: vllmRequestSuccess, labels: { ...pod, finished_reason: 'error' }, rate: 0 },
                  ],
                },
              ],
            },
          },
        ],
      },
      config,
      'alerts',
    ),
  );
});

/** What to look at when a vLLM alert fires; `pods` selects the deployment's pods for kubectl. */
function vllmRunbooks(pods: string) {
  const waiting = { title: 'Requests waiting, by model', promql: promql`sum by (model_name) (${vllmNumRequestsWaiting})` };
  const running = { title: 'Requests running, by model and pod', promql: promql`sum by (model_name, instance) (${vllmNumRequestsRunning})` };
  const kvCache = { title: 'KV cache usage, by model and pod', promql: promql`max by (model_name, instance) (${vllmKvCacheUsage})` };
  const preemptions = { title: 'Preemptions per second, by model', promql: promql`sum by (model_name) (rate(${vllmNumPreemptions}[5m]))` };
  const logs = `Engine log of the pods: \`kubectl logs ${pods} --tail=200\`; look for \`Preempted\`, out-of-memory and scheduler warnings.`;
  return {
    VllmKvCacheNearlyFull: {
      meaning:
        'The engine has almost no free KV-cache blocks left. New requests wait for blocks and running ones get preempted (their cache is dropped and recomputed later), so time to first token and throughput degrade together.',
      firstChecks: [
        'Is it one pod or the whole model? A single full pod points at long prompts or a stuck request on it; all pods point at too little capacity.',
        'Are requests already preempted? Check the preemption rate; sustained preemptions mean the fleet needs more replicas or a larger `--gpu-memory-utilization` / shorter `--max-model-len`.',
        'Did prompt sizes grow? Compare prompt tokens per second with last week.',
        logs,
      ],
      queries: [kvCache, preemptions, { title: 'Prompt tokens per second, by model', promql: promql`sum by (model_name) (rate(${vllmPromptTokens}[5m]))` }],
    },
    VllmWaitingQueueGrowing: {
      meaning:
        'More requests arrive than the engine admits: the waiting queue keeps growing, and every queued request adds its wait to the time to first token. Without more capacity the queue only drains when traffic drops.',
      firstChecks: [
        'Is the engine admitting anything? A waiting queue next to a running count of zero means a stuck engine: restart the pod.',
        'Is the KV cache full? Then capacity is the limit: add replicas (the router spreads new requests across them).',
        'How long do requests wait? The queue-time query shows the wait users see before prefill starts.',
        logs,
      ],
      queries: [
        waiting,
        running,
        { title: 'p95 queue time, by model', promql: promql`histogram_quantile(0.95, sum by (model_name, le) (rate(${vllmRequestQueueTime}_bucket[5m])))` },
        kvCache,
      ],
    },
    VllmPreemptionsHigh: {
      meaning:
        'The engine evicts running requests to make room in the KV cache and recomputes them later. Every preemption costs GPU time twice and stretches the latency of the evicted request.',
      firstChecks: [
        'Check the KV cache usage of the pods: preemptions follow a full cache.',
        'Look for unusually long prompts or `max_tokens` in the traffic (prompt tokens per second).',
        'Add replicas, or give the engine more cache (`--gpu-memory-utilization`, a smaller `--max-num-seqs`).',
        logs,
      ],
      queries: [preemptions, kvCache, waiting],
    },
    VllmHighTimeToFirstToken: {
      meaning:
        'Users wait more than 2 s for the first token of an answer. The time splits into queueing before the engine admits the request and the prefill of the prompt; the router\'s latency alert usually fires with this one.',
      firstChecks: [
        'Queue or prefill? Compare the queue-time and prefill-time quantiles: queueing means too little capacity, a slow prefill means long prompts or a slow GPU.',
        'Is the GPU of the pod healthy? Check its GPU alerts (temperature throttling, XID errors) on the GPU dashboard.',
        'Is the KV cache full? A full cache delays admission.',
        logs,
      ],
      queries: [
        { title: 'p95 time to first token, by model', promql: promql`histogram_quantile(0.95, sum by (model_name, le) (rate(${vllmTimeToFirstToken}_bucket[5m])))` },
        { title: 'p95 queue time, by model', promql: promql`histogram_quantile(0.95, sum by (model_name, le) (rate(${vllmRequestQueueTime}_bucket[5m])))` },
        { title: 'p95 prefill time, by model', promql: promql`histogram_quantile(0.95, sum by (model_name, le) (rate(${vllmRequestPrefillTime}_bucket[5m])))` },
        kvCache,
      ],
    },
    VllmRequestErrors: {
      meaning:
        'The engine finishes a share of requests with an error instead of a stop or length reason. Clients get failed completions; the router reports them as 5xx for the model.',
      firstChecks: [
        `Read the engine errors: \`kubectl logs ${pods} --tail=200\` (add \`--previous\` after a restart); CUDA, out-of-memory and tokenizer errors show up there.`,
        'Is one pod responsible? Break the errors down by instance; a single failing pod can be deleted and rescheduled.',
        'Did the model or engine version just change? Roll back if the errors started with the rollout.',
        'Check the GPU of the failing pod for XID errors on the GPU dashboard.',
      ],
      queries: [
        { title: 'Finished requests per second, by model, pod and reason', promql: promql`sum by (model_name, instance, finished_reason) (rate(${vllmRequestSuccess}[5m]))` },
      ],
    },
  };
}

/** Pre-computed vLLM series for the runtime dashboards. */
export const vllmRecordingRules = contentFactory('vllmRecordingRules', contentScopeSchema, (config: ContentScope) => {
  return defineRuleGroup(
    scopeRuleGroup(
      {
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
      },
      config,
      'rules',
    ),
  );
});

/** vLLM first-token and inter-token latency objectives. */
export const vllmSlos = contentFactory('vllmSlos', contentScopeSchema, (config: ContentScope) => {
  return defineSlos(scopeSlos({
    service: 'vllm',
    labels: { team: 'inference-runtime', service: 'vllm' },
    options: { zeroTrafficGuard: true },
    slos: [
      {
        name: 'time-to-first-token',
        objective: 95,
        description: 'Requests whose first token arrives within 0.5 s.',
        sli: { kind: 'latency', histogram: vllmTimeToFirstToken, threshold: 0.5 },
        alerting: { name: 'VllmTimeToFirstTokenBudgetBurn', annotations: { summary: 'vLLM time to first token is above 0.5 s too often.' } },
      },
      {
        name: 'inter-token-latency',
        objective: 99,
        description: 'Output steps that follow the previous one within 0.1 s.',
        sli: { kind: 'latency', histogram: vllmInterTokenLatency, threshold: 0.1 },
        alerting: { name: 'VllmInterTokenLatencyBudgetBurn', annotations: { summary: 'vLLM inter-token latency is above 0.1 s too often.' } },
      },
    ],
  }, config));
});
