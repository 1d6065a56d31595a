import type { Stack } from '../../src/model/stack.ts';
import { MANAGED_BY_LABEL, generatedHeader, k8sName } from '../../src/conventions.ts';
import { toYaml } from '../../src/emit/serialize.ts';
import { sortKeys } from '../../src/model/sort-keys.ts';
import type { Artifact } from '../../src/model/artifact.ts';
import type { SpecLocation } from '../../src/model/diagnostics.ts';
import { bytesWithItems, fitsLastApplied, goJsonBytes, objectSize, type KubernetesObjectSize } from '../../src/model/object-size.ts';

/**
 * Rule groups are built once and wrapped here: as a plain Prometheus rules file or as PrometheusRule CRs
 * carrying the labels the Prometheus CR's ruleSelector matches. A file's groups go into one
 * PrometheusRule while it fits client-side `kubectl apply`; above that, each group gets its own.
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
  /** The same groups as PrometheusRule CRs: the file body and each object's size. */
  prometheusRule: Pick<Artifact, 'body'> & { objects: KubernetesObjectSize[] };
}

interface PrometheusRuleEnvelope {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'PrometheusRule';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
}

function envelope(name: string, stack: Stack): PrometheusRuleEnvelope {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name, namespace: stack.namespace, labels: sortKeys(prometheusRuleLabels(stack)) },
  };
}

/**
 * One PrometheusRule document. The groups are serialised once and embedded under `spec:`, indented,
 * which is byte for byte what serialising the nested object gives.
 */
function prometheusRuleDocument(head: PrometheusRuleEnvelope, groupsYaml: string): string {
  return `${toYaml(head)}spec:\n${groupsYaml.replace(/^(?=.)/gm, '  ')}`;
}

/** Object names for one PrometheusRule per group, unique even where group names fold to one DNS label. */
function perGroupNames(name: string, groups: readonly OutputRuleGroup[]): string[] {
  const used = new Set<string>();
  return groups.map((group, i) => {
    let candidate = k8sName(name, group.name);
    if (used.has(candidate)) candidate = k8sName(name, group.name, String(i));
    used.add(candidate);
    return candidate;
  });
}

/**
 * Both envelopes of one set of groups. `at` gives each group's spec location (the first one stands for
 * a CR holding several groups); without it, sizes point at the first source spec.
 */
export function ruleEnvelopes(
  name: string,
  groups: readonly OutputRuleGroup[],
  stack: Stack,
  sourceSpecs: readonly string[],
  at: readonly SpecLocation[] = [],
): RuleEnvelopes {
  const header = generatedHeader(stack, sourceSpecs);
  const where = (i: number): SpecLocation => at[i] ?? at[0] ?? { file: sourceSpecs[0] ?? '', path: '' };
  const groupBytes = groups.map((g) => goJsonBytes(g));
  const emptyBytes = (head: PrometheusRuleEnvelope) => goJsonBytes({ ...head, spec: { groups: [] } });

  const whole = envelope(k8sName(name), stack);
  const wholeSize = objectSize(whole, where(0), bytesWithItems(emptyBytes(whole), groupBytes));
  if (groups.length <= 1 || fitsLastApplied(wholeSize)) {
    const groupsYaml = toYaml({ groups });
    return { ruleFile: header + groupsYaml, prometheusRule: { body: header + prometheusRuleDocument(whole, groupsYaml), objects: [wholeSize] } };
  }

  const names = perGroupNames(name, groups);
  const documents: string[] = [];
  const items: string[] = [];
  const objects: KubernetesObjectSize[] = [];
  groups.forEach((group, i) => {
    const head = envelope(names[i]!, stack);
    const groupYaml = toYaml({ groups: [group] });
    documents.push(prometheusRuleDocument(head, groupYaml));
    items.push(groupYaml.slice(GROUPS_KEY.length));
    objects.push(objectSize(head, where(i), bytesWithItems(emptyBytes(head), [groupBytes[i]!])));
  });
  // A block sequence is its items one after another, so the file reuses each group's text.
  return { ruleFile: `${header}${GROUPS_KEY}${items.join('')}`, prometheusRule: { body: header + documents.join('---\n'), objects } };
}

const GROUPS_KEY = 'groups:\n';

/** The labels a generated PrometheusRule carries: the stack's rule selector plus the common labels. */
export function prometheusRuleLabels(stack: Stack): Record<string, string> {
  return { ...stack.commonLabels, ...MANAGED_BY_LABEL, ...stack.selectors.rules };
}
