import { RECORDING_RULES_SOURCE, type Catalog, type SeriesLookup } from '../model/catalog-index.ts';
import type { Metric } from '../model/catalog.ts';
import { formatDuration, parseDuration } from '../model/duration.ts';
import { stackSpecSchema } from '../model/stack.ts';
import { labelsOf, type LabelSet } from './analyze.ts';
import { selectorsIn, toExpr, unwrap, walk, type Expr, type LabelMatcher, type SelectorExpr } from './ast.ts';
import { didYouMean } from './did-you-mean.ts';
import { AGGREGATION_PARAMETER, SELECTING_AGGREGATIONS } from './functions.ts';
import { checkEnumValue, checkLeValue } from './label-values.ts';
import { GRAFANA_GLOBAL_VARIABLES, parsePromQL, type GrafanaVariable } from './parse.ts';
import { firstTypeError } from './types.ts';

/**
 * The catalog-aware PromQL checker: the query is parsed with the Prometheus grammar and every selector,
 * function, aggregation and vector match is checked against what the catalog says the metrics are.
 */

export interface PromQLContext {
  catalog: Catalog;
  prometheusMajor: 2 | 3;
  /**
   * false (default): Grafana variables are an error. true: any `$var`, `${var}`, `[[var]]`,
   * `$__rate_interval`, `$__interval`, `$__range` allowed. string[]: only these variable names (Grafana's
   * global `$__…` variables are always allowed then).
   */
  grafanaVariables?: boolean | string[];
  /** Scrape interval per source name, in ms or as a duration; default from each Source's scrapeInterval. */
  scrapeIntervals?: Readonly<Record<string, number | string>>;
  /** Evaluation interval of recording rules (the pace their outputs are written at), in ms or as a duration; default the stack default. */
  evaluationInterval?: number | string;
}

export interface PromQLProblem {
  code: string;
  severity: 'error' | 'warning';
  message: string;
  fix: string;
  /** What the problem is about (a label name), when many queries built from one line can share it. */
  subject?: string;
}

const DEFAULT_EVALUATION_INTERVAL = stackSpecSchema.shape.evaluationInterval.parse(undefined);

const RATE_FUNCTIONS = new Set(['rate', 'increase', 'irate', 'resets']);
const GAUGE_FUNCTIONS = new Set(['deriv', 'delta', 'idelta', 'predict_linear']);

type Report = (code: string, severity: PromQLProblem['severity'], message: string, fix: string, subject?: string) => void;

interface Env {
  catalog: Catalog;
  ctx: PromQLContext;
  report: Report;
}

interface Resolved {
  selector: SelectorExpr;
  name: string;
  found: SeriesLookup;
}

function code(text: string): string {
  return `\`${text}\``;
}

function list(items: readonly string[], max = 12): string {
  const shown = items.slice(0, max).map(code).join(', ');
  return items.length > max ? `${shown}, … (${items.length - max} more)` : shown;
}

function toMs(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' ? value : parseDuration(value);
}

function resolve(env: Env, s: SelectorExpr): Resolved | undefined {
  if (s.metric === undefined || s.variable) return undefined;
  const found = env.catalog.lookupSeries(s.metric);
  return found ? { selector: s, name: s.metric, found } : undefined;
}

/**
 * Not exposed at the release the source pins: removed, renamed without a deprecation period in which both
 * exist, or not added yet.
 */
function isRemoved(m: Metric): boolean {
  return m.removedIn !== undefined || (m.renamedTo !== undefined && m.deprecated === undefined) || m.absentUntil !== undefined;
}

/** The family the pinned release exposes under the name `m` later replaced (the source's recorded renames). */
function formerName(env: Env, m: Metric): Metric | undefined {
  const renames = env.catalog.source(m.source)?.history?.changes.filter((c) => c.change === 'renamed' && c.to === m.name) ?? [];
  return renames.map((c) => env.catalog.family(c.family)).find((f) => f !== undefined && !isRemoved(f));
}

function componentOf(env: Env, m: Metric): string {
  return env.catalog.source(m.source)?.component ?? m.source;
}

