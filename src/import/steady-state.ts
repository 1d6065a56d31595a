import type { Metric } from '../model/catalog.ts';
import { toExpr, type Expr, type LabelMatcher, type SelectorExpr } from '../promql/ast.ts';
import { parsePromQL } from '../promql/parse.ts';

/**
 * Evaluates PromQL over steady series: every gauge holds one value, every counter grows at one rate,
 * every histogram receives observations of one size at one rate. That is the data promtool unit tests
 * are made of, so a scenario found here is one promtool agrees with. Anything whose result depends on
 * more than the steady state (time(), sample counts, label rewriting) is reported, not guessed.
 */

export type Labels = Record<string, string>;

export interface SteadySeries {
  metric: Metric;
  labels: Labels;
  /** Gauge: its value. Counter: increase per second. Histogram: size of every observation. */
  level: number;
  /** Histogram observations per second. */
  rate?: number;
}

export class NotSteady extends Error {}

interface Sample {
  labels: Labels;
  value: number;
  /** Change per second (a counter's rate, 0 for a gauge). */
  slope: number;
}

type Value =
  | { kind: 'vector'; samples: Sample[] }
  | { kind: 'range'; samples: Sample[]; rangeSeconds: number; counter: boolean }
  | { kind: 'scalar'; value: number }
  | { kind: 'string' };

export interface Evaluation {
  series: readonly SteadySeries[];
  /** Seconds since the series started. */
  at: number;
  /** Recording rules of the same group: selectors of their names evaluate their expressions. */
  recorded?: ReadonlyMap<string, { expr: string; labels: Labels }>;
}

const vector = (samples: Sample[]): Value => ({ kind: 'vector', samples });
const key = (l: Labels): string => JSON.stringify(Object.keys(l).sort().map((k) => [k, l[k]]));
const dropped = (l: Labels, names: readonly string[]): Labels => Object.fromEntries(Object.entries(l).filter(([k]) => !names.includes(k)));
const kept = (l: Labels, names: readonly string[]): Labels => Object.fromEntries(Object.entries(l).filter(([k]) => names.includes(k)));

export function matches(m: Pick<LabelMatcher, 'op' | 'value'>, value: string | undefined): boolean {
  const v = value ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return new RegExp(`^(?:${m.value})$`, 's').test(v);
    case '!~':
      return !new RegExp(`^(?:${m.value})$`, 's').test(v);
  }
}

/** The samples of one synthetic series under one name (`x`, `x_bucket`, `x_count`, `x_sum`). */
function seriesSamples(s: SteadySeries, name: string, at: number): Sample[] {
  const m = s.metric;
  const counterLike = (slope: number, labels: Labels = s.labels): Sample => ({ labels, value: slope * at, slope });
  if (m.type === 'histogram') {
    const rate = s.rate ?? 1;
    if (name === `${m.name}_count`) return [counterLike(rate)];
    if (name === `${m.name}_sum`) return [counterLike(rate * s.level)];
    if (name === `${m.name}_bucket`)
      return [...(m.buckets ?? []), Number.POSITIVE_INFINITY].map((b) =>
        counterLike(s.level <= b ? rate : 0, { ...s.labels, le: Number.isFinite(b) ? String(b) : '+Inf' }),
      );
    return [];
  }
  if (name !== m.name) return [];
  if (m.type === 'counter') return [counterLike(s.level)];
  return [{ labels: s.labels, value: s.level, slope: 0 }];
}

/** `le` values compare as numbers, so `le="1"` and `le="1.0"` select the same bucket. */
function matcherHolds(m: LabelMatcher, labels: Labels): boolean {
  if (m.label === 'le' && m.op === '=' && labels.le !== undefined) return Number(m.value) === Number(labels.le);
  return matches(m, labels[m.label]);
}

interface EvaluatorContext extends Evaluation {
  /** Whether a unary node is a minus (the typed tree keeps only its span). */
  unaryMinus: (node: Expr) => boolean;
}

