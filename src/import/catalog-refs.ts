import * as builtin from '../catalog/index.ts';
import type { MetricSpec } from '../model/catalog.ts';
import { selectorsIn, toExpr } from '../promql/ast.ts';
import { parsePromQL } from '../promql/parse.ts';
import { Code } from './ts-literal.ts';

/**
 * Metric names found in imported queries become references to the families `infermon/catalog` exports,
 * as hand-written specs do (`promql\`sum(rate(${vllmRequestSuccess}[5m]))\``), so a renamed metric breaks
 * the imported spec at compile time like any other.
 */

const isMetric = (v: unknown): v is MetricSpec =>
  typeof v === 'object' && v !== null && typeof (v as MetricSpec).name === 'string' && typeof (v as MetricSpec).help === 'string' && 'type' in v && !('metrics' in v);

/** Family name → the name `infermon/catalog` exports it under (the first, in export order). */
const EXPORTS: ReadonlyMap<string, string> = (() => {
  const out = new Map<string, string>();
  for (const [exported, value] of Object.entries(builtin)) if (isMetric(value) && !out.has(value.name)) out.set(value.name, exported);
  return out;
})();

export function catalogExport(family: string): string | undefined {
  return EXPORTS.get(family);
}

/** The exported metric object of a family, or undefined. */
export function catalogMetric(family: string): MetricSpec | undefined {
  const name = EXPORTS.get(family);
  return name === undefined ? undefined : (builtin as unknown as Record<string, MetricSpec>)[name];
}

const SUFFIXES = ['', '_bucket', '_count', '_sum'] as const;

/** The catalog export a series name reads, with the suffix written after it (`${ttft}_bucket`). */
function reference(series: string): { exported: string; suffix: string } | undefined {
  for (const suffix of SUFFIXES) {
    if (suffix !== '' && !series.endsWith(suffix)) continue;
    const family = series.slice(0, series.length - suffix.length);
    const exported = EXPORTS.get(family);
    if (exported === undefined) continue;
    const type = catalogMetric(family)!.type;
    const suffixes = type === 'histogram' ? ['', '_bucket', '_count', '_sum'] : type === 'summary' ? ['', '_count', '_sum'] : [''];
    if (suffixes.includes(suffix)) return { exported, suffix };
  }
  return undefined;
}

const escapeTemplate = (text: string): string => text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');

export interface PromqlTemplate {
  /** `promql\`...\`` with catalog references, or the query as a plain string when it names none. */
  code: Code | string;
  /** Exports of `infermon/catalog` the template uses. */
  imports: string[];
}

/**
 * The query as a `promql` template whose cooked text is exactly the query: metric names at the start of
 * a selector become `${export}`, everything else stays as written.
 */
export function promqlTemplate(query: string): PromqlTemplate {
  const parsed = parsePromQL(query);
  if (parsed.error) return { code: query, imports: [] };
  const spots: Array<{ from: number; to: number; exported: string; suffix: string }> = [];
  for (const selector of selectorsIn(toExpr(parsed))) {
    const name = selector.metric;
    if (name === undefined || query.slice(selector.from, selector.from + name.length) !== name) continue;
    const ref = reference(name);
    if (ref) spots.push({ from: selector.from, to: selector.from + name.length, ...ref });
  }
  if (spots.length === 0) return { code: query, imports: [] };
  spots.sort((a, b) => a.from - b.from);
  let text = '';
  let at = 0;
  for (const s of spots) {
    text += `${escapeTemplate(query.slice(at, s.from))}\${${s.exported}}${s.suffix}`;
    at = s.to;
  }
  text += escapeTemplate(query.slice(at));
  return { code: new Code(`promql\`${text}\``), imports: [...new Set(spots.map((s) => s.exported))].sort() };
}