/** Names a query may use for a family: the series a histogram or summary exposes, the family otherwise. */
function seriesNames(m: Metric): string[] {
  if (m.type === 'histogram') return [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`];
  if (m.type === 'summary') return [m.name, `${m.name}_sum`, `${m.name}_count`];
  return [m.name];
}

// ---- Grafana variables ---------------------------------------------------------------------------------

function checkVariables(env: Env, variables: readonly GrafanaVariable[]): void {
  const allowed = env.ctx.grafanaVariables ?? false;
  if (allowed === true) return;
  for (const v of variables) {
    if (allowed === false) {
      env.report(
        'promql/grafana-variable',
        'error',
        `Grafana variable ${code(v.text)} in a query Prometheus evaluates itself; Prometheus does not substitute it${v.inString ? ' and matches it as literal text' : ''}`,
        v.name.startsWith('__') ? 'write a fixed value instead (e.g. `[5m]` for `[$__rate_interval]`)' : 'write the value itself, or move the query to a dashboard',
      );
    } else if (!allowed.includes(v.name) && !GRAFANA_GLOBAL_VARIABLES.includes(v.name)) {
      env.report(
        'promql/grafana-variable',
        'error',
        `${code(v.text)} is not a variable of this dashboard${didYouMean(v.name, allowed)}`,
        allowed.length ? `use one of ${list(allowed.map((a) => `$${a}`))}, or declare the variable on the dashboard` : 'declare the variable on the dashboard, or write the value itself',
      );
    }
  }
}

// ---- Selectors -------------------------------------------------------------------------------------------

function checkMetricName(env: Env, s: SelectorExpr): Resolved | undefined {
  if (s.metric === undefined || s.variable) return undefined;
  const found = env.catalog.lookupSeries(s.metric);
  if (!found) {
    const candidates = env.catalog.metrics.filter((m) => !isRemoved(m)).flatMap(seriesNames);
    env.report(
      'promql/unknown-metric',
      'error',
      `metric ${code(s.metric)} is not in the catalog${didYouMean(s.metric, candidates)}`,
      'use a metric from `infermon/catalog` (reference the exported metric object), or declare the metric in a source of your own with `defineSource`',
    );
    return undefined;
  }
  const m = found.metric;
  if (m.absentUntil !== undefined) {
    const former = formerName(env, m);
    const formerSeries = former ? `${former.name}${found.suffix}` : undefined;
    env.report(
      'promql/not-in-pinned-version',
      'error',
      `${code(s.metric)} is not in ${componentOf(env, m)} ${m.pinned ?? ''}, the release this deployment pins; it was added in ${m.absentUntil}${formerSeries ? ` (before that it was ${code(formerSeries)})` : ''}`,
      `${formerSeries ? `use ${code(formerSeries)}, or ` : ''}pin ${componentOf(env, m)} ${m.absentUntil} or later (\`version\` of the source's deployment)`,
    );
    return undefined;
  }
  if (isRemoved(m)) {
    const replacement = m.renamedTo ? `${m.renamedTo}${found.suffix}` : undefined;
    const when = m.removedIn ? `was removed in ${componentOf(env, m)} ${m.removedIn}` : `was renamed to ${code(replacement ?? '')}`;
    env.report(
      'promql/removed-metric',
      'error',
      `${code(s.metric)} ${when}${replacement && m.removedIn ? `; use ${code(replacement)}` : ''}`,
      replacement ? `use ${code(replacement)}` : `remove the query; the catalog says: ${m.help}`,
    );
    return undefined;
  }
  if (m.deprecated !== undefined) {
    const replacement = m.renamedTo ? `${m.renamedTo}${found.suffix}` : undefined;
    env.report(
      'promql/deprecated-metric',
      'warning',
      `${code(s.metric)} is deprecated since ${componentOf(env, m)} ${m.deprecated}${replacement ? `; use ${code(replacement)}` : ''}`,
      replacement ? `use ${code(replacement)} before the metric is removed` : 'plan a replacement before the metric is removed',
    );
  }
  if (found.suffix === '_bucket' && m.type !== 'histogram') {
    env.report('promql/suffix-on-non-histogram', 'error', `${code(s.metric)}: ${code(m.name)} is a ${m.type}, which has no \`_bucket\` series`, `query ${code(m.name)} itself`);
  } else if ((found.suffix === '_sum' || found.suffix === '_count') && m.type !== 'histogram' && m.type !== 'summary') {
    env.report('promql/suffix-on-non-histogram', 'error', `${code(s.metric)}: ${code(m.name)} is a ${m.type}, which has no \`${found.suffix}\` series (only histograms and summaries do)`, `query ${code(m.name)} itself`);
  }
  return { selector: s, name: s.metric, found };
}