class Evaluator {
  constructor(private readonly ctx: EvaluatorContext) {}

  select(e: SelectorExpr): Sample[] {
    if (e.metric === undefined) throw new NotSteady('a selector without a metric name');
    const recorded = this.ctx.recorded?.get(e.metric);
    const samples = recorded
      ? this.instant(evaluateText(recorded.expr, this.ctx)).map((s) => ({ ...s, labels: { ...s.labels, ...recorded.labels } }))
      : this.ctx.series.flatMap((s) => seriesSamples(s, e.metric!, this.ctx.at));
    return samples.filter((s) => e.matchers.every((m) => matcherHolds(m, s.labels)));
  }

  instant(v: Value): Sample[] {
    if (v.kind !== 'vector') throw new NotSteady(`expected an instant vector, got a ${v.kind}`);
    return v.samples;
  }

  scalar(v: Value): number {
    if (v.kind !== 'scalar') throw new NotSteady(`expected a scalar, got a ${v.kind}`);
    return v.value;
  }

  eval(e: Expr): Value {
    switch (e.kind) {
      case 'selector':
        return vector(this.select(e));
      case 'matrix': {
        const inner = unwrapParens(e.expr);
        if (inner.kind !== 'selector' || e.range.ms === undefined) throw new NotSteady('a range over something other than a selector');
        const samples = this.select(inner);
        return { kind: 'range', samples, rangeSeconds: e.range.ms / 1000, counter: samples.some((s) => s.slope !== 0) };
      }
      case 'subquery': {
        if (e.range.ms === undefined) throw new NotSteady('a subquery with a variable range');
        const samples = this.instant(this.eval(e.expr));
        if (samples.some((s) => s.slope !== 0)) throw new NotSteady('a subquery over a growing series');
        return { kind: 'range', samples, rangeSeconds: e.range.ms / 1000, counter: false };
      }
      case 'number':
        return { kind: 'scalar', value: e.value };
      case 'string':
        return { kind: 'string' };
      case 'wrapped': {
        const v = this.eval(e.expr);
        if (e.how !== 'unary' || !this.ctx.unaryMinus(e)) return v;
        if (v.kind === 'scalar') return { kind: 'scalar', value: -v.value };
        return vector(this.instant(v).map((s) => ({ labels: s.labels, value: -s.value, slope: -s.slope })));
      }
      case 'call':
        return this.call(e.fn, e.args);
      case 'aggregate':
        return this.aggregate(e);
      case 'binary':
        return this.binary(e);
      case 'opaque':
        throw new NotSteady('a part of the query the parser could not read');
    }
  }

