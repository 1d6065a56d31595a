import { byVariables, gauge, q, quantileQueries, ratio, sumRate } from '../../grafana/queries.ts';
import { labelVariable } from '../../grafana/variables.ts';
import {
  moeExpertFailuresTotal,
  moeExpertsUsedPerToken,
  moeFlopsComputedTotal,
  moeFlopsSavedTotal,
  moeLoadBalanceScore,
  moeMemoryUsageBytes,
  moeRoutingDuration,
  moeRoutingErrorsTotal,
  moeRoutingRequestsTotal,
} from '../../catalog/moe-router.ts';
import { bundledDashboard, type DashboardConfig } from './bundled.ts';
import { contentFactory, dashboardConfigSchema } from '../options.ts';

const model = byVariables({ model_name: 'model' });

/** The dynamic MoE router: routing traffic and latency, expert usage, compute saved, memory and errors. */
export const moeRouterDashboard = contentFactory('moeRouterDashboard', dashboardConfigSchema, (config: DashboardConfig) => {
  return bundledDashboard(
    {
      id: 'moe-router',
      title: 'MoE router',
      description: 'Routing requests and duration, experts per token, expert load balance, FLOP reduction, memory and errors of the dynamic MoE router.',
      tags: ['moe'],
      variables: [labelVariable('model', 'Model', moeRoutingRequestsTotal, 'model_name')],
      rows: [
        {
          title: 'Routing',
          panels: [
            {
              title: 'Request rate',
              description: 'Routing requests per second by model, backend and outcome.',
              unit: 'reqps',
              width: 12,
              queries: [q(sumRate(moeRoutingRequestsTotal, model, { by: ['model_name', 'backend', 'status'] }), '{{model_name}} {{backend}} {{status}}')],
            },
            {
              title: 'Routing duration',
              description: 'Time to route a request at P50, P95 and P99, per backend.',
              unit: 's',
              width: 12,
              queries: quantileQueries(moeRoutingDuration, model, { by: ['backend'], quantiles: [0.5, 0.95, 0.99] }),
            },
          ],
        },
        {
          title: 'Experts and compute',
          panels: [
            {
              title: 'Experts per token',
              description: 'Mean number of experts activated per token.',
              unit: 'short',
              width: 8,
              queries: [q(gauge(moeExpertsUsedPerToken, model, ['model_name'], 'avg'), '{{model_name}}')],
            },
            {
              title: 'Expert load balance',
              description: 'Load balance score per layer; lower values mean a few experts take most tokens.',
              unit: 'none',
              width: 8,
              queries: [q(gauge(moeLoadBalanceScore, model, ['model_name', 'layer_id'], 'avg'), '{{model_name}} layer {{layer_id}}')],
            },
            {
              title: 'FLOP reduction',
              // The kit's own definition (its structured logs report flop_reduction 0.35 for 350k FLOPs saved
              // on 1M computed): saved over computed, not saved over the dense total.
              description: 'FLOPs saved by dynamic routing per FLOP computed, as the router kit reports flop_reduction.',
              type: 'stat',
              unit: 'percentunit',
              width: 8,
              queries: [
                q(
                  ratio(sumRate(moeFlopsSavedTotal, model), sumRate(moeFlopsComputedTotal, model)),
                  'FLOPs saved',
                ),
              ],
            },
          ],
        },
        {
          title: 'Health',
          panels: [
            {
              title: 'Memory',
              description: 'Memory held by each part of the router.',
              unit: 'bytes',
              width: 8,
              queries: [q(gauge(moeMemoryUsageBytes, model, ['model_name', 'component']), '{{model_name}} {{component}}')],
            },
            {
              title: 'Routing errors',
              description: 'Routing errors per second by type.',
              unit: 'ops',
              width: 8,
              queries: [q(sumRate(moeRoutingErrorsTotal, model, { by: ['model_name', 'error_type'] }), '{{model_name}} {{error_type}}')],
            },
            {
              title: 'Expert failures',
              description: 'Expert failures per second by failure type.',
              unit: 'ops',
              width: 8,
              queries: [q(sumRate(moeExpertFailuresTotal, model, { by: ['model_name', 'failure_type'] }), '{{model_name}} {{failure_type}}')],
            },
          ],
        },
      ],
    },
    ['gpu', 'llm-runtime'],
    config,
  );
});
