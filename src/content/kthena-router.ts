import { z } from 'zod';
import { promql } from '../model/rules.ts';
import { defineRuleGroup, defineSlos } from '../model/spec.ts';
import type { Matchers, SloSpec } from '../model/slo.ts';
import {
  kthenaRouter,
  routerActiveDownstreamRequests,
  routerActiveUpstreamRequests,
  routerFairnessQueueDuration,
  routerFairnessQueueSize,
  routerRateLimitExceededTotal,
  routerRequestDecodeDuration,
  routerRequestDuration,
  routerRequestPrefillDuration,
  routerRequestsTotal,
  routerTokensTotal,
} from '../catalog/kthena-router.ts';
import { promUp } from '../catalog/kubernetes.ts';
import { scopeRuleGroup, scopeSlos, type AlertScope, type ContentScope } from './scope.ts';
import { jobDownExpr, jobDownTests } from './target-down.ts';
import { alertScopeFields, contentFactory, contentScopeFields, contentScopeSchema, percentOption, ratioOption } from './options.ts';
import { durationSchema } from '../model/duration.ts';

const chat = { path: '/v1/chat/completions' };

/** What an SRE running the Kthena router pages and tickets on. */
export interface KthenaRouterAlertsConfig extends AlertScope {
  /** The router's `job` label (the catalog's, or your `deploySource` job). */
  job?: string;
  /** Share of requests answered 5xx (0.001..1) above which `KthenaRouterHighErrorRatio` pages. */
  errorRatio?: number;
}

const kthenaRouterAlertsConfigSchema = z.strictObject({
  ...alertScopeFields,
  job: z.string().min(1).optional(),
  // The quiet test case fails one request in a thousand.
  errorRatio: ratioOption.min(0.001).optional(),
});

/** Where the router runs, for the commands and log queries of its runbooks. */
interface RouterPlace {
  namespace: string;
  app: string;
  /** The router's access-log streams in Loki (the stream labels infermon's log pipeline sets). */
  logs: string;
  /** Shell prefix that reaches the router's admin port on localhost:15000. */
  portForward: string;
}

function routerPlace(config: KthenaRouterAlertsConfig): RouterPlace {
  const placement = kthenaRouter.spec.kubernetes;
  const namespace = config.selector?.namespace ?? placement.namespace;
  const app = placement.podLabels.app;
  const port = kthenaRouter.spec.port.number;
  return {
    namespace,
    app,
    logs: `{namespace="${namespace}", app="${app}"}`,
    portForward: `kubectl port-forward -n ${namespace} svc/${app} ${port}:${port}`,
  };
}

function statusClass(logs: string, cls: string): string {
  return logs.replace(/\}$/, `, status_class="${cls}"}`);
}

