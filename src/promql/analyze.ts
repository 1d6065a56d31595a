import type { Catalog } from '../model/catalog-index.ts';
import { selectorsIn, toExpr, type Expr, type MatchOp } from './ast.ts';
import { SELECTING_AGGREGATIONS, AGGREGATION_PARAMETER, FUNCTION_SIGNATURES, vectorArgumentIndex } from './functions.ts';
import { parsePromQL } from './parse.ts';

/**
 * What a query touches and what its result looks like: the metric names it selects, its matchers, and the
 * labels its result series carry. Queries with Grafana variables are read with the variables standing in
 * for unknown parts.
 */

export interface LabelSet {
  labels: Set<string>;
  /** The set is exactly the labels the result carries; false when part of the query is unknown. */
  exact: boolean;
  /** The result is a scalar or string (no labels at all). */
  scalar: boolean;
}

const UNKNOWN: LabelSet = { labels: new Set(), exact: false, scalar: false };

function vectorOf(labels: Iterable<string>, exact: boolean): LabelSet {
  return { labels: new Set(labels), exact, scalar: false };
}

function scalarSet(): LabelSet {
  return { labels: new Set(), exact: true, scalar: true };
}

function stringArg(e: Expr | undefined): string | undefined {
  return e?.kind === 'string' ? e.value : undefined;
}

function callLabels(e: Extract<Expr, { kind: 'call' }>, catalog: Catalog): LabelSet {
  const signature = FUNCTION_SIGNATURES[e.fn];
  if (signature?.returns === 'scalar') return scalarSet();
  if (e.fn === 'vector') return vectorOf([], true);
  if (e.fn === 'absent' || e.fn === 'absent_over_time') {
    // absent() returns one series with the labels of the selector's equality matchers.
    const inner = e.args[0] ? unwrapToSelector(e.args[0]) : undefined;
    if (!inner) return vectorOf([], e.args[0] !== undefined && e.args[0].kind !== 'opaque');
    return vectorOf(inner.matchers.filter((m) => m.op === '=').map((m) => m.label), !inner.variable);
  }
  const arg = e.args[vectorArgumentIndex(e.fn)];
  // hour(), minute() and the like read vector(time()) when called without an argument.
  if (!arg) return signature && signature.args.length === signature.optional ? vectorOf([], true) : UNKNOWN;
  const inner = labelsOf(arg, catalog);
  if (e.fn === 'label_replace' || e.fn === 'label_join') {
    const target = stringArg(e.args[1]);
    if (target === undefined) return { ...inner, exact: false };
    const labels = new Set(inner.labels);
    labels.add(target);
    return vectorOf(labels, inner.exact);
  }
  if (e.fn === 'histogram_quantile') {
    const labels = new Set(inner.labels);
    labels.delete('le');
    return vectorOf(labels, inner.exact);
  }
  if (e.fn === 'info' || e.fn === 'histogram_quantiles' || !signature) return { ...inner, exact: false, scalar: false };
  return { ...inner, scalar: false };
}

function unwrapToSelector(e: Expr): Extract<Expr, { kind: 'selector' }> | undefined {
  let cur = e;
  while (cur.kind === 'wrapped' || cur.kind === 'matrix') cur = cur.expr;
  return cur.kind === 'selector' ? cur : undefined;
}

function aggregateLabels(e: Extract<Expr, { kind: 'aggregate' }>, catalog: Catalog): LabelSet {
  const arg = e.args[AGGREGATION_PARAMETER[e.op] ? 1 : 0];
  const inner = arg ? labelsOf(arg, catalog) : UNKNOWN;
  if (SELECTING_AGGREGATIONS.has(e.op)) return { ...inner, scalar: false };
  const extra = e.op === 'count_values' ? stringArg(e.args[0]) : undefined;
  const add = (s: Set<string>): Set<string> => (extra === undefined ? s : new Set([...s, extra]));
  const g = e.grouping;
  if (!g) return vectorOf(add(new Set()), !(e.op === 'count_values' && extra === undefined));
  if (g.mode === 'by') {
    const kept = inner.exact ? g.labels.filter((l) => inner.labels.has(l)) : g.labels;
    return vectorOf(add(new Set(kept)), !g.variable);
  }
  const labels = new Set(inner.labels);
  for (const l of g.labels) labels.delete(l);
  return vectorOf(add(labels), inner.exact && !g.variable);
}

