import type { MetricSpec } from '../model/catalog.ts';
import type { DashboardQuerySpec } from '../model/dashboard.ts';
import { promql } from '../model/rules.ts';

/**
 * Small PromQL factories for dashboard queries. Metric names always come from catalog objects (through
 * the `promql` tag); rates always use Grafana's `$__rate_interval`, so panels stay correct at any zoom.
 */

export const RATE_INTERVAL = '$__rate_interval';
/** The whole dashboard time range, for totals shown in stat panels. */
export const RANGE = '$__range';

/** A label matcher: a plain string matches as a regex (`=~`), so multi-value variables work. */
export type Match = string | { eq: string } | { ne: string } | { nre: string };
export type Filter = Readonly<Record<string, Match>>;

export type HistogramSuffix = '_bucket' | '_sum' | '_count';
export type Window = typeof RATE_INTERVAL | typeof RANGE;

/** The regex filter of one dashboard variable per label: `{model: '$model'}`. */
export function byVariables(labels: Readonly<Record<string, string>>): Filter {
  return Object.fromEntries(Object.entries(labels).map(([label, variable]) => [label, `$${variable}`]));
}

function quote(value: string): string {
  return JSON.stringify(value);
}

export function matchers(filter: Filter): string {
  const parts = Object.entries(filter).map(([label, m]) => {
    if (typeof m === 'string') return `${label}=~${quote(m)}`;
    if ('eq' in m) return `${label}=${quote(m.eq)}`;
    if ('ne' in m) return `${label}!=${quote(m.ne)}`;
    return `${label}!~${quote(m.nre)}`;
  });
  return parts.length === 0 ? '' : `{${parts.join(', ')}}`;
}

/** A series selector: `family[suffix]{matchers}`. */
export function sel(metric: MetricSpec, filter: Filter = {}, suffix: '' | HistogramSuffix = ''): string {
  return promql`${metric}${suffix}${matchers(filter)}`;
}

function aggregate(fn: string, by: readonly string[], inner: string): string {
  return by.length === 0 ? `${fn}(${inner})` : `${fn} by (${by.join(', ')}) (${inner})`;
}

export interface RateOptions {
  by?: readonly string[];
  suffix?: '' | HistogramSuffix;
  window?: Window;
}

/** `sum by (…) (rate(series[$__rate_interval]))`. */
export function sumRate(metric: MetricSpec, filter: Filter = {}, options: RateOptions = {}): string {
  const window = options.window ?? RATE_INTERVAL;
  return aggregate('sum', options.by ?? [], `rate(${sel(metric, filter, options.suffix ?? '')}[${window}])`);
}

/** `sum by (…) (increase(series[window]))`; with `$__range`, the total over the dashboard range. */
export function sumIncrease(metric: MetricSpec, filter: Filter = {}, options: RateOptions = {}): string {
  const window = options.window ?? RATE_INTERVAL;
  return aggregate('sum', options.by ?? [], `increase(${sel(metric, filter, options.suffix ?? '')}[${window}])`);
}

/** `agg by (…) (gauge{…})`. */
export function gauge(
  metric: MetricSpec,
  filter: Filter = {},
  by: readonly string[] = [],
  fn: 'sum' | 'avg' | 'max' | 'min' = 'sum',
): string {
  return aggregate(fn, by, sel(metric, filter));
}

/** One quantile of a histogram: `histogram_quantile(q, sum by (le, …) (rate(…_bucket[$__rate_interval])))`. */
export function quantile(q: number, metric: MetricSpec, filter: Filter = {}, by: readonly string[] = []): string {
  return `histogram_quantile(${q}, ${sumRate(metric, filter, { by: ['le', ...by], suffix: '_bucket' })})`;
}

/** The mean observation of a histogram over the rate window. */
export function mean(metric: MetricSpec, filter: Filter = {}, by: readonly string[] = []): string {
  return `${sumRate(metric, filter, { by, suffix: '_sum' })} / ${sumRate(metric, filter, { by, suffix: '_count' })}`;
}

export const LATENCY_QUANTILES = [0.5, 0.9, 0.95, 0.99] as const;

function legendPrefix(by: readonly string[]): string {
  return by.map((l) => `{{${l}}}`).join(' ');
}

export interface QuantileOptions {
  /** Group by these labels too: one series per quantile per group. */
  by?: readonly string[];
  quantiles?: readonly number[];
  /** Legend text before the quantile, e.g. `vllm` gives `vllm p95`. */
  legend?: string;
}

/** P50/P90/P95/P99 queries of a histogram, one series per quantile (and per `by` group). */
export function quantileQueries(metric: MetricSpec, filter: Filter = {}, options: QuantileOptions = {}): DashboardQuerySpec[] {
  const by = options.by ?? [];
  const prefix = [options.legend ?? '', legendPrefix(by)].filter((p) => p !== '').join(' ');
  return (options.quantiles ?? LATENCY_QUANTILES).map((q) => ({
    expr: quantile(q, metric, filter, by),
    legend: `${prefix ? `${prefix} ` : ''}p${Math.round(q * 100)}`,
  }));
}

/** Buckets for a heatmap panel: observations per bucket in each step. */
export function heatmapBuckets(metric: MetricSpec, filter: Filter = {}): string {
  return sumIncrease(metric, filter, { by: ['le'], suffix: '_bucket' });
}

/** `a / b`, both parenthesised so any expression can stand on either side. */
export function ratio(numerator: string, denominator: string): string {
  return `(${numerator}) / (${denominator})`;
}

/** `q(expr, legend)`: a query with a legend. */
export function q(expr: string, legend?: string): DashboardQuerySpec {
  return legend === undefined ? { expr } : { expr, legend };
}

/** An instant query, for stat panels. */
export function instant(expr: string, legend?: string): DashboardQuerySpec {
  return { ...q(expr, legend), instant: true };
}