/** What a matcher on a label the series lack does: series without a label have it as "". */
function consequence(m: LabelMatcher): string {
  let matchesEmpty: boolean;
  if (m.op === '=' || m.op === '!=') matchesEmpty = (m.value === '') === (m.op === '=');
  else {
    try {
      matchesEmpty = new RegExp(`^(?:${m.value})$`).test('') === (m.op === '=~');
    } catch {
      return '';
    }
  }
  return matchesEmpty ? ', so the matcher filters nothing' : ', so the selector matches nothing';
}

function checkMatchers(env: Env, r: Resolved): void {
  const { metric, suffix } = r.found;
  for (const m of r.selector.matchers) {
    if (m.label === '__name__') continue;
    const spec = env.catalog.labelOf(metric, m.label, suffix);
    if (!spec) {
      const names = env.catalog.labelNames(metric, suffix);
      env.report(
        'promql/unknown-label',
        'error',
        `label ${code(m.label)} is not on ${code(r.name)}${didYouMean(m.label, names)}${consequence(m)}`,
        `use one of its labels: ${list(names)}`,
        `label ${code(m.label)}`,
      );
      continue;
    }
    if (m.variable) continue;
    const problems =
      m.label === 'le' && metric.type === 'histogram' && suffix === '_bucket'
        ? checkLeValue(m, metric, env.ctx.prometheusMajor)
        : spec.kind === 'enum' && spec.values
          ? checkEnumValue(m, r.name, spec.values)
          : [];
    for (const p of problems) env.report(p.code, 'error', p.message, p.fix);
  }
}

// ---- Ranges ----------------------------------------------------------------------------------------------

function intervalOf(env: Env, m: Metric): { ms: number; what: string } | undefined {
  if (m.source === RECORDING_RULES_SOURCE) {
    const ms = toMs(env.ctx.evaluationInterval ?? DEFAULT_EVALUATION_INTERVAL);
    return ms === undefined ? undefined : { ms, what: 'rule evaluation interval' };
  }
  const source = env.catalog.source(m.source);
  const ms = toMs(env.ctx.scrapeIntervals?.[m.source] ?? source?.scrapeInterval);
  return ms === undefined ? undefined : { ms, what: `scrape interval of ${source?.component ?? m.source}` };
}

/** `$__interval` follows the panel resolution and drops below two scrapes when zoomed in. */
const PANEL_INTERVAL = /^(\$__interval|\$\{__interval\}|\[\[__interval\]\])$/;

function checkRange(env: Env, e: Extract<Expr, { kind: 'matrix' }>): void {
  const { range } = e;
  if (PANEL_INTERVAL.test(range.text)) {
    env.report(
      'promql/range-too-short',
      'warning',
      `range ${code(`[${range.text}]`)} follows the panel resolution and is shorter than two scrape intervals when zoomed in; the graph then has gaps`,
      'use `[$__rate_interval]`, which Grafana keeps at four scrape intervals or more',
    );
    return;
  }
  if (range.variable || range.ms === undefined) return;
  for (const s of selectorsIn(e.expr)) {
    const r = resolve(env, s);
    if (!r || isRemoved(r.found.metric)) continue;
    const interval = intervalOf(env, r.found.metric);
    if (!interval || range.ms >= 2 * interval.ms) continue;
    env.report(
      'promql/range-too-short',
      'error',
      `range ${code(`[${range.text}]`)} on ${code(r.name)} is shorter than twice the ${interval.what} (${formatDuration(interval.ms)}): it can hold fewer than two samples, and rate-like functions then return nothing`,
      `use at least ${code(`[${formatDuration(2 * interval.ms)}]`)} (four intervals, ${code(`[${formatDuration(4 * interval.ms)}]`)}, tolerates a missed scrape)${env.ctx.grafanaVariables ? ', or `[$__rate_interval]`' : ''}`,
    );
  }
}

// ---- Functions -------------------------------------------------------------------------------------------

type SeriesKind = 'counter' | 'gauge' | 'native-histogram' | 'unknown';

