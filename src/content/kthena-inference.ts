import { z } from 'zod';
import { promql } from '../model/rules.ts';
import { defineRuleGroup, defineSlos } from '../model/spec.ts';
import {
  kthenaInference,
  kthenaInferenceDuration,
  kthenaInferenceErrorsTotal,
  kthenaInferenceRequestsTotal,
  kthenaModelLoadFailuresTotal,
  kthenaModelMemoryUsage,
  modelAccuracyScore,
} from '../catalog/kthena-inference.ts';
import { kubeDeploymentSpecReplicas, kubeDeploymentStatusReplicas } from '../catalog/kubernetes.ts';
import { scopeRuleGroup, scopeSlos, type AlertScope, type ContentScope } from './scope.ts';
import { jobDownExpr, jobDownTests } from './target-down.ts';
import { alertScopeFields, contentFactory, contentScopeSchema, positiveOption } from './options.ts';

const model = { model_id: 'llama-3-8b' };
const deployment = { namespace: 'inference', deployment: 'llama-3-8b-infer' };

export interface KthenaInferenceAlertsConfig extends AlertScope {
  /**
   * The guide's throughput SLI target in requests per second across the model servers: below it for 15
   * minutes opens a ticket (`KthenaInferenceThroughputLow`). `false` leaves the alert out, for platforms
   * whose demand, not their capacity, sets the rate.
   */
  minThroughput?: number | false;
}

const kthenaInferenceAlertsConfigSchema = z.strictObject({ ...alertScopeFields, minThroughput: z.union([positiveOption, z.literal(false)]).optional() });

/**
 * The alerts of the Kthena Prometheus integration guide, fixed to the catalog: per-model aggregation kept
 * through both sides of every ratio, and the autoscaling join made to work (the guide's version joins on a
 * `deployment` label the request counter does not have, so it can never fire). The guide's throughput SLI
 * becomes a ticket alert: a rate floor has no good and bad events to spend an error budget on.
 */
