import { byVariables, gauge, heatmapBuckets, q, quantileQueries, ratio, sumRate } from '../../grafana/queries.ts';
import { labelVariable } from '../../grafana/variables.ts';
import {
  arksGatewayErrorsTotal,
  arksGatewayQuotaLimit,
  arksGatewayQuotaUsage,
  arksGatewayRateLimitHits,
  arksGatewayRateLimitTokens,
  arksGatewayRequestDuration,
  arksGatewayRequestsTotal,
  arksGatewayResponseProcessDuration,
  arksGatewayTokenDistribution,
  arksGatewayTokenUsage,
} from '../../catalog/arks-gateway.ts';
import { bundledDashboard, type DashboardConfig } from './bundled.ts';
import { contentFactory, dashboardConfigSchema } from '../options.ts';

const scope = byVariables({ namespace: 'namespace', model: 'model' });
/** Token series name the model `token` (a quirk of the gateway). */
const tokenScope = byVariables({ namespace: 'namespace', token: 'model' });

/** The Arks gateway: requests, duration, errors, token usage, rate limits and quotas per ArksToken namespace. */
export const arksGatewayDashboard = contentFactory('arksGatewayDashboard', dashboardConfigSchema, (config: DashboardConfig) => {
  return bundledDashboard(
    {
      id: 'arks-gateway',
      title: 'Arks gateway',
      description: 'Requests, latency, errors, token usage, rate-limit hits and quota usage of the Arks gateway, per token namespace and model.',
      tags: ['arks', 'gateway'],
      variables: [
        labelVariable('namespace', 'Token namespace', arksGatewayRequestsTotal, 'namespace'),
        labelVariable('model', 'Model', arksGatewayRequestsTotal, 'model', { matchers: '{namespace=~"$namespace"}' }),
      ],
      rows: [
        {
          title: 'Requests',
          panels: [
            {
              title: 'Request rate by status',
              description: 'Requests the gateway answered per second, by model and HTTP status.',
              unit: 'reqps',
              width: 12,
              stack: true,
              queries: [q(sumRate(arksGatewayRequestsTotal, scope, { by: ['model', 'status'] }), '{{model}} {{status}}')],
            },
            {
              title: 'Error ratio',
              description: 'Share of requests answered with a 4xx or 5xx status, per model.',
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
                    sumRate(arksGatewayRequestsTotal, { ...scope, status: '[45]..' }, { by: ['model'] }),
                    sumRate(arksGatewayRequestsTotal, scope, { by: ['model'] }),
                  ),
                  '{{model}}',
                ),
              ],
            },
            {
              title: 'Request duration',
              description: 'Time the gateway spent on a request at P50, P90, P95 and P99.',
              unit: 's',
              width: 12,
              queries: quantileQueries(arksGatewayRequestDuration, scope),
            },
            {
              title: 'Response processing duration',
              description: 'Time the gateway spent processing responses at P50, P90, P95 and P99.',
              unit: 'ms',
              width: 12,
              queries: quantileQueries(arksGatewayResponseProcessDuration, scope),
            },
            {
              title: 'Gateway errors',
              description: 'Gateway errors per second by type. The gateway registers this counter but does not increment it yet.',
              unit: 'ops',
              width: 24,
              queries: [q(sumRate(arksGatewayErrorsTotal, scope, { by: ['model', 'error_type'] }), '{{model}} {{error_type}}')],
            },
          ],
        },
        {
          title: 'Token usage',
          panels: [
            {
              title: 'Tokens per second',
              description: 'Input and output tokens per second, per model (the gateway puts the model in the `token` label).',
              unit: 'suffix: tok/s',
              width: 12,
              stack: true,
              queries: [q(sumRate(arksGatewayTokenUsage, tokenScope, { by: ['token', 'type'] }), '{{token}} {{type}}')],
            },
            {
              title: 'Tokens per request',
              description: 'Distribution of tokens per request, input and output together.',
              type: 'heatmap',
              unit: 'short',
              width: 12,
              queries: [q(heatmapBuckets(arksGatewayTokenDistribution, tokenScope), '{{le}}')],
            },
          ],
        },
        {
          title: 'Rate limits and quotas',
          panels: [
            {
              title: 'Rate-limit hits',
              description: 'Requests rejected per second by a rate-limit rule (rpm, rpd, tpm, tpd).',
              unit: 'reqps',
              width: 12,
              queries: [q(sumRate(arksGatewayRateLimitHits, scope, { by: ['model', 'rule_type'] }), '{{model}} {{rule_type}}')],
            },
            {
              title: 'Rate-limit tokens available',
              description: 'Tokens left in each rate-limit bucket. Registered by the gateway but not updated yet.',
              unit: 'short',
              width: 12,
              queries: [q(gauge(arksGatewayRateLimitTokens, scope, ['user', 'rule_type'], 'min'), '{{user}} {{rule_type}}')],
            },
            {
              title: 'Quota usage against limit',
              description: 'Quota consumed as a share of its limit, per quota. Registered by the gateway but not updated yet.',
              unit: 'percentunit',
              width: 24,
              thresholds: [
                { value: 0.8, color: 'orange' },
                { value: 0.95, color: 'red' },
              ],
              queries: [
                q(
                  ratio(
                    gauge(arksGatewayQuotaUsage, scope, ['namespace', 'quota_name', 'quota_type'], 'max'),
                    gauge(arksGatewayQuotaLimit, scope, ['namespace', 'quota_name', 'quota_type'], 'max'),
                  ),
                  '{{namespace}} {{quota_name}} {{quota_type}}',
                ),
              ],
            },
          ],
        },
      ],
    },
    ['llm-runtime', 'kthena-router', 'model-drilldown'],
    config,
  );
});