  call(fn: string, args: Expr[]): Value {
    const arg = (i: number): Value => {
      const a = args[i];
      if (!a) throw new NotSteady(`${fn}() without argument ${i + 1}`);
      return this.eval(a);
    };
    const range = (i: number): Extract<Value, { kind: 'range' }> => {
      const v = arg(i);
      if (v.kind !== 'range') throw new NotSteady(`${fn}() needs a range`);
      return v;
    };
    const each = (f: (x: number) => number, i = 0): Value =>
      vector(this.instant(arg(i)).map((s) => ({ labels: s.labels, value: f(s.value), slope: 0 })));
    const fromRange = (f: (s: Sample, seconds: number) => number): Value => {
      const r = range(0);
      return vector(r.samples.map((s) => ({ labels: s.labels, value: f(s, r.rangeSeconds), slope: 0 })));
    };
    const steadyOnly = (f: (s: Sample) => number) =>
      fromRange((s) => {
        if (s.slope !== 0) throw new NotSteady(`${fn}() over a growing series depends on the sample times`);
        return f(s);
      });
    switch (fn) {
      case 'rate':
      case 'irate':
        return fromRange((s) => s.slope);
      case 'increase':
        return fromRange((s, seconds) => s.slope * seconds);
      case 'delta':
        return fromRange((s, seconds) => s.slope * seconds);
      case 'idelta':
      case 'changes':
      case 'resets':
        return fromRange((s) => (fn === 'idelta' ? s.slope * 60 : 0));
      case 'deriv':
        return fromRange((s) => s.slope);
      case 'predict_linear': {
        const ahead = this.scalar(arg(1));
        return fromRange((s) => s.value + s.slope * ahead);
      }
      case 'avg_over_time':
      case 'min_over_time':
      case 'max_over_time':
      case 'last_over_time':
        return steadyOnly((s) => s.value);
      case 'present_over_time':
        return steadyOnly(() => 1);
      case 'quantile_over_time': {
        this.scalar(arg(0));
        const r = this.eval(args[1]!);
        if (r.kind !== 'range' || r.samples.some((s) => s.slope !== 0)) throw new NotSteady('quantile_over_time() over a growing series');
        return vector(r.samples.map((s) => ({ labels: s.labels, value: s.value, slope: 0 })));
      }
      case 'absent':
      case 'absent_over_time': {
        const a = args[0];
        const v = arg(0);
        const present = v.kind === 'range' || v.kind === 'vector' ? v.samples.length > 0 : true;
        if (present) return vector([]);
        const selector = a ? findSelector(a) : undefined;
        const labels = Object.fromEntries((selector?.matchers ?? []).filter((m) => m.op === '=').map((m) => [m.label, m.value]));
        return vector([{ labels, value: 1, slope: 0 }]);
      }
      case 'abs':
        return each(Math.abs);
      case 'ceil':
        return each(Math.ceil);
      case 'floor':
        return each(Math.floor);
      case 'round':
        if (args.length > 1) throw new NotSteady('round() to a step');
        return each((x) => Math.floor(x + 0.5));
      case 'sqrt':
        return each(Math.sqrt);
      case 'exp':
        return each(Math.exp);
      case 'ln':
        return each(Math.log);
      case 'log2':
        return each(Math.log2);
      case 'log10':
        return each(Math.log10);
      case 'sgn':
        return each(Math.sign);
      case 'clamp_min': {
        const lo = this.scalar(arg(1));
        return each((x) => Math.max(x, lo));
      }
      case 'clamp_max': {
        const hi = this.scalar(arg(1));
        return each((x) => Math.min(x, hi));
      }
      case 'clamp': {
        const lo = this.scalar(arg(1));
        const hi = this.scalar(arg(2));
        return each((x) => Math.min(Math.max(x, lo), hi));
      }
      case 'vector':
        return vector([{ labels: {}, value: this.scalar(arg(0)), slope: 0 }]);
      case 'scalar': {
        const samples = this.instant(arg(0));
        return { kind: 'scalar', value: samples.length === 1 ? samples[0]!.value : Number.NaN };
      }
      case 'histogram_quantile':
        return vector(histogramQuantile(this.scalar(arg(0)), this.instant(arg(1))));
      default:
        throw new NotSteady(`${fn}() is not evaluated on steady series`);
    }
  }

  aggregate(e: Extract<Expr, { kind: 'aggregate' }>): Value {
    const input = this.instant(this.eval(e.args[e.args.length - 1]!));
    const g = e.grouping;
    const groupLabels = (l: Labels): Labels => (!g ? {} : g.mode === 'by' ? kept(l, g.labels) : dropped(l, g.labels));
    const groups = new Map<string, { labels: Labels; values: number[] }>();
    for (const s of input) {
      const labels = groupLabels(s.labels);
      const k = key(labels);
      const group = groups.get(k) ?? { labels, values: [] };
      group.values.push(s.value);
      groups.set(k, group);
    }
    const reduce: Record<string, (v: number[]) => number> = {
      sum: (v) => v.reduce((a, b) => a + b, 0),
      avg: (v) => v.reduce((a, b) => a + b, 0) / v.length,
      min: (v) => Math.min(...v),
      max: (v) => Math.max(...v),
      count: (v) => v.length,
      group: () => 1,
    };
    const f = reduce[e.op];
    if (!f) throw new NotSteady(`${e.op}() is not evaluated on steady series`);
    return vector([...groups.values()].map((group) => ({ labels: group.labels, value: f(group.values), slope: 0 })));
  }