export const kthenaInferenceAlerts = contentFactory('kthenaInferenceAlerts', kthenaInferenceAlertsConfigSchema, (config: KthenaInferenceAlertsConfig) => {
  const { minThroughput = 100 } = config;
  const throughput =
    minThroughput === false
      ? []
      : [
          {
            alert: 'KthenaInferenceThroughputLow',
            expr: promql`sum(rate(${kthenaInferenceRequestsTotal}[5m])) < ${String(minThroughput)}`,
            for: '15m',
            severity: 'warning' as const,
            summary: 'Inference throughput below its target',
            description: `The Kthena model servers handle {{ $value | humanize }} requests per second, below the throughput target of ${minThroughput}.`,
            runbook: {
              meaning: `The model servers together handle fewer than ${minThroughput} requests per second, the throughput the platform is sized to serve. Either demand fell (clients, the router or the gateway in front send less), or the servers cannot keep up and requests wait or fail before they are counted.`,
              firstChecks: [
                'Is it demand? Compare with the router\'s request rate on the Kthena overview dashboard: a router that also sees less traffic points upstream of the model servers.',
                'Is it capacity? Check the error and latency alerts of the same servers, and whether replicas are missing (`kubectl get pods -l app=kthena` in the model namespace).',
                'Which model dropped? The first query splits the rate by model.',
              ],
              queries: [{ title: 'Requests per second by model', promql: `sum by (model_id) (rate(${kthenaInferenceRequestsTotal.name}[5m]))` }],
            },
            tests: {
              firing: [{ series: [{ metric: kthenaInferenceRequestsTotal, labels: { ...model, status: '200' }, rate: minThroughput / 2 }], value: minThroughput / 2 }],
              quiet: [{ series: [{ metric: kthenaInferenceRequestsTotal, labels: { ...model, status: '200' }, rate: minThroughput * 1.5 }] }],
            },
          },
        ];
  return defineRuleGroup(
    scopeRuleGroup(
      {
        name: 'kthena-inference.alerts',
        team: 'ml-ops',
        service: 'kthena',
        dashboard: 'kthena-overview',
        rules: [
          {
            alert: 'KthenaServiceDown',
            expr: jobDownExpr(kthenaInference.spec.job),
            for: '1m',
            severity: 'critical',
            summary: 'Kthena model service is down or not discovered',
            description:
              'Prometheus has no healthy scrape of the Kthena model service in job {{ $labels.job }} for more than 1 minute: a model pod fails its scrapes, or discovery finds none at all.',
            tests: jobDownTests(kthenaInference.spec.job, 'llama-0:8080'),
          },
          {
            alert: 'KthenaHighInferenceLatency',
            expr: promql`histogram_quantile(0.95, sum by (le, model_id) (rate(${kthenaInferenceDuration}_bucket[5m]))) > 2`,
            for: '5m',
            severity: 'warning',
            summary: 'High inference latency',
            description: 'Model {{ $labels.model_id }} has a p95 latency of {{ $value | humanize }}s.',
            tests: {
              firing: [{ series: [{ metric: kthenaInferenceDuration, labels: model, observe: { rate: 1, value: 4 } }], value: 4.875 }],
              quiet: [{ series: [{ metric: kthenaInferenceDuration, labels: model, observe: { rate: 1, value: 0.3 } }] }],
            },
          },
          {
            alert: 'KthenaHighInferenceErrorRate',
            expr: promql`sum by (model_id) (rate(${kthenaInferenceErrorsTotal}[5m])) / sum by (model_id) (rate(${kthenaInferenceRequestsTotal}[5m])) > 0.05`,
            for: '2m',
            severity: 'critical',
            summary: 'High inference error rate',
            description: 'Model {{ $labels.model_id }} has an error rate of {{ $value | humanizePercentage }}.',
            tests: {
              firing: [{ series: [{ metric: kthenaInferenceErrorsTotal, labels: model, rate: 1 }, { metric: kthenaInferenceRequestsTotal, labels: { ...model, status: '200' }, rate: 10 }], value: 0.1 }],
              quiet: [{ series: [{ metric: kthenaInferenceErrorsTotal, labels: model, rate: 0 }, { metric: kthenaInferenceRequestsTotal, labels: { ...model, status: '200' }, rate: 10 }] }],
            },
          },
          {
            alert: 'KthenaModelHighMemoryUsage',
            expr: promql`sum by (model_id) (${kthenaModelMemoryUsage}) / 1024 ^ 3 > 8`,
            for: '10m',
            severity: 'warning',
            summary: 'Model using high memory',
            description: 'Model {{ $labels.model_id }} uses {{ $value | humanize }} GiB of memory.',
            tests: {
              firing: [{ series: [{ metric: kthenaModelMemoryUsage, labels: model, value: 12884901888 }], value: 12 }],
              quiet: [{ series: [{ metric: kthenaModelMemoryUsage, labels: model, value: 4294967296 }] }],
            },
          },
          {
            alert: 'KthenaModelLoadFailure',
            expr: promql`sum by (model_id) (increase(${kthenaModelLoadFailuresTotal}[5m])) > 0`,
            for: '1m',
            severity: 'critical',
            summary: 'Model load failure',
            description: 'Model {{ $labels.model_id }} failed to load in the last 5 minutes.',
            tests: {
              firing: [{ series: [{ metric: kthenaModelLoadFailuresTotal, labels: model, rate: 0.05 }] }],
              quiet: [{ series: [{ metric: kthenaModelLoadFailuresTotal, labels: model, rate: 0 }] }],
            },
          },
          {
            alert: 'KthenaModelAccuracyDrop',
            expr: promql`min by (model_id) (${modelAccuracyScore}) < 0.85`,
            for: '10m',
            severity: 'warning',
            summary: 'Model accuracy drop detected',
            description: 'Model {{ $labels.model_id }} accuracy dropped to {{ $value | humanizePercentage }}.',
            tests: {
              firing: [{ series: [{ metric: modelAccuracyScore, labels: { ...model, version: 'v3', dataset: 'eval' }, value: 0.8 }], value: 0.8 }],
              quiet: [{ series: [{ metric: modelAccuracyScore, labels: { ...model, version: 'v3', dataset: 'eval' }, value: 0.93 }] }],
            },
          },
          {
            alert: 'KthenaAutoscalingNotWorking',
            expr: promql`(max by (namespace, deployment) (${kubeDeploymentStatusReplicas}{deployment=~".*-infer"}) >= max by (namespace, deployment) (${kubeDeploymentSpecReplicas}{deployment=~".*-infer"})) and on (deployment) label_replace(sum by (model_id) (rate(${kthenaInferenceRequestsTotal}[5m])) > 10, "deployment", "$1-infer", "model_id", "(.*)")`,
            for: '10m',
            severity: 'warning',
            summary: 'Autoscaling may not be working',
            description: 'Deployment {{ $labels.deployment }} has high load but is not scaling.',
            tests: {
              firing: [
                {
                  series: [
                    { metric: kubeDeploymentStatusReplicas, labels: deployment, value: 2 },
                    { metric: kubeDeploymentSpecReplicas, labels: deployment, value: 2 },
                    { metric: kthenaInferenceRequestsTotal, labels: { ...model, status: '200' }, rate: 25 },
                  ],
                },
              ],
              quiet: [
                {
                  series: [
                    { metric: kubeDeploymentStatusReplicas, labels: deployment, value: 2 },
                    { metric: kubeDeploymentSpecReplicas, labels: deployment, value: 2 },
                    { metric: kthenaInferenceRequestsTotal, labels: { ...model, status: '200' }, rate: 2 },
                  ],
                },
              ],
            },
          },
          ...throughput,
        ],
      },
      config,
      'alerts',
    ),
  );
});

