import { promql } from '../model/rules.ts';
import { defineRuleGroup } from '../model/spec.ts';
import { moeLoadBalanceScore, moeMemoryUsageBytes, moeRoutingErrorsTotal } from '../catalog/moe-router.ts';
import { scopeRuleGroup, type AlertScope } from './scope.ts';
import { alertScopeSchema, contentFactory } from './options.ts';

const model = { model_name: 'mixtral-8x7b' };

/** The MoE router document's alerts, aggregated per model so each fires once per model, not per series. */
export const moeRouterAlerts = contentFactory('moeRouterAlerts', alertScopeSchema, (config: AlertScope) => {
  return defineRuleGroup(
    scopeRuleGroup(
      {
        name: 'moe-router.alerts',
        team: 'moe-research',
        service: 'moe-router',
        dashboard: 'moe-router',
        rules: [
          {
            alert: 'MoeRoutingErrorRateHigh',
            expr: promql`sum by (model_name) (rate(${moeRoutingErrorsTotal}[5m])) > 0.1`,
            for: '2m',
            severity: 'warning',
            summary: 'MoE router fails more than 0.1 routings per second',
            description: '{{ $labels.model_name }} has {{ $value | humanize }} routing errors per second.',
            tests: {
              firing: [{ series: [{ metric: moeRoutingErrorsTotal, labels: { ...model, error_type: 'expert_timeout' }, rate: 0.5 }], value: 0.5 }],
              quiet: [{ series: [{ metric: moeRoutingErrorsTotal, labels: { ...model, error_type: 'expert_timeout' }, rate: 0.01 }] }],
            },
          },
          {
            alert: 'MoeRouterMemoryHigh',
            expr: promql`sum by (model_name) (${moeMemoryUsageBytes}) / 1024 ^ 3 > 8`,
            for: '5m',
            severity: 'critical',
            summary: 'MoE router uses more than 8 GiB',
            description: '{{ $labels.model_name }} uses {{ $value | humanize }} GiB of memory.',
            tests: {
              firing: [{ series: [{ metric: moeMemoryUsageBytes, labels: { ...model, component: 'model' }, value: 10737418240 }], value: 10 }],
              quiet: [{ series: [{ metric: moeMemoryUsageBytes, labels: { ...model, component: 'model' }, value: 2147483648 }] }],
            },
          },
          {
            alert: 'MoeExpertImbalance',
            expr: promql`min by (model_name) (${moeLoadBalanceScore}) < 0.5`,
            for: '10m',
            severity: 'warning',
            summary: 'MoE expert load is imbalanced',
            description: 'Lowest per-layer load balance score of {{ $labels.model_name }} is {{ $value }}.',
            tests: {
              firing: [{ series: [{ metric: moeLoadBalanceScore, labels: { ...model, layer_id: '3' }, value: 0.3 }], value: 0.3 }],
              quiet: [{ series: [{ metric: moeLoadBalanceScore, labels: { ...model, layer_id: '3' }, value: 0.8 }] }],
            },
          },
        ],
      },
      config,
      'alerts',
    ),
  );
});