  binary(e: Extract<Expr, { kind: 'binary' }>): Value {
    const lhs = this.eval(e.lhs);
    const rhs = this.eval(e.rhs);
    const op = e.op;
    const comparison = ['==', '!=', '>', '<', '>=', '<='].includes(op);
    if (lhs.kind === 'scalar' && rhs.kind === 'scalar') {
      const v = arithmetic(op, lhs.value, rhs.value);
      return { kind: 'scalar', value: comparison ? (v ? 1 : 0) : v };
    }
    if (['and', 'or', 'unless'].includes(op)) return this.setOperation(op, this.instant(lhs), this.instant(rhs), e.matching);
    if (lhs.kind === 'scalar' || rhs.kind === 'scalar') {
      const vectorOnLeft = rhs.kind === 'scalar';
      const samples = this.instant(vectorOnLeft ? lhs : rhs);
      const k = vectorOnLeft ? this.scalar(rhs) : this.scalar(lhs);
      const out: Sample[] = [];
      for (const s of samples) {
        const v = vectorOnLeft ? arithmetic(op, s.value, k) : arithmetic(op, k, s.value);
        if (!comparison) out.push({ labels: s.labels, value: v, slope: 0 });
        else if (e.bool) out.push({ labels: s.labels, value: v ? 1 : 0, slope: 0 });
        else if (v) out.push({ labels: s.labels, value: s.value, slope: 0 });
      }
      return vector(out);
    }
    const left = this.instant(lhs);
    const right = this.instant(rhs);
    const m = e.matching;
    const signature = (l: Labels): string => key(!m ? l : m.mode === 'on' ? kept(l, m.labels) : dropped(l, m.labels));
    const one = m?.group === 'right' ? left : right;
    const many = m?.group === 'right' ? right : left;
    const byKey = new Map<string, Sample[]>();
    for (const s of one) byKey.set(signature(s.labels), [...(byKey.get(signature(s.labels)) ?? []), s]);
    const out: Sample[] = [];
    const seen = new Set<string>();
    for (const s of many) {
      const partners = byKey.get(signature(s.labels)) ?? [];
      if (partners.length === 0) continue;
      if (partners.length > 1) throw new NotSteady('a many-to-many match');
      const p = partners[0]!;
      const [l, r] = m?.group === 'right' ? [p, s] : [s, p];
      const v = arithmetic(op, l.value, r.value);
      let labels = m?.group ? { ...s.labels, ...kept(p.labels, m.include) } : !m ? l.labels : m.mode === 'on' ? kept(l.labels, m.labels) : dropped(l.labels, m.labels);
      if (comparison && !e.bool) labels = m?.group ? labels : l.labels;
      const k = key(labels);
      if (!m?.group && seen.has(k)) throw new NotSteady('a match producing duplicate series');
      seen.add(k);
      if (!comparison) out.push({ labels, value: v, slope: 0 });
      else if (e.bool) out.push({ labels, value: v ? 1 : 0, slope: 0 });
      else if (v) out.push({ labels, value: l.value, slope: 0 });
    }
    return vector(out);
  }

  setOperation(op: string, left: Sample[], right: Sample[], m: Extract<Expr, { kind: 'binary' }>['matching']): Value {
    const signature = (l: Labels): string => key(!m ? l : m.mode === 'on' ? kept(l, m.labels) : dropped(l, m.labels));
    const rightKeys = new Set(right.map((s) => signature(s.labels)));
    if (op === 'and') return vector(left.filter((s) => rightKeys.has(signature(s.labels))));
    if (op === 'unless') return vector(left.filter((s) => !rightKeys.has(signature(s.labels))));
    const leftKeys = new Set(left.map((s) => signature(s.labels)));
    return vector([...left, ...right.filter((s) => !leftKeys.has(signature(s.labels)))]);
  }
}