export const kthenaRouterAlerts = contentFactory('kthenaRouterAlerts', kthenaRouterAlertsConfigSchema, (config: KthenaRouterAlertsConfig) => {
  const { job = kthenaRouter.spec.job, errorRatio = 0.05 } = config;
  // The firing case fails half the requests, or halfway between the threshold and all of them.
  const failing = errorRatio < 0.5 ? { share: 0.5, description: 'half the requests of one model fail' } : { share: (1 + errorRatio) / 2, description: 'most requests of one model fail' };
  const at = routerPlace(config);
  const port = kthenaRouter.spec.port.number;
  const admin = `curl -s http://localhost:${port}`;
  return defineRuleGroup(
    scopeRuleGroup(
      {
        name: 'kthena-router.alerts',
        team: 'inference-platform',
        service: 'kthena-router',
        dashboard: 'kthena-router',
        rules: [
          {
            alert: 'KthenaRouterDown',
            expr: jobDownExpr(job),
            for: '1m',
            severity: 'critical',
            summary: 'Kthena router is down or not discovered',
            description:
              'Prometheus has no healthy scrape of the Kthena router in job {{ $labels.job }}: a router target fails its scrapes, or discovery finds no router at all. Inference traffic through it may be failing.',
            runbook: {
              meaning:
                'Prometheus cannot read the router\'s metrics port, or finds no router target at all. Either the router pods are gone or crash-looping, and every request entering the platform fails, or only the metrics endpoint or its discovery broke while traffic still flows. The router\'s latency and error alerts read the same missing metrics, so routing may inhibit them while this one fires.',
              firstChecks: [
                `Are the router pods running and ready? \`kubectl get pods -n ${at.namespace} -l app=${at.app}\``,
                `Why did they stop? \`kubectl logs -n ${at.namespace} deployment/${at.app} --tail=50\` (add \`--previous\` after a restart).`,
                `Does the metrics endpoint answer? \`${at.portForward}\`, then \`${admin}/metrics | grep kthena_router_requests_total\`.`,
                'An empty `instance` means no target at all: check that the ServiceMonitor (or the static scrape job) still selects the router Service, in Prometheus under Status → Targets.',
                'Does traffic still flow? The access-log query below counts requests the router logged while Prometheus could not scrape it.',
              ],
              queries: [
                { title: 'Scrape health of every router target', promql: promql`${promUp}{job="${job}"}` },
                { title: 'Requests in the access log, by status class', logql: `sum by (status_class) (count_over_time(${at.logs}[5m]))` },
              ],
            },
            tests: jobDownTests(job, 'router-0:15000'),
          },
          {
            alert: 'KthenaRouterHighErrorRatio',
            expr: promql`sum by (model) (rate(${routerRequestsTotal}{status_code=~"5.."}[5m])) / sum by (model) (rate(${routerRequestsTotal}[5m])) > ${errorRatio}`,
            for: '1m',
            severity: 'critical',
            summary: `More than ${Math.round(errorRatio * 1000) / 10}% of router requests fail with 5xx`,
            description: '{{ $value | humanizePercentage }} of requests for model {{ $labels.model }} failed with a 5xx status over the last 5 minutes.',
            runbook: {
              meaning:
                'Users of one model see server errors. The router answers 5xx when the model server fails or times out, or when the ModelRoute has no ready pod to send the request to; `error_type` on the request counter and `error.type` / `error.message` in the access log tell which.',
              firstChecks: [
                'Which models and error types? Run the first query below.',
                'Read the failed requests in the access log (second and third queries): the error type and message say whether the model server failed, timed out, or the router could not route.',
                `Is the route still served? \`${at.portForward}\`, then \`${admin}/debug/config_dump/modelroutes\` and \`${admin}/debug/config_dump/modelservers\`: a ModelServer without ready pods fails every request.`,
                `If one \`selected_pod\` owns the errors, check that model server: its vLLM alerts, \`${admin}/debug/config_dump/pods\`, and its own logs.`,
              ],
              queries: [
                { title: 'Failed requests per second, by model and error type', promql: promql`sum by (model, error_type) (rate(${routerRequestsTotal}{status_code=~"5.."}[5m]))` },
                { title: 'Failed requests in the access log, by model', logql: `sum by (model) (count_over_time(${statusClass(at.logs, '5xx')}[10m]))` },
                {
                  title: 'Failed requests with their pod and error (JSON access log)',
                  logql: `${statusClass(at.logs, '5xx')} | json | line_format "{{.model_name}} {{.selected_pod}} {{.error_type}}: {{.error_message}}"`,
                },
              ],
            },
            tests: {
              firing: [
                {
                  description: failing.description,
                  series: [
                    { metric: routerRequestsTotal, labels: { model: 'llama-3-8b', ...chat, status_code: '200', error_type: 'successful_request' }, rate: 10 * (1 - failing.share) },
                    { metric: routerRequestsTotal, labels: { model: 'llama-3-8b', ...chat, status_code: '503', error_type: 'proxy' }, rate: 10 * failing.share },
                  ],
                  value: failing.share,
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
            runbook: {
              meaning:
                'The slowest requests of one model take more than 2 s end to end. The time is spent either upstream in the model server (prefill, decode, its own queue) or in the router before dispatch (scheduler plugins, the fairness queue). The access log splits every request\'s time into router processing, upstream processing and response processing.',
              firstChecks: [
                'Upstream or router? In the slow requests of the access log (third query), compare `duration_upstream_processing` with `duration_total`: upstream dominating points at the model server, whose vLLM time-to-first-token alert often fires alongside.',
                'For a prefill/decode (PD-disaggregated) model, find the slow phase with the prefill and decode p99 queries.',
                'Queueing: compare requests in flight in the router with the model servers\' capacity, and look at the fairness queue wait.',
                `Check which pods serve the model: \`${at.portForward}\`, then \`${admin}/debug/config_dump/pods\`.`,
              ],
              queries: [
                { title: 'p99 latency by model', promql: promql`histogram_quantile(0.99, sum by (model, le) (rate(${routerRequestDuration}_bucket[5m])))` },
                { title: 'p99 prefill phase by model (PD-disaggregated)', promql: promql`histogram_quantile(0.99, sum by (model, le) (rate(${routerRequestPrefillDuration}_bucket[5m])))` },
                { title: 'p99 decode phase by model (PD-disaggregated)', promql: promql`histogram_quantile(0.99, sum by (model, le) (rate(${routerRequestDecodeDuration}_bucket[5m])))` },
                { title: 'Requests in flight, downstream by model', promql: promql`sum by (model) (${routerActiveDownstreamRequests})` },
                { title: 'Requests in flight, upstream by model server', promql: promql`sum by (model_server) (${routerActiveUpstreamRequests})` },
                {
                  title: 'Requests slower than 5 s, with the upstream share (JSON access log)',
                  logql: `${at.logs} | json | duration_total > 5000 | line_format "{{.model_name}} total={{.duration_total}}ms upstream={{.duration_upstream_processing}}ms pod={{.selected_pod}}"`,
                },
              ],
            },
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
            runbook: {
              meaning:
                'Clients of one model get 429 answers: the ModelRoute\'s rate limit (requests, input tokens or output tokens per unit of time) is exhausted. Either a client sends more than agreed, prompts grew, or the limit is lower than the model can serve.',
              firstChecks: [
                'Which limit trips? `limit_type` on the alert says requests, input or output tokens.',
                `What is the route\'s limit? \`${at.portForward}\`, then \`${admin}/debug/config_dump/modelroutes\`.`,
                'Did the token volume change? Compare input and output tokens per second with last week (second query).',
                'Who is rejected? The access-log query lists the rejected requests with their token counts.',
              ],
              queries: [
                { title: 'Rejections per second, by model and limit', promql: promql`sum by (model, limit_type) (rate(${routerRateLimitExceededTotal}[5m]))` },
                { title: 'Tokens per second, by model and direction', promql: promql`sum by (model, token_type) (rate(${routerTokensTotal}[5m]))` },
                {
                  title: 'Rejected requests with their token counts (JSON access log)',
                  logql: `${statusClass(at.logs, '4xx')} | json | status_code = 429 | line_format "{{.model_name}} in={{.input_tokens}} out={{.output_tokens}}"`,
                },
              ],
            },
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
            runbook: {
              meaning:
                'The router holds requests of one model back before dispatch because the model already has as many requests in flight as fairness allows. Users wait before the model even sees their request; the wait adds to every latency the router reports.',
              firstChecks: [
                'Is the model itself saturated? Look at its vLLM waiting queue and KV cache (the runtime dashboard), and at the router\'s requests in flight.',
                'If the model servers have headroom, the fairness concurrency limit is too low for the fleet: raise it, or add replicas first when they do not.',
                'Is one user filling the queue? The queue size is reported per user.',
              ],
              queries: [
                { title: 'Queued requests, by model', promql: promql`sum by (model) (${routerFairnessQueueSize})` },
                { title: 'p95 queue wait, by model', promql: promql`histogram_quantile(0.95, sum by (model, le) (rate(${routerFairnessQueueDuration}_bucket[5m])))` },
                { title: 'Requests in flight, downstream by model', promql: promql`sum by (model) (${routerActiveDownstreamRequests})` },
              ],
            },
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
            runbook: {
              meaning:
                'One ModelServer holds more concurrent requests than its pods can batch well: latency grows and, once its queue fills, requests fail. Usually the fleet is too small for the traffic, or the route sends it more than its share.',
              firstChecks: [
                `Which pods serve it, and are they all ready? \`${at.portForward}\`, then \`${admin}/debug/config_dump/modelservers\` and \`${admin}/debug/config_dump/pods\`.`,
                'Is the load spread over the pods? The access-log query shows which pods the router picks.',
                'Add replicas, or lower the ModelRoute weight of this server if another one has room.',
              ],
              queries: [
                { title: 'Requests in flight, by model server and route', promql: promql`sum by (model_server, model_route) (${routerActiveUpstreamRequests})` },
                {
                  title: 'Routing decisions: server and pod per request (JSON access log)',
                  logql: `${at.logs} | json | line_format "{{.model_name}} {{.model_route}} {{.model_server}} {{.selected_pod}}"`,
                },
              ],
            },
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
});

/** Pre-computed router series for dashboards and SLO-style panels. */
export const kthenaRouterRecordingRules = contentFactory('kthenaRouterRecordingRules', contentScopeSchema, (config: ContentScope) => {
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
});

const SERVER_ERROR = { re: '5..' } as const;

/** Objectives in percent of good requests. */
export interface KthenaRouterObjectives {
  /** Requests that do not end in a 5xx; defaults to 99.9. */
  availability?: number;
  /** Requests completed within 1 s; defaults to 99. */
  latency?: number;
}

export interface KthenaRouterSlosConfig extends ContentScope {
  /** The objectives every model routed through the router is held to, each model on its own. */
  objectives?: KthenaRouterObjectives;
  /**
   * Models held to objectives of their own: each gets its own pair of SLOs (`<model>-availability`,
   * `<model>-latency`), and the grouped SLOs leave it out.
   */
  perModel?: Readonly<Record<string, KthenaRouterObjectives>>;
  /** The router's scrape interval, so the efficient windows add up exactly. */
  scrapeInterval?: string;
}

const kthenaRouterObjectivesSchema = z.strictObject({ availability: percentOption.optional(), latency: percentOption.optional() });
const kthenaRouterSlosConfigSchema = z.strictObject({
  ...contentScopeFields,
  objectives: kthenaRouterObjectivesSchema.optional(),
  perModel: z.record(z.string().min(1), kthenaRouterObjectivesSchema).optional(),
  scrapeInterval: durationSchema.optional(),
});

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The matcher for every model but these: none, `!=` for one, `!~` for several. */
function othersThan(models: readonly string[]): Matchers[string] | undefined {
  if (models.length === 0) return undefined;
  return models.length === 1 ? { ne: models[0]! } : { nre: models.map(escapeRegex).join('|') };
}

/**
 * Availability and latency of every model routed through the Kthena router, in the efficient rule mode:
 * one SLO each, grouped by `model`, so every model has its own error budget and alerts, and a newly
 * routed model is covered without a change to the rules. Models under `perModel` get SLOs of their own.
 */
export const kthenaRouterSlos = contentFactory('kthenaRouterSlos', kthenaRouterSlosConfigSchema, (config: KthenaRouterSlosConfig) => {
  const { objectives = {}, perModel = {}, scrapeInterval = kthenaRouter.spec.scrapeInterval } = config;
  const own = Object.keys(perModel).sort();
  /** The two SLOs of one model (`model` a name), or of every model it matches, grouped by model. */
  const pair = (name: (kind: string) => string, model: Matchers[string] | undefined, goals: KthenaRouterObjectives, who: string): SloSpec[] => {
    const byModel: Matchers = model === undefined ? {} : { model };
    const single = typeof model === 'string';
    const grouping = single ? { labels: { model } } : { groupBy: ['model'] };
    const alertLabels = single ? { labels: { model } } : {};
    return [
      {
        name: name('availability'),
        objective: goals.availability ?? objectives.availability ?? 99.9,
        description: `Requests for ${who} through the router that do not end in a 5xx.`,
        ...grouping,
        sli: {
          kind: 'ratio' as const,
          errors: { metric: routerRequestsTotal, matchers: { ...byModel, status_code: SERVER_ERROR } },
          total: { metric: routerRequestsTotal, matchers: byModel },
        },
        alerting: {
          name: 'KthenaRouterAvailabilityBudgetBurn',
          ...alertLabels,
          annotations: { summary: `Requests for {{ $labels.model }} through the router are failing with 5xx faster than the SLO allows.` },
        },
      },
      {
        name: name('latency'),
        objective: goals.latency ?? objectives.latency ?? 99,
        description: `Requests for ${who} the router completes within 1 s.`,
        ...grouping,
        sli: { kind: 'latency' as const, histogram: routerRequestDuration, matchers: byModel, threshold: 1 },
        alerting: {
          name: 'KthenaRouterLatencyBudgetBurn',
          ...alertLabels,
          annotations: { summary: `Requests for {{ $labels.model }} through the router are slower than 1 s more often than the SLO allows.` },
        },
      },
    ];
  };
  const routeSlos = [
    ...pair((kind) => kind, othersThan(own), {}, 'each model'),
    ...own.flatMap((model) => pair((kind) => `${model}-${kind}`, model, perModel[model]!, model)),
  ];
  return defineSlos(scopeSlos({
    service: 'kthena-router',
    labels: { team: 'inference-platform', service: 'kthena-router' },
    options: { mode: 'efficient', minEventRate: 0.05, scrapeInterval },
    slos: routeSlos,
  }, config));
});
