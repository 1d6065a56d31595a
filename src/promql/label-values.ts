import type { Metric } from '../model/catalog.ts';
import { goFloat, leValue } from '../conventions.ts';
import type { LabelMatcher } from './ast.ts';
import { didYouMean } from './did-you-mean.ts';

/**
 * Checks of matcher values against what the catalog says a label can hold: enum values, and the `le`
 * bucket boundaries of a histogram in the spelling the target Prometheus stores.
 */

export interface ValueProblem {
  code: 'promql/label-value-not-in-enum' | 'promql/le-not-a-bucket' | 'promql/le-spelling';
  message: string;
  fix: string;
}

interface Alternative {
  /** The text with escapes resolved. */
  literal: string;
  /** Matches a value the way the regex alternative would (an unescaped `.` is any character). */
  pattern: RegExp;
}

const REGEX_SYNTAX = '()[]{}*+?^$';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The alternatives of a regex that is only literal text joined by `|` (`a|b`, `1|1\.0`, `5..`), or
 * undefined for a real regex, which these checks leave alone.
 */
export function literalAlternatives(regex: string): Alternative[] | undefined {
  const out: Alternative[] = [];
  let literal = '';
  let pattern = '';
  const push = (): void => {
    out.push({ literal, pattern: new RegExp(`^(?:${pattern})$`, 's') });
    literal = '';
    pattern = '';
  };
  for (let i = 0; i < regex.length; i++) {
    const c = regex[i]!;
    if (c === '\\') {
      const next = regex[i + 1];
      if (next === undefined || /[A-Za-z0-9]/.test(next)) return undefined;
      literal += next;
      pattern += escapeRegExp(next);
      i++;
    } else if (c === '|') push();
    else if (REGEX_SYNTAX.includes(c)) return undefined;
    else if (c === '.') {
      literal += c;
      pattern += '.';
    } else {
      literal += c;
      pattern += escapeRegExp(c);
    }
  }
  push();
  return out;
}

function quoted(m: LabelMatcher, value = m.value): string {
  return `${m.label}${m.op}${JSON.stringify(value)}`;
}

/** Problems of an `=`, `!=`, `=~` or `!~` matcher on an enum label. */
export function checkEnumValue(m: LabelMatcher, metricName: string, values: readonly string[]): ValueProblem[] {
  const valueList = values.map((v) => `\`${v}\``).join(', ');
  const problem = (bad: string): ValueProblem => ({
    code: 'promql/label-value-not-in-enum',
    message: `\`${quoted(m)}\` on \`${metricName}\`: \`${bad}\` is not one of the values of \`${m.label}\` (${valueList}), so it never matches${didYouMean(bad, values)}`,
    fix: `use one of ${valueList}`,
  });
  if (m.value === '') return [];
  if (m.op === '=' || m.op === '!=') return values.includes(m.value) ? [] : [problem(m.value)];
  const alternatives = literalAlternatives(m.value);
  if (!alternatives) return [];
  return alternatives.filter((a) => a.literal !== '' && !values.some((v) => a.pattern.test(v))).map((a) => problem(a.literal));
}

function boundaryList(buckets: readonly number[], major: 2 | 3): string {
  return [...buckets.map((b) => leValue(b, major)), '+Inf'].join(', ');
}

function nearest(buckets: readonly number[], n: number): number | undefined {
  if (!Number.isFinite(n)) return undefined;
  let best: number | undefined;
  for (const b of buckets) if (best === undefined || Math.abs(b - n) < Math.abs(best - n)) best = b;
  return best;
}

/** A regex alternation that matches the boundary on Prometheus 2 and 3 alike. */
export function versionNeutralLe(boundary: number): string {
  return [...new Set([leValue(boundary, 2), leValue(boundary, 3)])].join('|');
}

function spellingProblem(m: LabelMatcher, metric: Metric, boundary: number, major: 2 | 3): ValueProblem {
  const stored = leValue(boundary, major);
  const neutral = versionNeutralLe(boundary);
  return {
    code: 'promql/le-spelling',
    message: `\`${quoted(m)}\` on \`${metric.name}_bucket\` matches nothing on Prometheus ${major}, which stores the boundary ${goFloat(boundary)} as \`le="${stored}"\``,
    fix: `write \`le="${stored}"\`, or \`le=~"${neutral}"\` to match on Prometheus 2 and 3 alike`,
  };
}

function notABucket(m: LabelMatcher, metric: Metric, bad: string, major: 2 | 3): ValueProblem {
  const buckets = metric.buckets ?? [];
  const near = nearest(buckets, Number(bad));
  return {
    code: 'promql/le-not-a-bucket',
    message: `\`${quoted(m)}\`: \`${bad}\` is not a bucket boundary of \`${metric.name}\` (boundaries: ${boundaryList(buckets, major)}), so the selector matches nothing`,
    fix: near === undefined ? `use one of the boundaries: ${boundaryList(buckets, major)}` : `use a boundary, e.g. the nearest \`le="${leValue(near, major)}"\`, or change the histogram's buckets in the catalog`,
  };
}

/** Boundary a literal `le` value denotes, `Infinity` for `+Inf`, undefined when it is not a number. */
function boundaryOf(text: string): number | undefined {
  if (text === '+Inf' || text === 'Inf' || text === '+inf') return Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Problems of an `le` matcher on the `_bucket` series of a histogram. */
export function checkLeValue(m: LabelMatcher, metric: Metric, major: 2 | 3): ValueProblem[] {
  const buckets = metric.buckets ?? [];
  if (m.value === '') return [];
  const storedSpellings = new Set([...buckets.map((b) => leValue(b, major)), '+Inf']);
  const literals = m.op === '=' || m.op === '!=' ? [m.value] : literalAlternatives(m.value)?.map((a) => a.literal);
  if (!literals) return checkLeRegex(m, metric, major, storedSpellings);
  const problems: ValueProblem[] = [];
  const spelledRight = new Set<number>();
  const spelledWrong = new Set<number>();
  for (const text of literals) {
    if (text === '') continue;
    const n = boundaryOf(text);
    if (n === Infinity) {
      if (text !== '+Inf') problems.push(notABucket(m, metric, text, major));
      continue;
    }
    if (n === undefined || !buckets.includes(n)) {
      problems.push(notABucket(m, metric, text, major));
      continue;
    }
    (storedSpellings.has(text) && leValue(n, major) === text ? spelledRight : spelledWrong).add(n);
  }
  for (const n of spelledWrong) if (!spelledRight.has(n)) problems.push(spellingProblem(m, metric, n, major));
  return problems;
}

function checkLeRegex(m: LabelMatcher, metric: Metric, major: 2 | 3, stored: Set<string>): ValueProblem[] {
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${m.value})$`, 's');
  } catch {
    return [];
  }
  if ([...stored].some((s) => re.test(s))) return [];
  const buckets = metric.buckets ?? [];
  const other = buckets.find((b) => re.test(leValue(b, major === 3 ? 2 : 3)));
  if (other !== undefined) return [spellingProblem(m, metric, other, major)];
  return [notABucket(m, metric, m.value, major)];
}
