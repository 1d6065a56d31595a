import type { SyntaxNode } from '@lezer/common';
import { parseDuration } from '../model/duration.ts';
import type { GrafanaVariable, ParsedQuery } from './parse.ts';

/**
 * A small typed view of the lezer tree: the parts of a query the checks reason about. Building it never
 * throws; parts the tree lacks (after a syntax error) become `opaque` nodes.
 */

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Span {
  from: number;
  to: number;
}

export interface LabelMatcher extends Span {
  label: string;
  op: MatchOp;
  value: string;
  /** The value contains a Grafana variable, so it is not known before the dashboard runs. */
  variable: boolean;
}

export interface RangeDuration extends Span {
  text: string;
  /** Milliseconds when the duration is a constant. */
  ms: number | undefined;
  /** Written with a Grafana variable such as `$__rate_interval`. */
  variable: boolean;
}

export interface Grouping {
  mode: 'by' | 'without';
  labels: string[];
  /** Some grouping label is a Grafana variable. */
  variable: boolean;
}

export interface VectorMatching {
  mode: 'on' | 'ignoring';
  labels: string[];
  group: 'left' | 'right' | undefined;
  /** Labels copied from the "one" side by group_left/group_right. */
  include: string[];
  variable: boolean;
}

export type Expr =
  | (Span & { kind: 'selector'; metric: string | undefined; matchers: LabelMatcher[]; variable: boolean })
  | (Span & { kind: 'matrix'; expr: Expr; range: RangeDuration })
  | (Span & { kind: 'subquery'; expr: Expr; range: RangeDuration; step: RangeDuration | undefined })
  | (Span & { kind: 'call'; fn: string; args: Expr[] })
  | (Span & { kind: 'aggregate'; op: string; grouping: Grouping | undefined; args: Expr[] })
  | (Span & { kind: 'binary'; op: string; lhs: Expr; rhs: Expr; bool: boolean; matching: VectorMatching | undefined })
  | (Span & { kind: 'number'; value: number })
  | (Span & { kind: 'string'; value: string })
  | (Span & { kind: 'wrapped'; how: 'paren' | 'unary' | 'offset' | 'at' | 'anchored' | 'smoothed'; expr: Expr })
  /** A Grafana variable standing for a whole operand, or a part the tree lacks. */
  | (Span & { kind: 'opaque'; variable: boolean });

const WRAPPERS: Record<string, 'paren' | 'unary' | 'offset' | 'at' | 'anchored' | 'smoothed'> = {
  ParenExpr: 'paren',
  UnaryExpr: 'unary',
  OffsetExpr: 'offset',
  StepInvariantExpr: 'at',
  AnchoredExpr: 'anchored',
  SmoothedExpr: 'smoothed',
};

/** The value of a PromQL string literal, with Go escapes resolved. */
export function unquote(literal: string): string {
  const quote = literal[0];
  const body = literal.slice(1, literal.endsWith(quote ?? '') && literal.length > 1 ? -1 : undefined);
  if (quote === '`') return body;
  const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\' || i + 1 >= body.length) {
      out += c;
      continue;
    }
    const e = body[++i]!;
    const hex = (len: number): void => {
      const code = Number.parseInt(body.slice(i + 1, i + 1 + len), 16);
      out += Number.isNaN(code) ? e : String.fromCodePoint(code);
      i += len;
    };
    if (simple[e] !== undefined) out += simple[e];
    else if (e === 'x') hex(2);
    else if (e === 'u') hex(4);
    else if (e === 'U') hex(8);
    else if (/[0-7]/.test(e)) {
      out += String.fromCharCode(Number.parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else out += `\\${e}`;
  }
  return out;
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (!c.type.isError && c.name !== 'LineComment') out.push(c);
  return out;
}

function named(parts: readonly SyntaxNode[], name: string): SyntaxNode | undefined {
  return parts.find((c) => c.name === name);
}

class Builder {
  constructor(
    private readonly text: string,
    private readonly source: string,
    private readonly variables: readonly GrafanaVariable[],
  ) {}

  slice(n: Span): string {
    return this.text.slice(n.from, n.to);
  }

  touchesVariable(n: Span): boolean {
    return this.variables.some((v) => v.from < n.to && v.to > n.from);
  }

  opaque(n: Span): Expr {
    return { kind: 'opaque', from: n.from, to: n.to, variable: this.touchesVariable(n) };
  }

  labelName(n: SyntaxNode): string {
    return n.name === 'QuotedLabelName' ? unquote(this.slice(n)) : this.slice(n);
  }

