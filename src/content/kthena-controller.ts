import { z } from 'zod';
import { kubeDeploymentStatusReplicasAvailable } from '../catalog/kubernetes.ts';
import { promql } from '../model/rules.ts';
import { defineRuleGroup } from '../model/spec.ts';
import { scopeRuleGroup, type AlertScope } from './scope.ts';
import { alertScopeFields, contentFactory } from './options.ts';

export interface KthenaControllerAlertsConfig extends AlertScope {
  /** Namespace of the Kthena release; the installation guide uses kthena-system. */
  namespace?: string;
  /** The controller-manager Deployment the `kthena` chart creates. */
  deployment?: string;
}

const kthenaControllerAlertsConfigSchema = z.strictObject({
  ...alertScopeFields,
  namespace: z.string().min(1).optional(),
  deployment: z.string().min(1).optional(),
});

/**
 * The Kthena controllers (ModelServing, ModelBooster, autoscaler) run in one controller-manager, which
 * serves no /metrics: volcano-sh/kthena v1.0.0 cmd/kthena-controller-manager listens only on its webhook
 * port 8443 (/healthz), and the chart's Deployment declares no other port. The integration guide's
 * `kthena-controllers` scrape of :8080 finds nothing, so the controllers are watched through the
 * Deployment kube-state-metrics reports: no available replica means no reconciliation, no scaling, and
 * rejected admissions of Kthena resources.
 */
export const kthenaControllerAlerts = contentFactory('kthenaControllerAlerts', kthenaControllerAlertsConfigSchema, (config: KthenaControllerAlertsConfig) => {
  const { namespace = 'kthena-system', deployment = 'kthena-controller-manager' } = config;
  const target = { namespace, deployment };
  return defineRuleGroup(
    scopeRuleGroup(
      {
        name: 'kthena-controller.alerts',
        team: 'inference-platform',
        service: 'kthena-controller-manager',
        rules: [
          {
            alert: 'KthenaControllerManagerUnavailable',
            expr: promql`max by (namespace, deployment) (${kubeDeploymentStatusReplicasAvailable}{namespace="${namespace}", deployment="${deployment}"}) < 1 or absent(${kubeDeploymentStatusReplicasAvailable}{namespace="${namespace}", deployment="${deployment}"})`,
            for: '5m',
            severity: 'warning',
            summary: 'Kthena controller-manager has no available replica',
            description: `Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has had no available replica for 5 minutes, or kube-state-metrics reports no such Deployment: ModelServing, ModelBooster and autoscaling changes are not reconciled, and the admission webhooks reject Kthena resources.`,
            runbook: {
              meaning:
                'The Kthena controllers are not running. Serving continues on the pods that exist, but nothing Kthena manages changes: new or edited ModelServings and ModelBoosters are not rolled out, autoscaling stops, and creating or updating Kthena resources fails at the admission webhooks.',
              firstChecks: [
                `Is the Deployment there and why are its pods not ready? \`kubectl -n ${namespace} get deployment ${deployment}\`, then \`kubectl -n ${namespace} describe pods -l app.kubernetes.io/component=kthena-controller-manager\`.`,
                `Why did it stop? \`kubectl -n ${namespace} logs deployment/${deployment} --tail=100\` (add \`--previous\` after a restart); a missing webhook certificate Secret keeps the webhook server from starting.`,
                'If the Deployment exists and is ready, check that kube-state-metrics is scraped: the alert also fires when its series are absent.',
              ],
              queries: [{ title: 'Available replicas of the controller-manager', promql: `${kubeDeploymentStatusReplicasAvailable.name}{namespace="${namespace}", deployment="${deployment}"}` }],
            },
            tests: {
              firing: [
                { description: 'no replica is available', series: [{ metric: kubeDeploymentStatusReplicasAvailable, labels: target, value: 0 }] },
                // absent() keeps the selector's equality matchers as labels.
                { description: 'kube-state-metrics reports no such Deployment', series: [], labels: target },
              ],
              quiet: [{ description: 'one replica is available', series: [{ metric: kubeDeploymentStatusReplicasAvailable, labels: target, value: 1 }] }],
            },
          },
        ],
      },
      config,
      'alerts',
    ),
  );
});