const SERVER_ERROR = { re: '5..' } as const;

/** The Kthena integration guide's SLOs, on the metrics model servers really expose and with `{{.window}}` ranges. */
export const kthenaInferenceSlos = contentFactory('kthenaInferenceSlos', contentScopeSchema, (config: ContentScope) => {
  return defineSlos(scopeSlos({
    service: 'kthena',
    labels: { team: 'ml-ops', service: 'kthena' },
    options: { zeroTrafficGuard: true },
    slos: [
      {
        name: 'inference-availability',
        objective: 99.9,
        description: '99.9% of inference requests should be successful.',
        sli: {
          kind: 'ratio',
          errors: { metric: kthenaInferenceRequestsTotal, matchers: { status: SERVER_ERROR } },
          total: { metric: kthenaInferenceRequestsTotal },
        },
        alerting: { name: 'KthenaHighErrorRate', annotations: { summary: 'High error rate on Kthena inference requests' } },
      },
      {
        name: 'inference-latency',
        objective: 95,
        description: '95% of inference requests should complete within 1 second.',
        sli: { kind: 'latency', histogram: kthenaInferenceDuration, threshold: 1 },
        alerting: { name: 'KthenaHighLatency', annotations: { summary: 'High latency on Kthena inference requests' } },
      },
      {
        // The guide's error-rate SLI: failures the servers count themselves, over every request, below 0.1%.
        name: 'inference-error-rate',
        objective: 99.9,
        description: 'Fewer than 0.1% of inference requests should fail.',
        sli: {
          kind: 'ratio',
          errors: { metric: kthenaInferenceErrorsTotal },
          total: { metric: kthenaInferenceRequestsTotal },
        },
        alerting: { name: 'KthenaInferenceErrorBudgetBurn', annotations: { summary: 'Kthena inference requests fail faster than the 0.1% error budget allows' } },
      },
    ],
  }, config));
});