function seriesKind(found: SeriesLookup): SeriesKind {
  const t = found.metric.type;
  if (found.suffix === '_bucket' || found.suffix === '_sum' || found.suffix === '_count') return t === 'histogram' || t === 'summary' ? 'counter' : 'unknown';
  if (found.suffix === '_created') return 'gauge';
  if (t === 'counter') return 'counter';
  if (t === 'histogram') return 'native-histogram';
  return 'gauge';
}

/** Selectors a range function reads directly (through ranges, subqueries, parentheses and offsets). */
function directSelector(e: Expr): SelectorExpr | undefined {
  const inner = unwrap(e);
  return inner.kind === 'selector' ? inner : undefined;
}

function describeType(found: SeriesLookup): string {
  const m = found.metric;
  if (m.source === RECORDING_RULES_SOURCE) return 'a recorded series (a gauge)';
  if (m.type === 'summary' && found.suffix === '') return 'the quantile series of a summary (a gauge)';
  return `a ${m.type}`;
}

function checkCounterFunctions(env: Env, e: Extract<Expr, { kind: 'call' }>): void {
  if (!RATE_FUNCTIONS.has(e.fn) && !GAUGE_FUNCTIONS.has(e.fn)) return;
  const arg = e.args[0];
  const s = arg ? directSelector(arg) : undefined;
  const r = s ? resolve(env, s) : undefined;
  if (!r || isRemoved(r.found.metric)) return;
  const kind = seriesKind(r.found);
  if (RATE_FUNCTIONS.has(e.fn) && kind === 'gauge') {
    env.report(
      'promql/rate-on-non-counter',
      'error',
      `\`${e.fn}()\` on ${code(r.name)}, which is ${describeType(r.found)}: ${e.fn}() reads drops in value as counter resets, so the result is wrong`,
      e.fn === 'resets' ? 'count changes with `changes()` instead' : `use \`deriv()\` for the per-second change of a gauge, or \`avg_over_time()\`/\`max_over_time()\` to smooth it`,
    );
  }
  if (GAUGE_FUNCTIONS.has(e.fn) && kind === 'counter') {
    env.report(
      'promql/gauge-function-on-counter',
      'warning',
      `\`${e.fn}()\` on ${code(r.name)}, which is a counter: ${e.fn}() ignores counter resets, so every restart shows as a steep drop`,
      e.fn === 'predict_linear' ? 'predict a gauge, or apply predict_linear to a subquery over `rate()`' : 'use `rate()` or `increase()` on counters',
    );
  }
}

/** A series `histogram_quantile` can read: a histogram's `_bucket`, or a recorded series that kept `le`. */
function carriesBuckets(found: SeriesLookup): boolean {
  if (found.metric.type === 'histogram' && found.suffix === '_bucket') return true;
  return found.metric.source === RECORDING_RULES_SOURCE && found.metric.labels.le !== undefined;
}

function isBucketSelector(env: Env, s: SelectorExpr): boolean {
  const r = resolve(env, s);
  if (r) return carriesBuckets(r.found);
  return s.metric?.endsWith('_bucket') ?? false;
}

function checkHistogramQuantile(env: Env, e: Extract<Expr, { kind: 'call' }>): void {
  const arg = e.args[1];
  if (!arg) return;
  for (const s of selectorsIn(arg)) {
    const r = resolve(env, s);
    if (!r || isRemoved(r.found.metric) || carriesBuckets(r.found)) continue;
    const m = r.found.metric;
    const message =
      m.type === 'histogram'
        ? `\`histogram_quantile()\` over ${code(r.name)}: a classic histogram's quantiles come from its ${code(`${m.name}_bucket`)} series`
        : `\`histogram_quantile()\` over ${code(r.name)}, which is ${describeType(r.found)}, not the \`_bucket\` series of a histogram`;
    env.report(
      'promql/quantile-without-bucket',
      'error',
      message,
      m.type === 'histogram'
        ? `write \`histogram_quantile(0.95, sum by (le) (rate(${m.name}_bucket[5m])))\``
        : 'use the `_bucket` series of a histogram metric; a gauge or counter has no quantiles',
    );
  }
  for (const node of walk(arg)) {
    if (node.kind !== 'aggregate' || SELECTING_AGGREGATIONS.has(node.op)) continue;
    const input = node.args[AGGREGATION_PARAMETER[node.op] ? 1 : 0];
    if (!input || !selectorsIn(input).some((s) => isBucketSelector(env, s))) continue;
    const g = node.grouping;
    if (g?.variable) continue;
    const drops = !g ? true : g.mode === 'by' ? !g.labels.includes('le') : g.labels.includes('le');
    if (!drops) continue;
    const written = !g ? `\`${node.op}(…)\`` : `\`${node.op} ${g.mode} (${g.labels.join(', ')})\``;
    env.report(
      'promql/quantile-drops-le',
      'error',
      `${written} inside \`histogram_quantile()\` drops the \`le\` label, so there are no buckets left to compute a quantile from`,
      g?.mode === 'without' ? 'remove `le` from without()' : `keep \`le\`: \`${node.op} by (${[...(g?.labels ?? []), 'le'].join(', ')}) (…)\``,
    );
  }
}

