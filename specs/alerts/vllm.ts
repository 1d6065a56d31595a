import { defineRuleGroup, promql } from 'infermon';
import {
  vllmKvCacheUsage,
  vllmNumPreemptions,
  vllmNumRequestsWaiting,
  vllmRequestSuccess,
  vllmTimeToFirstToken,
} from 'infermon/catalog/vllm';

const pod = { model_name: 'llama-3-8b', engine: '0', instance: 'vllm-0:8000' };

/** vLLM runtime health: KV cache pressure, queueing, preemptions, first-token latency, failed requests. */
export const vllmAlerts = defineRuleGroup({
  name: 'vllm.alerts',
  team: 'inference-runtime',
  service: 'vllm',
  rules: [
    {
      alert: 'VllmKvCacheNearlyFull',
      expr: promql`max by (model_name, instance) (${vllmKvCacheUsage}) > 0.9`,
      for: '10m',
      severity: 'warning',
      summary: 'vLLM KV cache above 90%',
      description: 'KV cache of {{ $labels.model_name }} on {{ $labels.instance }} is {{ $value | humanizePercentage }} full; requests will queue and be preempted.',
      tests: {
        firing: [{ series: [{ metric: vllmKvCacheUsage, labels: pod, value: 0.97 }], value: 0.97 }],
        quiet: [{ series: [{ metric: vllmKvCacheUsage, labels: pod, value: 0.6 }] }],
      },
    },
    {
      alert: 'VllmWaitingQueueGrowing',
      expr: promql`sum by (model_name) (${vllmNumRequestsWaiting}) > 10 and sum by (model_name) (deriv(${vllmNumRequestsWaiting}[10m])) > 0`,
      for: '10m',
      severity: 'warning',
      summary: 'vLLM waiting queue keeps growing',
      description: '{{ $labels.model_name }} has {{ $value }} requests waiting and the queue is still growing.',
      tests: {
        firing: [{ description: 'one more waiting request a minute', series: [{ metric: vllmNumRequestsWaiting, labels: pod, values: '0+1x25' }], value: 25, evalAfter: '25m' }],
        quiet: [{ description: 'a steady, short queue', series: [{ metric: vllmNumRequestsWaiting, labels: pod, value: 3 }] }],
      },
    },
    {
      alert: 'VllmPreemptionsHigh',
      expr: promql`sum by (model_name) (rate(${vllmNumPreemptions}[5m])) > 0.1`,
      for: '10m',
      severity: 'warning',
      summary: 'vLLM is preempting requests',
      description: '{{ $labels.model_name }} preempts {{ $value | humanize }} requests/s: the KV cache is too small for the load.',
      tests: {
        firing: [{ series: [{ metric: vllmNumPreemptions, labels: pod, rate: 0.5 }], value: 0.5 }],
        quiet: [{ series: [{ metric: vllmNumPreemptions, labels: pod, rate: 0 }] }],
      },
    },
    {
      alert: 'VllmHighTimeToFirstToken',
      expr: promql`histogram_quantile(0.95, sum by (model_name, le) (rate(${vllmTimeToFirstToken}_bucket[5m]))) > 2`,
      for: '2m',
      severity: 'warning',
      summary: 'vLLM p95 time to first token above 2 s',
      description: 'p95 TTFT of {{ $labels.model_name }} is {{ $value | humanize }}s over the last 5 minutes.',
      tests: {
        firing: [{ series: [{ metric: vllmTimeToFirstToken, labels: pod, observe: { rate: 2, value: 3 } }], value: 4.875 }],
        quiet: [{ series: [{ metric: vllmTimeToFirstToken, labels: pod, observe: { rate: 2, value: 0.2 } }] }],
      },
    },
    {
      alert: 'VllmRequestErrors',
      expr: promql`sum by (model_name) (rate(${vllmRequestSuccess}{finished_reason="error"}[5m])) / sum by (model_name) (rate(${vllmRequestSuccess}[5m])) > 0.05`,
      for: '5m',
      severity: 'critical',
      summary: 'vLLM finishes more than 5% of requests with an error',
      description: '{{ $value | humanizePercentage }} of {{ $labels.model_name }} requests finished with an engine error.',
      tests: {
        firing: [
          {
            series: [
              { metric: vllmRequestSuccess, labels: { ...pod, finished_reason: 'stop' }, rate: 3 },
              { metric: vllmRequestSuccess, labels: { ...pod, finished_reason: 'error' }, rate: 1 },
            ],
            value: 0.25,
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
});