  groupingLabels(n: SyntaxNode | undefined): { labels: string[]; variable: boolean } {
    if (!n) return { labels: [], variable: false };
    const labels: string[] = [];
    let variable = false;
    for (const c of children(n)) {
      if (c.name !== 'LabelName' && c.name !== 'QuotedLabelName') continue;
      if (this.touchesVariable(c)) variable = true;
      else labels.push(this.labelName(c));
    }
    return { labels, variable };
  }

  duration(n: SyntaxNode | undefined): number | undefined {
    if (!n) return undefined;
    const parts = children(n);
    if (n.name === 'NumberDurationLiteralInDurationContext' || n.name === 'NumberDurationLiteral') {
      const t = this.slice(n).trim();
      const ms = parseDuration(t);
      if (ms !== undefined) return ms;
      const seconds = Number(t);
      return Number.isFinite(seconds) ? seconds * 1000 : undefined;
    }
    if (parts.length === 1) return this.duration(parts[0]);
    if (parts.length === 2 && parts[0]!.name === 'UnaryOp') {
      const v = this.duration(parts[1]);
      return v === undefined ? undefined : this.slice(parts[0]!) === '-' ? -v : v;
    }
    if (parts.length === 3) {
      const a = this.duration(parts[0]);
      const b = this.duration(parts[2]);
      if (a === undefined || b === undefined) return undefined;
      switch (parts[1]!.name) {
        case 'Add':
          return a + b;
        case 'Sub':
          return a - b;
        case 'Mul':
          return (a * b) / 1000;
        case 'Div':
          return b === 0 ? undefined : (a / b) * 1000;
        default:
          return undefined;
      }
    }
    return undefined;
  }

  range(n: SyntaxNode | undefined, fallback: Span): RangeDuration {
    const parsed = n ?? fallback;
    // A substituted duration is shorter than the variable it stands for; cover the whole variable.
    const vars = this.variables.filter((v) => v.from < parsed.to && v.to > parsed.from);
    const from = Math.min(parsed.from, ...vars.map((v) => v.from));
    const to = Math.max(parsed.to, ...vars.map((v) => v.to));
    return {
      from,
      to,
      text: this.source.slice(from, to).trim(),
      ms: n ? this.duration(n) : undefined,
      variable: vars.length > 0,
    };
  }

  selector(n: SyntaxNode, parts: readonly SyntaxNode[]): Expr {
    const id = named(parts, 'Identifier');
    const idIsVariable = id !== undefined && this.touchesVariable(id);
    let metric = id && !idIsVariable ? this.slice(id) : undefined;
    const matchers: LabelMatcher[] = [];
    let variable = idIsVariable;
    const list = named(parts, 'LabelMatchers');
    for (const m of list ? children(list) : []) {
      if (m.name === 'QuotedLabelName') {
        // `{"metric.name"}`: the Prometheus 3 way of writing a metric name that is not a valid identifier.
        metric = unquote(this.slice(m));
        continue;
      }
      const matcher = children(m);
      const nameNode = matcher[0];
      const opNode = named(matcher, 'MatchOp');
      const valueNode = matcher.find((p, i) => i > 0 && p.name === 'StringLiteral');
      if (!nameNode || !opNode || !valueNode) continue;
      if (this.touchesVariable(nameNode)) {
        variable = true;
        continue;
      }
      const label = this.labelName(nameNode);
      const op = this.slice(opNode) as MatchOp;
      const value = unquote(this.slice(valueNode));
      if (label === '__name__' && op === '=' && metric === undefined) {
        metric = value;
        continue;
      }
      matchers.push({ label, op, value, from: m.from, to: m.to, variable: this.touchesVariable(valueNode) });
    }
    if (idIsVariable && matchers.length === 0 && !list) return { kind: 'opaque', from: n.from, to: n.to, variable: true };
    return { kind: 'selector', from: n.from, to: n.to, metric, matchers, variable };
  }

