import { walk, type Expr, type Span } from './ast.ts';
import { AGGREGATION_PARAMETER, FUNCTION_SIGNATURES, type ValueType } from './functions.ts';

/**
 * The type rules Prometheus applies after parsing (argument counts and types, range selectors only on
 * selectors, set operators only between vectors). The grammar alone accepts `rate(foo)`; Prometheus
 * rejects it when the rule loads.
 */

type Typed = ValueType | 'any';

const NAMES: Record<ValueType, string> = { scalar: 'a scalar', vector: 'an instant vector', matrix: 'a range vector', string: 'a string' };

export function typeOf(e: Expr): Typed {
  switch (e.kind) {
    case 'selector':
      return 'vector';
    case 'matrix':
    case 'subquery':
      return 'matrix';
    case 'call':
      return FUNCTION_SIGNATURES[e.fn]?.returns ?? 'any';
    case 'aggregate':
      return 'vector';
    case 'binary': {
      const l = typeOf(e.lhs);
      const r = typeOf(e.rhs);
      if (l === 'any' || r === 'any') return 'any';
      return l === 'scalar' && r === 'scalar' ? 'scalar' : 'vector';
    }
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'wrapped':
      return typeOf(e.expr);
    case 'opaque':
      return 'any';
  }
}

export interface TypeError extends Span {
  reason: string;
}

const COMPARISONS = new Set(['==', '!=', '>', '<', '>=', '<=']);
const SET_OPERATORS = new Set(['and', 'or', 'unless']);

function plural(n: number): string {
  return `${n} argument${n === 1 ? '' : 's'}`;
}

type Finding = string | { reason: string; at: Span } | undefined;

function callError(e: Extract<Expr, { kind: 'call' }>): Finding {
  const signature = FUNCTION_SIGNATURES[e.fn];
  if (!signature) return undefined;
  const min = signature.args.length - signature.optional;
  const max = signature.variadic ? Infinity : signature.args.length;
  const n = e.args.length;
  if (n < min || n > max) {
    const expected = min === max ? plural(min) : max === Infinity ? `at least ${plural(min)}` : `${min} to ${plural(max)}`;
    return `\`${e.fn}()\` takes ${expected}, got ${n}`;
  }
  for (let i = 0; i < n; i++) {
    const want = signature.args[Math.min(i, signature.args.length - 1)]!;
    const got = typeOf(e.args[i]!);
    if (got === 'any' || got === want) continue;
    const hint = want === 'matrix' && got === 'vector' ? ' (add a range such as `[5m]`)' : '';
    return { reason: `\`${e.fn}()\` expects ${NAMES[want]} as argument ${i + 1}, got ${NAMES[got]}${hint}`, at: e.args[i]! };
  }
  return undefined;
}

function aggregateError(e: Extract<Expr, { kind: 'aggregate' }>): Finding {
  const parameter = AGGREGATION_PARAMETER[e.op];
  const wanted: ValueType[] = parameter ? [parameter, 'vector'] : ['vector'];
  if (e.args.length !== wanted.length) return `\`${e.op}\` takes ${plural(wanted.length)}, got ${e.args.length}`;
  for (let i = 0; i < wanted.length; i++) {
    const got = typeOf(e.args[i]!);
    if (got !== 'any' && got !== wanted[i]) return { reason: `\`${e.op}\` expects ${NAMES[wanted[i]!]} as argument ${i + 1}, got ${NAMES[got]}`, at: e.args[i]! };
  }
  return undefined;
}

function binaryError(e: Extract<Expr, { kind: 'binary' }>): string | undefined {
  const l = typeOf(e.lhs);
  const r = typeOf(e.rhs);
  for (const t of [l, r]) {
    if (t === 'matrix') return `\`${e.op}\` on a range vector: apply a function such as rate() first`;
    if (t === 'string') return `\`${e.op}\` on a string`;
  }
  if (SET_OPERATORS.has(e.op) && (l === 'scalar' || r === 'scalar')) return `set operator \`${e.op}\` needs instant vectors on both sides`;
  if (e.bool && !COMPARISONS.has(e.op)) return `\`bool\` only applies to comparison operators, not \`${e.op}\``;
  if (COMPARISONS.has(e.op) && l === 'scalar' && r === 'scalar' && !e.bool) return `a comparison between two scalars needs \`bool\``;
  if (e.matching && (l === 'scalar' || r === 'scalar')) return `vector matching (\`${e.matching.mode}\`) needs instant vectors on both sides`;
  return undefined;
}

function isSelectorLike(e: Expr): boolean {
  return e.kind === 'selector' || e.kind === 'matrix' || e.kind === 'subquery' || e.kind === 'opaque' || (e.kind === 'wrapped' && (e.how === 'offset' || e.how === 'at'));
}

/** The first type error in the expression, in reading order. */
export function firstTypeError(root: Expr): TypeError | undefined {
  for (const e of walk(root)) {
    let reason: Finding;
    if (e.kind === 'call') reason = callError(e);
    else if (e.kind === 'aggregate') reason = aggregateError(e);
    else if (e.kind === 'binary') reason = binaryError(e);
    else if (e.kind === 'matrix' && !isSelectorLike(e.expr)) reason = 'a range `[...]` applies only to a vector selector; use a subquery `[range:step]` for expressions';
    else if (e.kind === 'subquery' && typeOf(e.expr) !== 'vector' && typeOf(e.expr) !== 'any') reason = `a subquery needs an instant vector, got ${NAMES[typeOf(e.expr) as ValueType]}`;
    else if (e.kind === 'wrapped' && (e.how === 'offset' || e.how === 'at') && !isSelectorLike(e.expr))
      reason = `\`${e.how === 'offset' ? 'offset' : '@'}\` applies only to a selector or a subquery`;
    else if (e.kind === 'wrapped' && e.how === 'unary' && (typeOf(e.expr) === 'string' || typeOf(e.expr) === 'matrix'))
      reason = `unary minus or plus needs a scalar or an instant vector, got ${NAMES[typeOf(e.expr) as ValueType]}`;
    if (typeof reason === 'string') return { from: e.from, to: e.to, reason };
    if (reason) return { from: reason.at.from, to: reason.at.to, reason: reason.reason };
  }
  return undefined;
}
