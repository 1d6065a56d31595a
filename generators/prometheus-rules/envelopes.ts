import { ruleKeptLabels, type Stack } from '../../src/model/stack.ts';
import { MANAGED_BY_LABEL, OUT, k8sName } from '../../src/conventions.ts';
import { keepLabels } from '../../src/promql/keep-labels.ts';
import { sortKeys } from '../../src/model/sort-keys.ts';
import { fileHeader, type Artifact, type FileHeader, type YamlArtifact, type YamlDocumentsArtifact } from '../../src/model/artifact.ts';
import type { SpecLocation } from '../../src/model/diagnostics.ts';
import { fitsLastAppliedWithItems, goJsonBytes } from '../../src/model/object-size.ts';

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
  query_offset?: string;
  limit?: number;
  /** Thanos Ruler only: `abort` or `warn` when a store does not answer. */
  partial_response_strategy?: 'abort' | 'warn';
  rules: OutputRule[];
}

export interface RuleEnvelopes {
  /** A plain Prometheus rules file. */
  ruleFile: Omit<YamlArtifact, 'path'>;
  /** The same groups in the global ruler's own file format, where it differs from Prometheus'. */
  rulerFile?: Artifact;
  /** The same groups as PrometheusRule CRs, each with the spec its groups came from. */
  prometheusRules: Omit<YamlDocumentsArtifact, 'path'>;
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
  const header = fileHeader(stack, sourceSpecs);
  const fileGroups = keepClusterLabels(groups, stack);
  const crGroups = withPartialResponse(fileGroups, stack);
  const rulerFile = globalRulerFile(name, crGroups, stack, header);
  const ruleFile = { format: 'yaml' as const, document: { groups: fileGroups }, header };
  const where = (i: number): SpecLocation => at[i] ?? at[0] ?? { file: sourceSpecs[0] ?? '', path: '' };
  const document = (head: PrometheusRuleEnvelope, of: readonly OutputRuleGroup[]) => ({ ...head, spec: { groups: of } });

  const whole = envelope(k8sName(name), stack);
  if (crGroups.length <= 1 || fitsLastAppliedWithItems(whole, goJsonBytes(document(whole, [])), crGroups)) {
    const prometheusRules = { format: 'yaml-documents' as const, documents: [document(whole, crGroups)], header, origins: [where(0)] };
    return { ruleFile, prometheusRules, ...(rulerFile ? { rulerFile } : {}) };
  }

  const names = perGroupNames(name, crGroups);
  const prometheusRules = {
    format: 'yaml-documents' as const,
    documents: crGroups.map((group, i) => document(envelope(names[i]!, stack), [group])),
    header,
    origins: crGroups.map((_, i) => where(i)),
  };
  return { ruleFile, prometheusRules, ...(rulerFile ? { rulerFile } : {}) };
}

/** Above the clusters, every expression keeps the cluster labels (see `keepLabels`). */
function keepClusterLabels(groups: readonly OutputRuleGroup[], stack: Stack): readonly OutputRuleGroup[] {
  const labels = ruleKeptLabels(stack);
  if (labels.length === 0) return groups;
  return groups.map((g) => ({ ...g, rules: g.rules.map((r) => ({ ...r, expr: keepLabels(r.expr, labels) })) }));
}

/** Thanos Ruler reads `partial_response_strategy` per group, from its files and from PrometheusRule CRs alike. */
function withPartialResponse(groups: readonly OutputRuleGroup[], stack: Stack): readonly OutputRuleGroup[] {
  if (stack.global?.ruler !== 'thanos') return groups;
  const strategy = stack.global.partialResponseStrategy;
  return groups.map(({ rules, ...fields }) => ({ ...fields, partial_response_strategy: strategy, rules }));
}

/**
 * The rule file of a global ruler whose format differs from Prometheus': Thanos Ruler's groups carry
 * `partial_response_strategy` (which `promtool check rules` rejects); `mimirtool rules load` takes the
 * Mimir namespace from the file's `namespace` key, here the file's name.
 */
function globalRulerFile(name: string, groups: readonly OutputRuleGroup[], stack: Stack, header: FileHeader): Artifact | undefined {
  switch (stack.global?.ruler) {
    case 'thanos':
      return { path: `${OUT.thanosRules}/${name}.yml`, format: 'yaml', document: { groups }, header };
    case 'mimir':
      return { path: `${OUT.mimirRules}/${name}.yml`, format: 'yaml', document: { namespace: name, groups }, header };
    default:
      return undefined;
  }
}

/** The labels a generated PrometheusRule carries: the stack's rule selector plus the common labels. */
export function prometheusRuleLabels(stack: Stack): Record<string, string> {
  return { ...stack.commonLabels, ...MANAGED_BY_LABEL, ...stack.selectors.rules };
}
