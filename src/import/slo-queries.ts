import type { MetricSpec } from '../model/catalog.ts';
import type { Matchers, SliSpec } from '../model/slo.ts';
import { toExpr, unwrap, type Expr, type LabelMatcher, type SelectorExpr } from '../promql/ast.ts';
import { parsePromQL } from '../promql/parse.ts';
import { WINDOW } from '../slo/sli.ts';
import { catalogMetric } from './catalog-refs.ts';

/**
 * Event queries of other SLO tools → infermon SLIs. A query over a catalog counter in the form every tool
 * writes (`sum(rate(x{...}[5m]))`) becomes a counter selector, a bucket/count pair of a catalog histogram
 * a latency SLI; anything else stays PromQL with its range turned into Sloth's `{{.window}}`.
 */

type Events = Extract<SliSpec, { kind: 'ratio' }>['errors'];

/** Why a grouped objective over anything but `sum by (…) (rate(<catalog counter>[…]))` is not imported. */
export const GROUPED_NEEDS_COUNTERS =
  'a grouped SLO needs its events as `sum by (<group>) (rate(<catalog counter>{…}[range]))` or a catalog histogram; infermon writes the `sum by` of every window itself';

function parsed(query: string): Expr | undefined {
  const p = parsePromQL(query);
  return p.error ? undefined : toExpr(p);
}

function matcherOf(m: LabelMatcher): Matchers[string] {
  if (m.op === '=') return m.value;
  if (m.op === '!=') return { ne: m.value };
  if (m.op === '=~') return { re: m.value };
  return { nre: m.value };
}

const matchersOf = (ms: readonly LabelMatcher[]): Matchers => Object.fromEntries(ms.map((m) => [m.label, matcherOf(m)]));

/** The selector of `sum(rate(<selector>[range]))` (or `sum by (…)`), the range in ms, the grouping labels. */
function summedRate(query: string): { selector: SelectorExpr; rangeMs: number; groupBy: string[] } | undefined {
  const e = parsed(query);
  if (!e) return undefined;
  const sum = unwrap(e);
  if (sum.kind !== 'aggregate' || sum.op !== 'sum' || sum.args.length !== 1) return undefined;
  if (sum.grouping && (sum.grouping.mode !== 'by' || sum.grouping.variable)) return undefined;
  const rate = unwrap(sum.args[0]!);
  if (rate.kind !== 'call' || rate.fn !== 'rate' || rate.args.length !== 1 || rate.args[0]!.kind !== 'matrix') return undefined;
  const matrix = rate.args[0]!;
  if (matrix.kind !== 'matrix' || matrix.expr.kind !== 'selector' || matrix.range.ms === undefined || matrix.expr.variable) return undefined;
  return { selector: matrix.expr, rangeMs: matrix.range.ms, groupBy: sum.grouping?.labels ?? [] };
}

const sameLabels = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((l) => b.includes(l));

/**
 * `{metric, matchers}` when the query is `sum(rate(<catalog counter>{...}[range]))`, or for a grouped SLO
 * `sum by (<its group labels>) (…)`: infermon writes the `sum by` of every window itself.
 */
export function counterSelector(query: string, groupBy: readonly string[] = []): { metric: MetricSpec; matchers: Matchers } | undefined {
  const found = summedRate(query);
  const metric = found?.selector.metric === undefined ? undefined : catalogMetric(found.selector.metric);
  if (!found || !metric || metric.type !== 'counter' || !sameLabels(found.groupBy, groupBy)) return undefined;
  return { metric, matchers: matchersOf(found.selector.matchers) };
}

