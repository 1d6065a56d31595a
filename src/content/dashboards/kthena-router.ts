import { byVariables, gauge, q, quantile, quantileQueries, ratio, sumRate } from '../../grafana/queries.ts';
import { labelVariable } from '../../grafana/variables.ts';
import {
  ROUTER_SUCCESS_ERROR_TYPE,
  routerActiveDownstreamRequests,
  routerActiveUpstreamRequests,
  routerFairnessQueueDuration,
  routerFairnessQueueSize,
  routerRateLimitExceededTotal,
  routerRequestDecodeDuration,
  routerRequestDuration,
  routerRequestPrefillDuration,
  routerRequestsTotal,
  routerSchedulerPluginDuration,
  routerTokensTotal,
} from '../../catalog/kthena-router.ts';
import { GOODPUT_MET, routerGoodputRequests } from '../../catalog/reference-router.ts';
import { bundledDashboard, type DashboardConfig } from './bundled.ts';
import { contentFactory, dashboardConfigSchema } from '../options.ts';

const byModel = byVariables({ model: 'model' });

/** The Kthena router: traffic, latency, tokens, scheduling and the fairness queue, per model. */
export const kthenaRouterDashboard = contentFactory('kthenaRouterDashboard', dashboardConfigSchema, (config: DashboardConfig) => {
  return bundledDashboard(
    {
      id: 'kthena-router',
      title: 'Kthena router',
      description: 'Requests, errors, latency, token throughput, scheduler plugins, rate limits and the fairness queue of the Kthena router.',
      tags: ['kthena', 'router'],
      variables: [labelVariable('model', 'Model', routerRequestsTotal, 'model')],
      rows: [
        {
          title: 'Traffic',
          panels: [
            {
              title: 'Request rate by model and status',
              description: 'Requests the router finished per second, by requested model and final HTTP status code.',
              unit: 'reqps',
              width: 12,
              stack: true,
              queries: [q(sumRate(routerRequestsTotal, byModel, { by: ['model', 'status_code'] }), '{{model}} {{status_code}}')],
            },
            {
              title: 'Error ratio',
              description: `Share of requests that finished with any reason other than ${ROUTER_SUCCESS_ERROR_TYPE}, per model.`,
              unit: 'percentunit',
              width: 12,
              min: 0,
              thresholds: [
                { value: 0.01, color: 'orange' },
                { value: 0.05, color: 'red' },
              ],
              queries: [
                q(
                  ratio(
                    sumRate(routerRequestsTotal, { ...byModel, error_type: { ne: ROUTER_SUCCESS_ERROR_TYPE } }, { by: ['model'] }),
                    sumRate(routerRequestsTotal, byModel, { by: ['model'] }),
                  ),
                  '{{model}}',
                ),
              ],
            },
            {
              title: 'Active downstream requests',
              description: 'Client requests currently open against the router, per model.',
              unit: 'short',
              width: 12,
              queries: [q(gauge(routerActiveDownstreamRequests, byModel, ['model']), '{{model}}')],
            },
            {
              title: 'Active upstream requests',
              description: 'Requests the router currently has open against model servers, per ModelServer (the series carry no model label).',
              unit: 'short',
              width: 12,
              queries: [q(gauge(routerActiveUpstreamRequests, {}, ['model_server']), '{{model_server}}')],
            },
          ],
        },
        {
          title: 'Latency',
          panels: [
            {
              title: 'Request latency',
              description: 'End-to-end latency of requests through the router at P50, P90, P95 and P99.',
              unit: 's',
              width: 24,
              queries: quantileQueries(routerRequestDuration, byModel),
            },
            {
              title: 'Prefill latency',
              description: 'Prefill phase of prefill/decode-disaggregated requests at P50, P90, P95 and P99.',
              unit: 's',
              width: 12,
              queries: quantileQueries(routerRequestPrefillDuration, byModel),
            },
            {
              title: 'Decode latency',
              description: 'Decode phase of prefill/decode-disaggregated requests at P50, P90, P95 and P99.',
              unit: 's',
              width: 12,
              queries: quantileQueries(routerRequestDecodeDuration, byModel),
            },
          ],
        },
        {
          title: 'Goodput',
          panels: [
            {
              title: 'Goodput ratio',
              description: 'Share of requests that succeeded within both the first-token and the inter-token target of their model, as the reference router judges them.',
              unit: 'percentunit',
              width: 12,
              min: 0,
              max: 1,
              queries: [
                q(
                  ratio(
                    sumRate(routerGoodputRequests, { ...byModel, outcome: GOODPUT_MET }, { by: ['model'] }),
                    sumRate(routerGoodputRequests, byModel, { by: ['model'] }),
                  ),
                  '{{model}}',
                ),
              ],
            },
            {
              title: 'Requests by goodput outcome',
              description: 'Requests per second that met both targets, failed, or missed the first-token or the inter-token target first.',
              unit: 'reqps',
              width: 12,
              stack: true,
              queries: [q(sumRate(routerGoodputRequests, byModel, { by: ['model', 'outcome'] }), '{{model}} {{outcome}}')],
            },
          ],
        },
        {
          title: 'Tokens',
          panels: [
            {
              title: 'Input and output tokens per second',
              description: 'Prompt tokens counted before dispatch and generated tokens reported upstream, per model.',
              unit: 'suffix: tok/s',
              width: 24,
              queries: [q(sumRate(routerTokensTotal, byModel, { by: ['model', 'token_type'] }), '{{model}} {{token_type}}')],
            },
          ],
        },
        {
          title: 'Scheduling and limits',
          panels: [
            {
              title: 'Scheduler plugin time (P95)',
              description: 'P95 time each scheduler plugin spends on one decision, by plugin and phase (filter or score).',
              unit: 's',
              width: 12,
              queries: [q(quantile(0.95, routerSchedulerPluginDuration, byModel, ['plugin', 'type']), '{{plugin}} {{type}}')],
            },
            {
              title: 'Rate-limit rejections',
              description: 'Requests rejected per second because a rate limit was exceeded, by limit type.',
              unit: 'reqps',
              width: 12,
              queries: [q(sumRate(routerRateLimitExceededTotal, byModel, { by: ['model', 'limit_type'] }), '{{model}} {{limit_type}}')],
            },
          ],
        },
        {
          title: 'Fairness queue',
          panels: [
            {
              title: 'Fairness queue size',
              description: 'Requests waiting in the fairness queue, per model.',
              unit: 'short',
              width: 12,
              queries: [q(gauge(routerFairnessQueueSize, byModel, ['model']), '{{model}}')],
            },
            {
              title: 'Fairness queue wait',
              description: 'Time requests waited in the fairness queue before dispatch at P50, P90, P95 and P99.',
              unit: 's',
              width: 12,
              queries: quantileQueries(routerFairnessQueueDuration, byModel),
            },
          ],
        },
      ],
    },
    ['model-drilldown', 'llm-runtime', 'gpu', 'slos', 'kthena-overview'],
    config,
  );
});
