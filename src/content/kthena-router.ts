import { promql } from '../model/rules.ts';
import { defineRuleGroup, defineSlos } from '../model/spec.ts';
import {
  kthenaRouter,
  routerActiveUpstreamRequests,
  routerFairnessQueueDuration,
  routerRateLimitExceededTotal,
  routerRequestDuration,
  routerRequestsTotal,
  routerTokensTotal,
} from '../catalog/kthena-router.ts';
import { promUp } from '../catalog/kubernetes.ts';
import { scopeRuleGroup, scopeSlos, type ContentScope } from './scope.ts';

const chat = { path: '/v1/chat/completions' };

/** What an SRE running the Kthena router pages and tickets on. */
export interface KthenaRouterAlertsConfig extends ContentScope {
  /** The router's `job` label (the catalog's, or your `deploySource` job). */
  job?: string;
  /** Share of requests answered 5xx (0..0.5) above which `KthenaRouterHighErrorRatio` pages. */
  errorRatio?: number;
}

export function kthenaRouterAlerts(config: KthenaRouterAlertsConfig = {}) {
  const { job = kthenaRouter.spec.job, errorRatio = 0.05 } = config;
  return defineRuleGroup(
    scopeRuleGroup(
      {
        name: 'kthena-router.alerts',
        team: 'inference-platform',
        service: 'kthena-router',
        rules: [
          {
            alert: 'KthenaRouterDown',
            expr: promql`up{job="${job}"} == 0`,
            for: '1m',
            severity: 'critical',
            summary: 'Kthena router target is down',
            description: 'Prometheus cannot scrape the Kthena router at {{ $labels.instance }}; inference traffic may be failing.',
            tests: {
              firing: [{ series: [{ metric: promUp, labels: { job, instance: 'router-0:15000' }, value: 0 }] }],
              quiet: [{ series: [{ metric: promUp, labels: { job, instance: 'router-0:15000' }, value: 1 }] }],
            },
          },
          {
            alert: 'KthenaRouterHighErrorRatio',
            expr: promql`sum by (model) (rate(${routerRequestsTotal}{status_code=~"5.."}[5m])) / sum by (model) (rate(${routerRequestsTotal}[5m])) > ${errorRatio}`,
            for: '1m',
            severity: 'critical',
            summary: `More than ${Math.round(errorRatio * 1000) / 10}% of router requests fail with 5xx`,
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
      },
      config,
      'alerts',
    ),
  );
}

/** Pre-computed router series for dashboards and SLO-style panels. */
export function kthenaRouterRecordingRules(config: ContentScope = {}) {
  return defineRuleGroup(
    scopeRuleGroup(
      {
        name: 'kthena-router.rules',
        rules: [
          {
            record: 'model_status_code:kthena_router_requests:rate5m',
            expr: promql`sum by (model, status_code) (rate(${routerRequestsTotal}[5m]))`,
            unit: 'reqps',
            help: 'Router requests per second by model and status code.',
          },
          {
            record: 'model:kthena_router_request_errors:ratio_rate5m',
            expr: promql`sum by (model) (rate(${routerRequestsTotal}{status_code=~"5.."}[5m])) / sum by (model) (rate(${routerRequestsTotal}[5m]))`,
            unit: 'percentunit',
            help: 'Share of router requests answered with a 5xx status.',
          },
          {
            record: 'model_le:kthena_router_request_duration_seconds_bucket:rate5m',
            expr: promql`sum by (model, le) (rate(${routerRequestDuration}_bucket[5m]))`,
            help: 'Router latency histogram buckets per model, for quantile panels.',
          },
          {
            record: 'model_token_type:kthena_router_tokens:rate5m',
            expr: promql`sum by (model, token_type) (rate(${routerTokensTotal}[5m]))`,
            unit: 'tokens/s',
            help: 'Tokens per second through the router, input and output.',
          },
        ],
      },
      config,
      'rules',
    ),
  );
}

const SERVER_ERROR = { re: '5..' } as const;

export interface KthenaRouterSlosConfig extends ContentScope {
  /** Models served through the router (one ModelRoute each); an availability and a latency SLO per model. */
  models?: readonly string[];
  /** The router's scrape interval, so the efficient windows add up exactly. */
  scrapeInterval?: string;
}

/** Availability and latency per model routed through the Kthena router, in the efficient rule mode. */
export function kthenaRouterSlos(config: KthenaRouterSlosConfig = {}) {
  const { models = ['llama-3-8b', 'qwen2-7b'], scrapeInterval = kthenaRouter.spec.scrapeInterval } = config;
  const routeSlos = models.flatMap((model) => [
    {
      name: `${model}-availability`,
      objective: 99.9,
      description: `Requests for ${model} through the router that do not end in a 5xx.`,
      labels: { model },
      sli: {
        kind: 'ratio' as const,
        errors: { metric: routerRequestsTotal, matchers: { model, status_code: SERVER_ERROR } },
        total: { metric: routerRequestsTotal, matchers: { model } },
      },
      alerting: {
        name: 'KthenaRouterAvailabilityBudgetBurn',
        labels: { model },
        annotations: { summary: `Requests for ${model} through the router are failing with 5xx faster than the SLO allows.` },
      },
    },
    {
      name: `${model}-latency`,
      objective: 99,
      description: `Requests for ${model} the router completes within 1 s.`,
      labels: { model },
      sli: { kind: 'latency' as const, histogram: routerRequestDuration, matchers: { model }, threshold: 1 },
      alerting: {
        name: 'KthenaRouterLatencyBudgetBurn',
        labels: { model },
        annotations: { summary: `Requests for ${model} through the router are slower than 1 s more often than the SLO allows.` },
      },
    },
  ]);
  return defineSlos(scopeSlos({
    service: 'kthena-router',
    labels: { team: 'inference-platform', service: 'kthena-router' },
    options: { mode: 'efficient', minEventRate: 0.05, scrapeInterval },
    slos: routeSlos,
  }, config));
}