/** A latency SLI when `good` counts a catalog histogram's bucket and `total` its count, same matchers. */
export function latencySli(good: string, total: string, groupBy: readonly string[] = []): Extract<SliSpec, { kind: 'latency' }> | undefined {
  const g = summedRate(good);
  const t = summedRate(total);
  if (!g || !t || !sameLabels(g.groupBy, groupBy) || !sameLabels(t.groupBy, groupBy) || !g.selector.metric?.endsWith('_bucket') || !t.selector.metric?.endsWith('_count')) return undefined;
  const family = g.selector.metric.slice(0, -'_bucket'.length);
  const metric = catalogMetric(family);
  if (!metric || metric.type !== 'histogram' || t.selector.metric !== `${family}_count` || g.rangeMs !== t.rangeMs) return undefined;
  const le = g.selector.matchers.filter((m) => m.label === 'le');
  if (le.length !== 1 || le[0]!.op !== '=') return undefined;
  const threshold = Number(le[0]!.value);
  if (!Number.isFinite(threshold)) return undefined;
  const matchers = matchersOf(g.selector.matchers.filter((m) => m.label !== 'le'));
  if (JSON.stringify(matchers) !== JSON.stringify(matchersOf(t.selector.matchers))) return undefined;
  return Object.keys(matchers).length > 0 ? { kind: 'latency', histogram: metric, matchers, threshold } : { kind: 'latency', histogram: metric, threshold };
}

/**
 * The query as a Sloth window template: every range (`[5m]`) becomes `[{{.window}}]`. All ranges must be
 * equal, or the query does not measure one window; subqueries are refused for the same reason.
 */
export function windowTemplate(query: string): { template: string } | { why: string } {
  const e = parsed(query);
  if (!e) return { why: 'the query does not parse as PromQL' };
  const ranges: Array<{ from: number; to: number; ms: number | undefined }> = [];
  const visit = (n: Expr): void => {
    if (n.kind === 'subquery') ranges.push({ from: -1, to: -1, ms: undefined });
    if (n.kind === 'matrix') ranges.push({ from: n.range.from, to: n.range.to, ms: n.range.ms });
    if (n.kind === 'matrix' || n.kind === 'subquery' || n.kind === 'wrapped') visit(n.expr);
    if (n.kind === 'call' || n.kind === 'aggregate') n.args.forEach(visit);
    if (n.kind === 'binary') {
      visit(n.lhs);
      visit(n.rhs);
    }
  };
  visit(e);
  if (ranges.length === 0) return { why: 'the query has no range, so it cannot follow the burn-rate windows' };
  if (ranges.some((r) => r.ms === undefined)) return { why: 'a subquery or a variable range cannot follow the burn-rate windows' };
  if (new Set(ranges.map((r) => r.ms)).size > 1) return { why: `the query mixes ranges (${ranges.map((r) => query.slice(r.from, r.to)).join(', ')}), so it measures no single window` };
  let out = '';
  let at = 0;
  for (const r of [...ranges].sort((a, b) => a.from - b.from)) {
    out += `${query.slice(at, r.from)}${WINDOW}`;
    at = r.to;
  }
  return { template: out + query.slice(at) };
}

/**
 * A ratio SLI side from a query: a counter selector when it is one, else its window template. A grouped
 * SLO takes counter selectors only (infermon writes its `sum by` in every window).
 */
export function eventsOf(query: string, groupBy: readonly string[] = []): { events: Events } | { why: string } {
  const selector = counterSelector(query, groupBy);
  if (selector) return { events: Object.keys(selector.matchers).length > 0 ? selector : { metric: selector.metric } };
  if (groupBy.length > 0) return { why: GROUPED_NEEDS_COUNTERS };
  const t = windowTemplate(query);
  return 'why' in t ? t : { events: t.template };
}

/** `query` with every vector selector read as a per-second rate over the window (`counter: true` metrics). */
export function ratedOverWindow(query: string): string | undefined {
  const e = parsed(query);
  if (!e) return undefined;
  const selectors: SelectorExpr[] = [];
  const visit = (n: Expr): void => {
    if (n.kind === 'selector') selectors.push(n);
    if (n.kind === 'wrapped') visit(n.expr);
    if (n.kind === 'call' || n.kind === 'aggregate') n.args.forEach(visit);
    if (n.kind === 'binary') {
      visit(n.lhs);
      visit(n.rhs);
    }
  };
  visit(e);
  if (selectors.length === 0) return undefined;
  // A bare counter counts the events of all its series, as `sum(rate(...))` does.
  if (unwrap(e).kind === 'selector') return `sum(rate(${query.trim()}[5m]))`;
  let out = '';
  let at = 0;
  for (const s of selectors.sort((a, b) => a.from - b.from)) {
    out += `${query.slice(at, s.from)}rate(${query.slice(s.from, s.to)}[5m])`;
    at = s.to;
  }
  return out + query.slice(at);
}
