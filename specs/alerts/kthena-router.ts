import { defineRuleGroup, promql } from 'infermon';
import {
  kthenaRouter,
  routerActiveUpstreamRequests,
  routerFairnessQueueDuration,
  routerRateLimitExceededTotal,
  routerRequestDuration,
  routerRequestsTotal,
} from 'infermon/catalog/kthena-router';
import { promUp } from 'infermon/catalog/kubernetes';

const chat = { path: '/v1/chat/completions' };

/** What an SRE running the Kthena router pages and tickets on. */
export const kthenaRouterAlerts = defineRuleGroup({
  name: 'kthena-router.alerts',
  team: 'inference-platform',
  service: 'kthena-router',
  rules: [
    {
      alert: 'KthenaRouterDown',
      expr: promql`up{job="${kthenaRouter.spec.job}"} == 0`,
      for: '1m',
      severity: 'critical',
      summary: 'Kthena router target is down',
      description: 'Prometheus cannot scrape the Kthena router at {{ $labels.instance }}; inference traffic may be failing.',
      tests: {
        firing: [{ series: [{ metric: promUp, labels: { job: kthenaRouter.spec.job, instance: 'router-0:15000' }, value: 0 }] }],
        quiet: [{ series: [{ metric: promUp, labels: { job: kthenaRouter.spec.job, instance: 'router-0:15000' }, value: 1 }] }],
      },
    },
    {
      alert: 'KthenaRouterHighErrorRatio',
      expr: promql`sum by (model) (rate(${routerRequestsTotal}{status_code=~"5.."}[5m])) / sum by (model) (rate(${routerRequestsTotal}[5m])) > 0.05`,
      for: '1m',
      severity: 'critical',
      summary: 'More than 5% of router requests fail with 5xx',
      description: '{{ $value | humanizePercentage }} of requests for model {{ $labels.model }} failed with a 5xx status over the last 5 minutes.',
      tests: {
        firing: [
          {
            description: 'half the requests of one model fail',
            series: [
              { metric: routerRequestsTotal, labels: { model: 'llama-3-8b', ...chat, status_code: '200', error_type: 'successful_request' }, rate: 5 },
              { metric: routerRequestsTotal, labels: { model: 'llama-3-8b', ...chat, status_code: '503', error_type: 'proxy' }, rate: 5 },
            ],
            value: 0.5,
          },
        ],
        quiet: [
          {
            description: 'one error in a thousand',
            series: [
              { metric: routerRequestsTotal, labels: { model: 'llama-3-8b', ...chat, status_code: '200', error_type: 'successful_request' }, rate: 9.99 },
              { metric: routerRequestsTotal, labels: { model: 'llama-3-8b', ...chat, status_code: '503', error_type: 'proxy' }, rate: 0.01 },
            ],
          },
        ],
      },
    },
    {
      alert: 'KthenaRouterHighLatencyP99',
      expr: promql`histogram_quantile(0.99, sum by (model, le) (rate(${routerRequestDuration}_bucket[5m]))) > 2`,
      for: '2m',
      severity: 'warning',
      summary: 'Router p99 latency above 2 s',
      description: 'p99 end-to-end latency for model {{ $labels.model }} is {{ $value | humanize }}s over the last 5 minutes.',
      tests: {
        firing: [{ series: [{ metric: routerRequestDuration, labels: { model: 'llama-3-8b', ...chat, status_code: '200' }, observe: { rate: 2, value: 4 } }], value: 4.975 }],
        quiet: [{ series: [{ metric: routerRequestDuration, labels: { model: 'llama-3-8b', ...chat, status_code: '200' }, observe: { rate: 2, value: 0.3 } }] }],
      },
    },
    {
      alert: 'KthenaRouterRateLimitSpike',
      expr: promql`sum by (model, limit_type) (rate(${routerRateLimitExceededTotal}[5m])) > 1`,
      for: '5m',
      severity: 'warning',
      summary: 'Router is rejecting requests on a rate limit',
      description: 'Model {{ $labels.model }} rejects {{ $value | humanize }} requests/s on its {{ $labels.limit_type }} limit.',
      tests: {
        firing: [{ series: [{ metric: routerRateLimitExceededTotal, labels: { model: 'llama-3-8b', limit_type: 'requests', ...chat }, rate: 3 }], value: 3 }],
        quiet: [{ series: [{ metric: routerRateLimitExceededTotal, labels: { model: 'llama-3-8b', limit_type: 'requests', ...chat }, rate: 0.1 }] }],
      },
    },
    {
      alert: 'KthenaRouterFairnessQueueWaitHigh',
      expr: promql`histogram_quantile(0.95, sum by (model, le) (rate(${routerFairnessQueueDuration}_bucket[5m]))) > 1`,
      for: '10m',
      severity: 'warning',
      summary: 'Requests wait more than 1 s in the fairness queue',
      description: 'p95 fairness-queue wait for model {{ $labels.model }} is {{ $value | humanize }}s: the model is saturated or its concurrency limit is too low.',
      tests: {
        firing: [{ series: [{ metric: routerFairnessQueueDuration, labels: { model: 'llama-3-8b', user_id: '_all' }, observe: { rate: 1, value: 2 } }], value: 2.425 }],
        quiet: [{ series: [{ metric: routerFairnessQueueDuration, labels: { model: 'llama-3-8b', user_id: '_all' }, observe: { rate: 1, value: 0.02 } }] }],
      },
    },
    {
      alert: 'KthenaRouterUpstreamSaturated',
      expr: promql`sum by (model_server) (${routerActiveUpstreamRequests}) > 64`,
      for: '10m',
      severity: 'warning',
      summary: 'A model server has more than 64 requests in flight from the router',
      description: 'Model server {{ $labels.model_server }} holds {{ $value }} in-flight requests: add replicas or lower the route weight.',
      tests: {
        firing: [{ series: [{ metric: routerActiveUpstreamRequests, labels: { model_route: 'default/llama', model_server: 'default/llama-vllm' }, value: 80 }], value: 80 }],
        quiet: [{ series: [{ metric: routerActiveUpstreamRequests, labels: { model_route: 'default/llama', model_server: 'default/llama-vllm' }, value: 12 }] }],
      },
    },
  ],
});
