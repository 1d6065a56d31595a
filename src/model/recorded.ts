import { outputLabels, referencedMetrics } from '../promql/analyze.ts';
import { Catalog, RECORDING_RULES_SOURCE } from './catalog-index.ts';
import type { LabelSpec, Metric } from './catalog.ts';
import type { RuleGroup } from './alert-rule.ts';

/**
 * Recording rules become catalog entries, so rules and dashboards built on them are checked like any
 * other query. The output labels are inferred from the expression; each keeps the value kind it has on
 * the input metrics (an enum stays an enum), and static rule labels become single-value enums.
 */
export function recordedMetrics(ruleLists: ReadonlyArray<readonly RuleGroup['rules'][number][]>, base: Catalog): Metric[] {
  let catalog = base;
  const recorded: Metric[] = [];
  for (const rules of ruleLists) {
    for (const rule of rules) {
      if (!('record' in rule)) continue;
      const metric = recordedMetric(rule.record, rule.expr, rule.labels, rule.help, rule.unit, catalog);
      recorded.push(metric);
      catalog = catalog.withRecorded([metric]);
    }
  }
  return recorded;
}

export function recordedMetric(
  name: string,
  expr: string,
  staticLabels: Record<string, string>,
  help: string | undefined,
  unit: string | undefined,
  catalog: Catalog,
): Metric {
  const inputs = referencedMetrics(expr)
    .map((n) => catalog.lookupSeries(n))
    .filter((x) => x !== undefined);
  const labels: Record<string, LabelSpec> = {};
  for (const l of outputLabels(expr, catalog).labels) {
    if (catalog.extraLabels.has(l)) continue;
    const kinds = inputs.map((i) => catalog.labelOf(i.metric, l, i.suffix)).filter((x) => x !== undefined);
    labels[l] = kinds[0] ?? { kind: 'bounded' };
  }
  for (const [k, v] of Object.entries(staticLabels)) labels[k] = { kind: 'enum', values: [v] };
  return {
    name,
    type: 'gauge',
    help: help ?? `Recorded: ${expr}`,
    unit: unit ?? 'none',
    labels,
    source: RECORDING_RULES_SOURCE,
  };
}