function binaryLabels(e: Extract<Expr, { kind: 'binary' }>, catalog: Catalog): LabelSet {
  const lhs = labelsOf(e.lhs, catalog);
  const rhs = labelsOf(e.rhs, catalog);
  if (lhs.scalar && rhs.scalar) return scalarSet();
  if (rhs.scalar) return lhs;
  if (lhs.scalar) return rhs;
  if (e.op === 'and' || e.op === 'unless') return lhs;
  if (e.op === 'or') return vectorOf([...lhs.labels, ...rhs.labels], lhs.exact && rhs.exact);
  const m = e.matching;
  if (m?.group === 'left' || m?.group === 'right') {
    const many = m.group === 'left' ? lhs : rhs;
    return vectorOf([...many.labels, ...m.include], many.exact && !m.variable);
  }
  if (m?.mode === 'on') return vectorOf(lhs.exact ? m.labels.filter((l) => lhs.labels.has(l)) : m.labels, !m.variable);
  if (m?.mode === 'ignoring') return vectorOf([...lhs.labels].filter((l) => !m.labels.includes(l)), lhs.exact && !m.variable);
  return lhs;
}

/** The labels the result of `e` carries, from the catalog's label sets of the selected metrics. */
export function labelsOf(e: Expr, catalog: Catalog): LabelSet {
  switch (e.kind) {
    case 'selector': {
      const found = e.metric === undefined ? undefined : catalog.lookupSeries(e.metric);
      if (!found || e.variable) return vectorOf(e.matchers.filter((m) => m.op === '=' && m.value !== '').map((m) => m.label), false);
      return vectorOf(catalog.labelNames(found.metric, found.suffix), true);
    }
    case 'matrix':
    case 'subquery':
    case 'wrapped':
      return labelsOf(e.expr, catalog);
    case 'call':
      return callLabels(e, catalog);
    case 'aggregate':
      return aggregateLabels(e, catalog);
    case 'binary':
      return e.op === '' ? UNKNOWN : binaryLabels(e, catalog);
    case 'number':
    case 'string':
      return scalarSet();
    case 'opaque':
      return UNKNOWN;
  }
}

// The same expression is analysed by several checks and generators; parsing dominates their cost.
const ANALYSED_CACHE_LIMIT = 50_000;
const analysedCache = new Map<string, Expr | undefined>();

function analysed(expr: string): Expr | undefined {
  if (analysedCache.has(expr)) return analysedCache.get(expr);
  const parsed = parsePromQL(expr);
  const result = parsed.error ? undefined : toExpr(parsed);
  if (analysedCache.size >= ANALYSED_CACHE_LIMIT) analysedCache.clear();
  analysedCache.set(expr, result);
  return result;
}

/** Metric names of the query's vector selectors, in order of first appearance. */
export function referencedMetrics(expr: string): string[] {
  const e = analysed(expr);
  if (!e) return [];
  return [...new Set(selectorsIn(e).flatMap((s) => (s.metric === undefined ? [] : [s.metric])))];
}

/** Every vector selector with its metric name (empty when it has none) and label matchers. */
export function selectors(expr: string): Array<{ metric: string; matchers: Array<{ label: string; op: MatchOp; value: string }> }> {
  const e = analysed(expr);
  if (!e) return [];
  return selectorsIn(e).map((s) => ({
    metric: s.metric ?? '',
    matchers: s.matchers.map((m) => ({ label: m.label, op: m.op, value: m.value })),
  }));
}

/**
 * The labels the query's result series can carry, sorted. `exact` is false when part of the query
 * (an unknown metric, a Grafana variable, a syntax error) leaves the set open.
 */
export function outputLabels(expr: string, catalog: Catalog): { labels: string[]; exact: boolean } {
  const e = analysed(expr);
  if (!e) return { labels: [], exact: false };
  const result = labelsOf(e, catalog);
  return { labels: [...result.labels].sort(), exact: result.exact };
}