  expr(n: SyntaxNode | undefined, parent: Span): Expr {
    if (!n) return this.opaque({ from: parent.to, to: parent.to });
    const parts = children(n);
    const exprs = parts.filter((p) => p.type.is('Expr'));
    switch (n.name) {
      case 'VectorSelector':
        return this.selector(n, parts);
      case 'MatrixSelector':
        return { kind: 'matrix', from: n.from, to: n.to, expr: this.expr(exprs[0], n), range: this.range(named(parts, 'DurationExpr'), n) };
      case 'SubqueryExpr': {
        const durations = parts.filter((p) => p.name === 'DurationExpr');
        const step = durations[1] ? this.range(durations[1], n) : undefined;
        return { kind: 'subquery', from: n.from, to: n.to, expr: this.expr(exprs[0], n), range: this.range(durations[0], n), step };
      }
      case 'FunctionCall': {
        const ident = named(parts, 'FunctionIdentifier');
        const body = named(parts, 'FunctionCallBody');
        const args = body ? children(body).filter((p) => p.type.is('Expr')).map((p) => this.expr(p, n)) : [];
        return { kind: 'call', from: n.from, to: n.to, fn: ident ? this.slice(ident) : '', args };
      }
      case 'AggregateExpr': {
        const op = named(parts, 'AggregateOp');
        const modifier = named(parts, 'AggregateModifier');
        const body = named(parts, 'FunctionCallBody');
        const args = body ? children(body).filter((p) => p.type.is('Expr')).map((p) => this.expr(p, n)) : [];
        let grouping: Grouping | undefined;
        if (modifier) {
          const modifierParts = children(modifier);
          const { labels, variable } = this.groupingLabels(named(modifierParts, 'GroupingLabels'));
          grouping = { mode: named(modifierParts, 'Without') ? 'without' : 'by', labels, variable };
        }
        return { kind: 'aggregate', from: n.from, to: n.to, op: op ? this.slice(op).toLowerCase() : '', grouping, args };
      }
      case 'BinaryExpr': {
        const opNode = parts.find((p, i) => i > 0 && !p.type.is('Expr') && p.name !== 'BoolModifier' && p.name !== 'MatchingModifierClause' && p.name !== 'FillModifier');
        const clause = named(parts, 'MatchingModifierClause');
        let matching: VectorMatching | undefined;
        if (clause) {
          const clauseParts = children(clause);
          const groups = clauseParts.filter((c) => c.name === 'GroupingLabels');
          const on = this.groupingLabels(groups[0]);
          const include = this.groupingLabels(groups[1]);
          matching = {
            mode: named(clauseParts, 'On') ? 'on' : 'ignoring',
            labels: on.labels,
            group: named(clauseParts, 'GroupLeft') ? 'left' : named(clauseParts, 'GroupRight') ? 'right' : undefined,
            include: include.labels,
            variable: on.variable || include.variable,
          };
        }
        return {
          kind: 'binary',
          from: n.from,
          to: n.to,
          op: opNode ? this.slice(opNode).toLowerCase() : '',
          lhs: this.expr(exprs[0], n),
          rhs: this.expr(exprs[1], n),
          bool: named(parts, 'BoolModifier') !== undefined,
          matching,
        };
      }
      case 'NumberDurationLiteral': {
        if (this.touchesVariable(n)) return this.opaque(n);
        const t = this.slice(n).trim();
        const ms = parseDuration(t.replace(/^[+-]/, ''));
        const value = ms !== undefined ? (t.startsWith('-') ? -ms : ms) / 1000 : Number(t);
        return { kind: 'number', from: n.from, to: n.to, value };
      }
      case 'StringLiteral':
        return { kind: 'string', from: n.from, to: n.to, value: unquote(this.slice(n)) };
      default: {
        const how = WRAPPERS[n.name];
        if (how) return { kind: 'wrapped', from: n.from, to: n.to, how, expr: this.expr(exprs[0], n) };
        return this.opaque(n);
      }
    }
  }
}

/** Views already built, per parse: the checks and the analyses read the same queries. */
const views = new WeakMap<ParsedQuery, Expr>();

/** The typed view of a parse; shared between callers like the parse itself, so never changed by them. */
export function toExpr(parsed: ParsedQuery): Expr {
  let view = views.get(parsed);
  if (view === undefined) {
    const first = children(parsed.tree.topNode).find((c) => c.type.is('Expr'));
    view = new Builder(parsed.text, parsed.source, parsed.variables).expr(first, { from: 0, to: parsed.text.length });
    views.set(parsed, view);
  }
  return view;
}

/** Every node of the expression, parents before children. */
export function walk(e: Expr): Expr[] {
  const nodes: Expr[] = [];
  collectNodes(e, nodes);
  return nodes;
}

function collectNodes(e: Expr, into: Expr[]): void {
  into.push(e);
  switch (e.kind) {
    case 'matrix':
    case 'subquery':
    case 'wrapped':
      return collectNodes(e.expr, into);
    case 'call':
    case 'aggregate':
      for (const a of e.args) collectNodes(a, into);
      return;
    case 'binary':
      collectNodes(e.lhs, into);
      return collectNodes(e.rhs, into);
    default:
      return;
  }
}

export type SelectorExpr = Extract<Expr, { kind: 'selector' }>;

export function selectorsIn(e: Expr): SelectorExpr[] {
  return walk(e).filter((n): n is SelectorExpr => n.kind === 'selector');
}

/** Steps through parentheses, offsets, `@`, ranges and subqueries to the expression they modify. */
export function unwrap(e: Expr): Expr {
  let cur = e;
  while (cur.kind === 'wrapped' || cur.kind === 'matrix' || cur.kind === 'subquery') cur = cur.expr;
  return cur;
}
