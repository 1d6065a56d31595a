import type { Stack } from '../../src/model/stack.ts';
import { MANAGED_BY_LABEL, generatedHeader, k8sName } from '../../src/conventions.ts';
import { toYaml } from '../../src/emit/serialize.ts';

/**
 * Rule groups are built once and wrapped here: as a plain Prometheus rules file or as a PrometheusRule CR
 * carrying the labels the Prometheus CR's ruleSelector matches.
 */
export interface OutputRule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface OutputRuleGroup {
  name: string;
  interval?: string;
  rules: OutputRule[];
}

export function ruleFileBody(groups: readonly OutputRuleGroup[], sourceSpecs: readonly string[]): string {
  return toYaml({ groups }, generatedHeader(sourceSpecs));
}

/** The labels a generated PrometheusRule carries: the stack's rule selector plus the common labels. */
export function prometheusRuleLabels(stack: Stack): Record<string, string> {
  return { ...stack.commonLabels, ...MANAGED_BY_LABEL, ...stack.selectors.rules };
}

export function prometheusRuleBody(
  name: string,
  groups: readonly OutputRuleGroup[],
  stack: Stack,
  sourceSpecs: readonly string[],
): string {
  const cr = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: k8sName(name), namespace: stack.namespace, labels: sortedRecord(prometheusRuleLabels(stack)) },
    spec: { groups },
  };
  return toYaml(cr, generatedHeader(sourceSpecs));
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