// ---- Labels through aggregations and vector matches -----------------------------------------------------

/** Some part of `e` is unknown to the catalog, so its labels cannot be judged. */
function isOpen(env: Env, e: Expr): boolean {
  for (const n of walk(e)) {
    if (n.kind === 'opaque') return true;
    if (n.kind === 'selector' && !resolve(env, n)) return true;
    if (n.kind === 'call' && (n.fn === 'info' || n.fn === 'histogram_quantiles')) return true;
    if (n.kind === 'aggregate' && n.grouping?.variable) return true;
    if (n.kind === 'binary' && n.matching?.variable) return true;
  }
  return false;
}

/** Some input of `e` has the label, or a label_replace/label_join/count_values inside creates it. */
function anyInputHas(env: Env, e: Expr, label: string): boolean {
  for (const n of walk(e)) {
    if (n.kind === 'selector') {
      const r = resolve(env, n);
      if (r && env.catalog.labelOf(r.found.metric, label, r.found.suffix)) return true;
    }
    if (n.kind === 'call' && (n.fn === 'label_replace' || n.fn === 'label_join') && n.args[1]?.kind === 'string' && n.args[1].value === label) return true;
    if (n.kind === 'aggregate' && n.op === 'count_values' && n.args[0]?.kind === 'string' && n.args[0].value === label) return true;
  }
  return false;
}

/** Whether the result of `e` carries `label`; undefined when that cannot be known. */
function carries(env: Env, e: Expr, labels: LabelSet, label: string): boolean | undefined {
  if (labels.labels.has(label)) return true;
  if (labels.exact) return false;
  if (isOpen(env, e)) return undefined;
  return anyInputHas(env, e, label);
}

function metricsIn(env: Env, e: Expr): string[] {
  return [...new Set(selectorsIn(e).flatMap((s) => (resolve(env, s) ? [s.metric!] : [])))];
}

function missingLabel(env: Env, e: Expr, labels: LabelSet, label: string, where: string): void {
  const metrics = metricsIn(env, e);
  const dropped = anyInputHas(env, e, label);
  const message = dropped
    ? `${where}: label ${code(label)} no longer exists at this point; an inner aggregation or vector match drops it`
    : `${where}: label ${code(label)} is on none of the input metrics (${list(metrics)})${didYouMean(label, labels.labels)}`;
  env.report(
    'promql/unknown-label',
    'error',
    message,
    dropped ? `keep ${code(label)} in the inner by()/on() too, or drop it here` : `use a label the inputs carry: ${list([...labels.labels].sort())}`,
  );
}

function checkAggregate(env: Env, e: Extract<Expr, { kind: 'aggregate' }>): void {
  const g = e.grouping;
  const input = e.args[AGGREGATION_PARAMETER[e.op] ? 1 : 0];
  if (!g || !input) return;
  const labels = labelsOf(input, env.catalog);
  const where = `\`${e.op} ${g.mode} (${g.labels.join(', ')})\``;
  for (const label of g.labels) {
    if (carries(env, input, labels, label) === false) missingLabel(env, input, labels, label, where);
  }
  if (g.mode !== 'by' || SELECTING_AGGREGATIONS.has(e.op)) return;
  for (const label of g.labels) {
    const holders = selectorsIn(input).flatMap((s) => {
      const r = resolve(env, s);
      return r && env.catalog.labelOf(r.found.metric, label, r.found.suffix)?.kind === 'unbounded' ? [r] : [];
    });
    const first = holders[0];
    if (!first) continue;
    const bounded = env.catalog
      .labelNames(first.found.metric, first.found.suffix)
      .filter((l) => env.catalog.labelOf(first.found.metric, l, first.found.suffix)?.kind !== 'unbounded');
    env.report(
      'promql/unbounded-label-kept',
      'error',
      `${where} keeps ${code(label)}, an unbounded label of ${code(first.name)}: the result has one series per value, and the number of values has no limit`,
      `drop ${code(label)} from by() and group by bounded labels (${list(bounded)}); look individual values up in logs instead`,
    );
  }
}

