import type { Catalog } from '../model/catalog-index.ts';
import type { Metric } from '../model/catalog.ts';
import { outputLabels } from '../promql/analyze.ts';
import { selectorsIn, toExpr, unwrap, walk, type Expr, type SelectorExpr } from '../promql/ast.ts';
import { literalAlternatives } from '../promql/label-values.ts';
import { parsePromQL } from '../promql/parse.ts';
import { catalogExport } from './catalog-refs.ts';
import { NotSteady, evaluateSteady, matches, type Labels, type SteadySeries } from './steady-state.ts';
import { Code, type LiteralValue } from './ts-literal.ts';

/**
 * promtool scenarios for an imported alert, found rather than written: one steady series per selector of
 * the expression (labels chosen to satisfy its matchers, types from the catalog), then the first levels
 * that make the alert fire and the first that keep it quiet while the data is there.
 */

export type RecordedRules = ReadonlyMap<string, { expr: string; labels: Labels }>;

export type SynthesisedTests = { firing: LiteralValue[]; quiet: LiteralValue[] } | { reason: string };

const GENERIC = [0, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256, 1024, 4096, 65536];
const BYTES = [0, 1024, 2 ** 20, 2 ** 26, 2 ** 30, 2 ** 32, 2 ** 34, 2 ** 36, 2 ** 40];
const BOUNDED: Record<string, number[]> = { ratio: [0, 0.25, 0.5, 0.75, 1], percent: [0, 25, 50, 75, 100] };
/** Combinations tried before giving up; the search is exhaustive below it. */
const SEARCH_LIMIT = 60_000;

interface Shape {
  metric: Metric;
  labels: Labels;
  levels: number[];
}

function levelsOf(metric: Metric): number[] {
  if (metric.type === 'histogram') {
    const b = metric.buckets ?? [];
    if (b.length === 0) return [1];
    return [b[0]! / 2, ...b.slice(1).map((x, i) => (x + b[i]!) / 2), b[b.length - 1]! * 2];
  }
  if (metric.unit === 'bytes') return BYTES;
  if (metric.type === 'gauge') return BOUNDED[metric.unit] ?? GENERIC;
  return GENERIC.slice(0, 11);
}

/** A value satisfying a regex matcher: an enum value, else a literal alternative with `.` as `0`. */
function regexValue(regex: string, enumValues: readonly string[] | undefined): string | undefined {
  const fromEnum = enumValues?.find((v) => matches({ op: '=~', value: regex }, v));
  if (fromEnum !== undefined) return fromEnum;
  const alternative = literalAlternatives(regex)?.[0]?.literal;
  return alternative?.replace(/\./g, '0');
}

function selectorLabels(selector: SelectorExpr, metric: Metric, keep: readonly string[]): Labels | string {
  const labels: Labels = {};
  for (const m of selector.matchers) {
    if (m.label === 'le') continue;
    const values = metric.labels[m.label]?.values;
    if (m.op === '=' && m.value !== '') labels[m.label] = m.value;
    else if (m.op === '=~') {
      const v = regexValue(m.value, values);
      if (v !== undefined && v !== '') labels[m.label] = v;
    } else if (m.op === '!=' || m.op === '!~') {
      const v = values?.find((x) => matches(m, x));
      if (v !== undefined) labels[m.label] = v;
    }
  }
  for (const name of keep) {
    if (labels[name] !== undefined || name === 'le' || !(name in metric.labels)) continue;
    const values = metric.labels[name]!.values;
    const v = values?.find((x) => selector.matchers.every((m) => m.label !== name || matches(m, x))) ?? `${name.toLowerCase().replace(/_/g, '-')}-0`;
    labels[name] = v;
  }
  const broken = selector.matchers.find((m) => m.label !== 'le' && !matches(m, labels[m.label]));
  return broken ? `no label value satisfies \`${broken.label}${broken.op}"${broken.value}"\`` : labels;
}

/** Selectors of the expression, reading through recording rules of the same group. */
function inputSelectors(expr: Expr, recorded: RecordedRules, depth = 0): SelectorExpr[] | string {
  const out: SelectorExpr[] = [];
  for (const s of selectorsIn(expr)) {
    const rule = s.metric === undefined ? undefined : recorded.get(s.metric);
    if (!rule) {
      out.push(s);
      continue;
    }
    if (depth > 8) return `recording rules nest too deep at \`${s.metric}\``;
    const parsed = parsePromQL(rule.expr);
    if (parsed.error) return `recording rule \`${s.metric}\` does not parse`;
    const inner = inputSelectors(toExpr(parsed), recorded, depth + 1);
    if (typeof inner === 'string') return inner;
    out.push(...inner);
  }
  return out;
}

