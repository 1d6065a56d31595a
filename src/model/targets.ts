import { z } from 'zod';

/**
 * What the cluster runs, so only the artifacts it consumes are written and every kustomization applies
 * to a cluster holding just the CRDs the chosen targets bring. Rule files and their promtool tests, the
 * Sloth specs, alertmanager.yml with its route tests, and the dashboard JSON are written whatever is
 * chosen: CI checks them, and they are the interchange formats.
 */

/**
 * - `kube-prometheus-stack`: prometheus-operator CRs plus values for the chart's Prometheus, Alertmanager
 *   and Grafana;
 * - `prometheus-operator`: the CRs alone, for an operator installed some other way;
 * - `plain`: prometheus.yml for a Prometheus that reads files.
 */
export const PROMETHEUS_TARGETS = ['kube-prometheus-stack', 'prometheus-operator', 'plain'] as const;
export type PrometheusTarget = (typeof PROMETHEUS_TARGETS)[number];

/** `native`: infermon writes the SLO rules; `sloth-operator`: PrometheusServiceLevel CRs, and Sloth writes them. */
export const SLO_TARGETS = ['native', 'sloth-operator'] as const;

/**
 * `plain`: loki.yaml and ruler files for a Loki you configure; `helm`: ruler rules as ConfigMaps for the
 * grafana/loki chart's rules sidecar, plus the chart values that load them.
 */
export const LOKI_TARGETS = ['plain', 'helm'] as const;

export const LOG_SHIPPERS = ['alloy', 'promtail'] as const;

const OPERATOR_TARGETS: readonly PrometheusTarget[] = ['kube-prometheus-stack', 'prometheus-operator'];

export const DEFAULT_TARGETS = {
  prometheus: ['kube-prometheus-stack', 'plain'] as PrometheusTarget[],
  slo: 'native' as const,
  loki: 'plain' as const,
  logShippers: ['alloy', 'promtail'] as Array<(typeof LOG_SHIPPERS)[number]>,
};

export const targetsSchema = z
  .strictObject({
    prometheus: z.array(z.enum(PROMETHEUS_TARGETS)).min(1).default(DEFAULT_TARGETS.prometheus),
    slo: z.enum(SLO_TARGETS).default(DEFAULT_TARGETS.slo),
    loki: z.enum(LOKI_TARGETS).default(DEFAULT_TARGETS.loki),
    logShippers: z.array(z.enum(LOG_SHIPPERS)).default(DEFAULT_TARGETS.logShippers),
  })
  .superRefine((targets, ctx) => {
    const operators = targets.prometheus.filter((t) => OPERATOR_TARGETS.includes(t));
    if (operators.length > 1)
      ctx.addIssue({
        code: 'custom',
        path: ['prometheus'],
        message: 'kube-prometheus-stack already runs prometheus-operator: name one of the two',
      });
    if (targets.slo === 'sloth-operator' && operators.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['slo'],
        message: 'the Sloth operator writes PrometheusRules, so it needs prometheus-operator: add `kube-prometheus-stack` or `prometheus-operator` to targets.prometheus, or use `native`',
      });
  });
export type TargetsSpec = z.input<typeof targetsSchema>;
export type Targets = z.output<typeof targetsSchema>;

/** prometheus-operator CRs (PrometheusRule, ServiceMonitor, PodMonitor, AlertmanagerConfig) are applied. */
export function runsPrometheusOperator(targets: Targets): boolean {
  return targets.prometheus.some((t) => OPERATOR_TARGETS.includes(t));
}

export function runsKubePrometheusStack(targets: Targets): boolean {
  return targets.prometheus.includes('kube-prometheus-stack');
}

export function runsPlainPrometheus(targets: Targets): boolean {
  return targets.prometheus.includes('plain');
}

/** PrometheusServiceLevel CRs are applied and the Sloth operator writes the SLO rules. */
export function runsSlothOperator(targets: Targets): boolean {
  return targets.slo === 'sloth-operator';
}

/** infermon's own SLO rules go into the cluster as PrometheusRules. */
export function appliesNativeSloRules(targets: Targets): boolean {
  return targets.slo === 'native' && runsPrometheusOperator(targets);
}
