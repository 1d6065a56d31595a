import type { Stack } from '../../src/model/stack.ts';
import { MANAGED_BY_LABEL, generatedHeader, k8sName } from '../../src/conventions.ts';
import { toYaml } from '../../src/emit/serialize.ts';
import { sortKeys } from '../../src/model/sort-keys.ts';

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

export interface RuleEnvelopes {
  /** A plain Prometheus rules file. */
  ruleFile: string;
  /** The same groups as a PrometheusRule CR. */
  prometheusRule: string;
}

/**
 * Both envelopes of one set of groups. The groups are serialised once and the CR embeds that text under
 * `spec:`, indented, which is byte for byte what serialising the nested object gives.
 */
export function ruleEnvelopes(
  name: string,
  groups: readonly OutputRuleGroup[],
  stack: Stack,
  sourceSpecs: readonly string[],
): RuleEnvelopes {
  const header = generatedHeader(stack, sourceSpecs);
  const groupsYaml = toYaml({ groups });
  const metadata = { name: k8sName(name), namespace: stack.namespace, labels: sortKeys(prometheusRuleLabels(stack)) };
  const envelope = toYaml({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata });
  const spec = groupsYaml.replace(/^(?=.)/gm, '  ');
  return { ruleFile: header + groupsYaml, prometheusRule: `${header}${envelope}spec:\n${spec}` };
}

/** The labels a generated PrometheusRule carries: the stack's rule selector plus the common labels. */
export function prometheusRuleLabels(stack: Stack): Record<string, string> {
  return { ...stack.commonLabels, ...MANAGED_BY_LABEL, ...stack.selectors.rules };
}