function shapes(expr: Expr, text: string, catalog: Catalog, recorded: RecordedRules, wanted: ReadonlySet<string>): Shape[] | string {
  const selectors = inputSelectors(expr, recorded);
  if (typeof selectors === 'string') return selectors;
  const keep = outputLabels(text, catalog).labels.filter((l) => wanted.has(l));
  const byKey = new Map<string, Shape>();
  for (const selector of selectors) {
    if (selector.metric === undefined) return 'a selector without a metric name';
    const found = catalog.lookupSeries(selector.metric);
    if (!found) return `\`${selector.metric}\` is not in the catalog`;
    if (catalogExport(found.metric.name) === undefined) return `\`${found.metric.name}\` is not exported by \`infermon/catalog\`, so no test series can name it`;
    if (found.metric.type === 'summary' || found.metric.type === 'info') return `\`${found.metric.name}\` is a ${found.metric.type}; steady test series cover gauges, counters and histograms`;
    const labels = selectorLabels(selector, found.metric, keep);
    if (typeof labels === 'string') return `\`${selector.metric}\`: ${labels}`;
    const k = `${found.metric.name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (!byKey.has(k)) byKey.set(k, { metric: found.metric, labels, levels: levelsOf(found.metric) });
  }
  return [...byKey.values()];
}

/**
 * Labels worth a value in the test series: those the expression groups or matches on and those the
 * annotations print; the rest of a family's labels only make the scenario longer.
 */
function wantedLabels(expr: Expr, templates: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const node of walk(expr)) {
    if (node.kind === 'aggregate' && node.grouping?.mode === 'by') node.grouping.labels.forEach((l) => out.add(l));
    if (node.kind === 'binary' && node.matching) [...node.matching.labels, ...node.matching.include].forEach((l) => out.add(l));
  }
  for (const t of templates) for (const m of t.matchAll(/\$labels\.([A-Za-z_][A-Za-z0-9_]*)/g)) out.add(m[1]!);
  return out;
}

/** Assignments of one level per shape: all at the same rank first, then every combination. */
function* assignments(shapes: readonly Shape[]): Generator<number[]> {
  const longest = Math.max(0, ...shapes.map((s) => s.levels.length));
  for (let i = 0; i < longest; i++) yield shapes.map((s) => s.levels[Math.min(i, s.levels.length - 1)]!);
  let total = 1;
  for (const s of shapes) total *= s.levels.length;
  if (shapes.length < 2 || total > SEARCH_LIMIT) return;
  const index = shapes.map(() => 0);
  for (let n = 0; n < total; n++) {
    yield shapes.map((s, i) => s.levels[index[i]!]!);
    for (let i = shapes.length - 1; i >= 0; i--) {
      index[i]!++;
      if (index[i]! < shapes[i]!.levels.length) break;
      index[i] = 0;
    }
  }
}

/** The side of a top-level filter comparison that carries the data (`x` in `x > 0.9`), if any. */
function comparedSide(expr: Expr, text: string): string | undefined {
  const top = expr.kind === 'wrapped' && expr.how === 'paren' ? unwrap(expr) : expr;
  if (top.kind !== 'binary' || top.bool || !['>', '<', '>=', '<=', '==', '!='].includes(top.op)) return undefined;
  const rhs = unwrap(top.rhs);
  const lhs = unwrap(top.lhs);
  if (rhs.kind === 'number') return text.slice(top.lhs.from, top.lhs.to);
  if (lhs.kind === 'number') return text.slice(top.rhs.from, top.rhs.to);
  return undefined;
}

function scenario(shapes: readonly Shape[], levels: readonly number[], result?: { labels: Labels; value: number }): LiteralValue {
  const series = shapes.map((s, i): LiteralValue => {
    const level = levels[i]!;
    const base: { [key: string]: LiteralValue } = { metric: new Code(catalogExport(s.metric.name)!) };
    if (Object.keys(s.labels).length > 0) base.labels = s.labels;
    if (s.metric.type === 'counter') base.rate = level;
    else if (s.metric.type === 'histogram') base.observe = { rate: 1, value: level };
    else base.value = level;
    return base;
  });
  const out: { [key: string]: LiteralValue } = { series };
  if (result && Object.keys(result.labels).length > 0) out.labels = result.labels;
  if (result) out.value = result.value;
  return out;
}

/**
 * Firing and quiet scenarios for an alert expression, or why there are none. `forMs` is the alert's
 * `for`; scenarios are evaluated ten minutes after it, as the generated unit tests do.
 */
export function synthesiseTests(text: string, forMs: number, catalog: Catalog, recorded: RecordedRules = new Map(), templates: readonly string[] = []): SynthesisedTests {
  const parsed = parsePromQL(text);
  if (parsed.error) return { reason: `syntax error: ${parsed.error.reason}` };
  const expr = toExpr(parsed);
  const found = shapes(expr, text, catalog, recorded, wantedLabels(expr, templates));
  if (typeof found === 'string') return { reason: found };
  const at = forMs / 1000 + 600;
  const side = comparedSide(expr, text);
  const evaluate = (query: string, levels: readonly number[]) =>
    evaluateSteady(query, { at, recorded, series: found.map((s, i): SteadySeries => ({ metric: s.metric, labels: s.labels, level: levels[i]! })) });
  const absent = () => evaluateSteady(text, { at, recorded, series: [] });
  let firing: LiteralValue | undefined;
  let quiet: LiteralValue | undefined;
  try {
    const withoutData = /\babsent(_over_time)?\s*\(/.test(text) ? absent() : [];
    if (withoutData.length === 1) firing = { description: 'no series at all', ...(scenario([], [], withoutData[0]) as object) };
    for (const levels of assignments(found)) {
      if (firing && quiet) break;
      const result = evaluate(text, levels);
      if (!firing && result.length === 1 && Number.isFinite(result[0]!.value)) firing = scenario(found, levels, result[0]);
      if (!quiet && result.length === 0) {
        const data = side === undefined ? [] : evaluate(side, levels);
        if (side === undefined || (data.length > 0 && data.every((d) => Number.isFinite(d.value)))) quiet = scenario(found, levels);
      }
    }
  } catch (err) {
    if (err instanceof NotSteady) return { reason: `no steady test data: ${err.message}` };
    throw err;
  }
  if (!firing) return { reason: 'no steady levels of its series make it fire' };
  if (!quiet) return { reason: 'no steady levels of its series keep it quiet' };
  return { firing: [firing], quiet: [quiet] };
}