function checkMatching(env: Env, e: Extract<Expr, { kind: 'binary' }>): void {
  const m = e.matching;
  if (!m) return;
  const lhs = labelsOf(e.lhs, env.catalog);
  const rhs = labelsOf(e.rhs, env.catalog);
  if (lhs.scalar || rhs.scalar) return;
  const clause = `\`${m.mode}(${m.labels.join(', ')})\``;
  for (const label of m.labels) {
    const left = carries(env, e.lhs, lhs, label);
    const right = carries(env, e.rhs, rhs, label);
    // `or on(...)` only decides which right-hand series fill gaps; a label missing on one side is the idiom.
    if (m.mode === 'on' && e.op !== 'or') {
      if (left === false) missingLabel(env, e.lhs, lhs, label, `${clause}, left-hand side`);
      if (right === false) missingLabel(env, e.rhs, rhs, label, `${clause}, right-hand side`);
    } else if (left === false && right === false) {
      missingLabel(env, e, { labels: new Set([...lhs.labels, ...rhs.labels]), exact: lhs.exact && rhs.exact, scalar: false }, label, clause);
    }
  }
  if (m.group) {
    const one = m.group === 'left' ? e.rhs : e.lhs;
    const oneLabels = m.group === 'left' ? rhs : lhs;
    for (const label of m.include) {
      if (carries(env, one, oneLabels, label) === false) missingLabel(env, one, oneLabels, label, `\`group_${m.group}(${m.include.join(', ')})\``);
    }
  }
}

// ---- Entry point -----------------------------------------------------------------------------------------

function syntaxProblem(at: { from: number; line: number; column: number; reason: string; excerpt: string }): PromQLProblem {
  return {
    code: 'promql/syntax',
    severity: 'error',
    message: `syntax error at line ${at.line}, column ${at.column}: ${at.reason} in \`${at.excerpt}\``,
    fix: 'correct the expression; `promtool check rules` and the Prometheus query page report the same error',
  };
}

function position(text: string, offset: number): { line: number; column: number; excerpt: string } {
  const before = text.slice(0, offset);
  const start = Math.max(0, offset - 20);
  const end = Math.min(text.length, offset + 30);
  return {
    line: before.split('\n').length,
    column: offset - before.lastIndexOf('\n'),
    excerpt: `${start > 0 ? '…' : ''}${text.slice(start, end).replace(/\s+/g, ' ')}${end < text.length ? '…' : ''}`,
  };
}

/** Every problem of the query, in the order they occur; never throws. */
export function checkPromQL(expr: string, ctx: PromQLContext): PromQLProblem[] {
  const problems: PromQLProblem[] = [];
  const seen = new Set<string>();
  const report: Report = (code, severity, message, fix, subject) => {
    const key = `${code}\n${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push({ code, severity, message, fix, ...(subject ? { subject } : {}) });
  };
  const env: Env = { catalog: ctx.catalog, ctx, report };
  const parsed = parsePromQL(expr);
  checkVariables(env, parsed.variables);
  if (parsed.error) {
    problems.push(syntaxProblem(parsed.error));
    return problems;
  }
  const root = toExpr(parsed);
  const typeError = firstTypeError(root);
  if (typeError) {
    problems.push(syntaxProblem({ from: typeError.from, reason: typeError.reason, ...position(expr, typeError.from) }));
    return problems;
  }
  for (const node of walk(root)) {
    switch (node.kind) {
      case 'selector': {
        const r = checkMetricName(env, node);
        if (r) checkMatchers(env, r);
        break;
      }
      case 'matrix':
        checkRange(env, node);
        break;
      case 'call':
        checkCounterFunctions(env, node);
        if (node.fn === 'histogram_quantile') checkHistogramQuantile(env, node);
        break;
      case 'aggregate':
        checkAggregate(env, node);
        break;
      case 'binary':
        checkMatching(env, node);
        break;
      default:
        break;
    }
  }
  return problems;
}