function unwrapParens(e: Expr): Expr {
  return e.kind === 'wrapped' && e.how === 'paren' ? unwrapParens(e.expr) : e;
}

function findSelector(e: Expr): SelectorExpr | undefined {
  if (e.kind === 'selector') return e;
  if (e.kind === 'matrix' || e.kind === 'subquery' || e.kind === 'wrapped') return findSelector(e.expr);
  return undefined;
}

/** A comparison is true (1) or false (0); arithmetic as Prometheus does it on float64. */
function arithmetic(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
    case '^':
      return a ** b;
    case 'atan2':
      return Math.atan2(a, b);
    case '==':
      return a === b ? 1 : 0;
    case '!=':
      return a !== b ? 1 : 0;
    case '>':
      return a > b ? 1 : 0;
    case '<':
      return a < b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    default:
      throw new NotSteady(`the operator \`${op}\``);
  }
}

/** Prometheus' bucketQuantile: linear interpolation inside the bucket the rank falls in. */
function histogramQuantile(q: number, samples: Sample[]): Sample[] {
  const groups = new Map<string, { labels: Labels; buckets: Array<{ le: number; count: number }> }>();
  for (const s of samples) {
    if (s.labels.le === undefined) continue;
    const labels = dropped(s.labels, ['le']);
    const k = key(labels);
    const group = groups.get(k) ?? { labels, buckets: [] };
    group.buckets.push({ le: s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le), count: s.value });
    groups.set(k, group);
  }
  return [...groups.values()].map(({ labels, buckets }) => {
    buckets.sort((a, b) => a.le - b.le);
    return { labels, value: bucketQuantile(q, buckets), slope: 0 };
  });
}

function bucketQuantile(q: number, buckets: Array<{ le: number; count: number }>): number {
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const last = buckets[buckets.length - 1];
  if (!last || last.le !== Number.POSITIVE_INFINITY || buckets.length < 2) return Number.NaN;
  const observations = last.count;
  if (observations === 0) return Number.NaN;
  const rank = q * observations;
  const b = buckets.findIndex((x) => x.count >= rank);
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.le;
  if (b === 0 && buckets[0]!.le <= 0) return buckets[0]!.le;
  const start = b === 0 ? 0 : buckets[b - 1]!.le;
  const end = buckets[b]!.le;
  const before = b === 0 ? 0 : buckets[b - 1]!.count;
  const inBucket = buckets[b]!.count - before;
  return start + (end - start) * ((rank - before) / inBucket);
}

/** Parses and evaluates a query at the evaluation's time. */
const parsedTrees = new Map<string, Expr>();

function evaluateText(text: string, ctx: Evaluation): Value {
  let tree = parsedTrees.get(text);
  if (!tree) {
    const parsed = parsePromQL(text);
    if (parsed.error) throw new NotSteady(`syntax error: ${parsed.error.reason}`);
    tree = toExpr(parsed);
    parsedTrees.set(text, tree);
  }
  return new Evaluator({ ...ctx, unaryMinus: (w) => text[w.from] === '-' }).eval(tree);
}

/** The series a query returns over steady input; throws `NotSteady` for what it cannot evaluate. */
export function evaluateSteady(text: string, ctx: Evaluation): Array<{ labels: Labels; value: number }> {
  const v = evaluateText(text, ctx);
  if (v.kind === 'scalar') return [{ labels: {}, value: v.value }];
  if (v.kind !== 'vector') throw new NotSteady('the query does not return an instant vector');
  return v.samples.map((s) => ({ labels: s.labels, value: s.value }));
}
