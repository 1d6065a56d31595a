import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode, Tree } from '@lezer/common';
import { closest } from './did-you-mean.ts';
import { shiftedTree } from './shifted-tree.ts';
import { PROMQL_FUNCTIONS } from './functions.ts';

/**
 * Parsing with the official lezer grammar. Grafana template variables are not PromQL, so they are
 * replaced before parsing by text of exactly the same length: every offset in the tree is also an offset
 * in the query as written, and diagnostics can quote it.
 */

/** Variables Grafana defines on every dashboard; always allowed where variables are. */
export const GRAFANA_GLOBAL_VARIABLES: readonly string[] = [
  '__rate_interval',
  '__rate_interval_ms',
  '__interval',
  '__interval_ms',
  '__range',
  '__range_s',
  '__range_ms',
];

export interface GrafanaVariable {
  name: string;
  /** The text as written: `$model`, `${model:regex}`, `[[model]]`. */
  text: string;
  from: number;
  to: number;
  /** Inside a string literal, where it stays literal text for the parser. */
  inString: boolean;
}

export interface PromQLSyntaxError {
  from: number;
  to: number;
  line: number;
  column: number;
  /** What is wrong, without the position. */
  reason: string;
  /** A short piece of the query around the error. */
  excerpt: string;
}

/** A parse result; shared between callers, so never changed by them. */
export interface ParsedQuery {
  /** The query as written. */
  source: string;
  /** The query with variables replaced, as the parser saw it (same length as `source`). */
  text: string;
  tree: Tree;
  variables: readonly GrafanaVariable[];
  error: PromQLSyntaxError | undefined;
}

const WORD = /[A-Za-z0-9_]/;

/** A Grafana variable starting at `i`, or undefined. */
function variableAt(text: string, i: number): { name: string; length: number } | undefined {
  const rest = text.slice(i, i + 200);
  const braced = /^\$\{(\w+)(?:\.[^:}]*)?(?::[^}]*)?\}/.exec(rest);
  if (braced) return { name: braced[1]!, length: braced[0].length };
  // `$1` is a regex group reference (label_replace), not a variable.
  const plain = /^\$([A-Za-z_]\w*)/.exec(rest);
  if (plain) return { name: plain[1]!, length: plain[0].length };
  const bracketed = /^\[\[(\w+)(?::\w+)?\]\]/.exec(rest);
  if (bracketed) return { name: bracketed[1]!, length: bracketed[0].length };
  return undefined;
}

/** End (exclusive) of the string literal opening at `i`, following the grammar's token rules. */
function stringEnd(text: string, i: number): number {
  const quote = text[i];
  let j = i + 1;
  if (quote === '`') {
    while (j < text.length && text[j] !== '`') j++;
    return Math.min(j + 1, text.length);
  }
  while (j < text.length && text[j] !== quote && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
  return Math.min(text[j] === quote ? j + 1 : j, text.length);
}

/**
 * Finds Grafana variables and replaces those outside string literals: inside a range or after
 * `offset`/`@` by a duration, elsewhere by an identifier (which parses as a metric name, a label name,
 * or an operand).
 */
export function substituteVariables(source: string): { text: string; variables: GrafanaVariable[] } {
  // Every variable starts with `$` or `[[`: without them the query is its own text.
  if (!source.includes('$') && !source.includes('[[')) return { text: source, variables: [] };
  const out: string[] = [];
  const variables: GrafanaVariable[] = [];
  let bracketDepth = 0;
  let lastWord = '';
  let lastChar = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const end = stringEnd(source, i);
      for (let j = i + 1; j < end; j++) {
        if (source[j] === '\\') {
          j++;
          continue;
        }
        const v = variableAt(source, j);
        if (v && j + v.length <= end) {
          variables.push({ name: v.name, text: source.slice(j, j + v.length), from: j, to: j + v.length, inString: true });
          j += v.length - 1;
        }
      }
      out.push(source.slice(i, end));
      lastChar = c;
      lastWord = '';
      i = end;
      continue;
    }
    if (c === '#') {
      const nl = source.indexOf('\n', i);
      const end = nl < 0 ? source.length : nl;
      out.push(source.slice(i, end));
      i = end;
      continue;
    }
    const v = c === '$' || (c === '[' && source[i + 1] === '[') ? variableAt(source, i) : undefined;
    if (v) {
      const text = source.slice(i, i + v.length);
      variables.push({ name: v.name, text, from: i, to: i + v.length, inString: false });
      const durationPlace = bracketDepth > 0 || lastWord === 'offset' || lastChar === '@';
      out.push(durationPlace ? '1m'.padEnd(v.length, ' ') : text.replace(/\W/g, '_'));
      lastChar = '$';
      lastWord = '';
      i += v.length;
      continue;
    }
    if (c === '[') bracketDepth++;
    if (c === ']') bracketDepth = Math.max(0, bracketDepth - 1);
    if (WORD.test(c)) {
      lastWord = i > 0 && WORD.test(source[i - 1]!) ? lastWord + c : c;
    } else if (!/\s/.test(c)) {
      lastWord = '';
    }
    if (!/\s/.test(c)) lastChar = c;
    out.push(c);
    i++;
  }
  return { text: out.join(''), variables };
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function excerptAround(text: string, from: number, to: number): string {
  const start = Math.max(0, from - 20);
  const end = Math.min(text.length, Math.max(to, from + 1) + 20);
  const piece = text.slice(start, end).replace(/\s+/g, ' ');
  return `${start > 0 ? '…' : ''}${piece}${end < text.length ? '…' : ''}`;
}

function firstError(tree: Tree): SyntaxNode | undefined {
  let found: SyntaxNode | undefined;
  tree.iterate({
    enter(n) {
      if (found) return false;
      if (n.type.isError) {
        found = n.node;
        return false;
      }
      return undefined;
    },
  });
  return found;
}

/** The grammar lets a string run to the end of its line; PromQL needs the closing quote. */
function unterminatedString(tree: Tree, text: string): SyntaxNode | undefined {
  let found: SyntaxNode | undefined;
  tree.iterate({
    enter(n) {
      if (found) return false;
      if (n.name !== 'StringLiteral') return undefined;
      const quote = text[n.from];
      const body = text.slice(n.from + 1, n.to);
      let closed = false;
      if (quote === '`') closed = body.endsWith('`');
      else {
        for (let j = 0; j < body.length; j++) {
          if (body[j] === '\\') j++;
          else if (body[j] === quote) closed = j === body.length - 1;
        }
      }
      if (!closed) found = n.node;
      return false;
    },
  });
  return found;
}

/** Functions Prometheus 2 had under a name Prometheus 3 changed. */
const RENAMED_FUNCTIONS: Readonly<Record<string, string>> = { holt_winters: 'double_exponential_smoothing' };

function describeError(node: SyntaxNode, text: string): { reason: string; from: number } {
  if (node.from >= text.trimEnd().length)
    return { reason: text.trim() === '' ? 'empty expression' : 'unexpected end of expression', from: node.from };
  const prev = node.prevSibling;
  const prevText = prev ? text.slice(prev.from, prev.to).trim() : '';
  if (prev && text[node.from] === '(' && /^[A-Za-z_:][A-Za-z0-9_:]*$/.test(prevText)) {
    const renamed = RENAMED_FUNCTIONS[prevText];
    const hint = renamed
      ? ` (Prometheus 3 calls it \`${renamed}\`)`
      : closest(prevText, PROMQL_FUNCTIONS).map((s) => ` (did you mean \`${s}\`?)`)[0] ?? '';
    return { reason: `unknown function \`${prevText}\`${hint}`, from: prev.from };
  }
  const token = text.slice(node.from, Math.min(node.to, node.from + 20)).trim() || text.slice(node.from, node.from + 10).trim();
  return { reason: `unexpected \`${token}\``, from: node.from };
}

/**
 * The model's stages read the same queries (recorded-metric inference, alert planning, the checks), one
 * stage after the other; the parse is pure, so results are reused. The window holds every query of ten
 * thousand served models (about 40,000), so a later stage finds what an earlier one parsed; beyond that it
 * keeps only the most recent. Generators read queries through their analyses (analyze.ts), so the parses
 * are let go once the checks are done (`forgetParses`): at ten thousand models they are some 30 MB.
 */
const recentParses = new Map<string, ParsedQuery>();
const RECENT_PARSES_LIMIT = 65_536;

export function forgetParses(): void {
  recentParses.clear();
  shapes.clear();
}

/**
 * Queries written from one template (an alert per model, an SLI per service) differ only inside their string
 * literals, and the grammar reads a literal as one token whatever it holds: their trees are the same but for
 * the literals' lengths. The first query of a shape is parsed; the others take its tree, moved to their own
 * literals' offsets, for a small part of a parse's cost.
 */
interface Shape {
  tree: Tree;
  /** Start and end of each literal in the query the tree was parsed from. */
  literals: number[];
}

/** Shapes by `shapeOf`'s key; null for a shape whose first query did not parse cleanly. */
const shapes = new Map<string, Shape | null>();
const SHAPES_LIMIT = 16_384;

/** String literals with no escape, quote of their own or line break: one token, whatever they hold. */
const PLAIN_LITERAL = /"[^"\\\n]*"|'[^'\\\n]*'|`[^`]*`/g;
const QUOTE = /["'`]/;

/**
 * The query with every literal emptied, and where its literals are; undefined when it has none, when a
 * literal could be read otherwise (an escape, a quote outside one) or the query has a comment or a Grafana
 * variable.
 */
function shapeOf(source: string): { key: string; literals: number[] } | undefined {
  if (source.includes('#') || source.includes('$') || source.includes('[[')) return undefined;
  const literals: number[] = [];
  let key = '';
  let end = 0;
  for (const m of source.matchAll(PLAIN_LITERAL)) {
    const between = source.slice(end, m.index);
    if (QUOTE.test(between)) return undefined;
    key += `${between}${m[0][0]}${m[0][0]}`;
    end = m.index + m[0].length;
    literals.push(m.index, end);
  }
  const rest = source.slice(end);
  if (literals.length === 0 || QUOTE.test(rest)) return undefined;
  return { key: key + rest, literals };
}

/** Whether the tree's string literals are exactly `literals`: the tokenizer read them as `shapeOf` did. */
function literalsMatch(tree: Tree, literals: readonly number[]): boolean {
  const found: number[] = [];
  tree.iterate({
    enter(n) {
      if (n.name === 'StringLiteral') found.push(n.from, n.to);
    },
  });
  return found.length === literals.length && found.every((offset, i) => offset === literals[i]);
}

/** Tree buffers hold 16-bit offsets; a query this long is parsed on its own. */
const MAX_SHIFTED_LENGTH = 60_000;

/** The parse of a query shaped like one parsed before, from that query's tree; undefined otherwise. */
function parseAlike(source: string): ParsedQuery | undefined {
  const shape = shapeOf(source);
  if (!shape) return undefined;
  const known = shapes.get(shape.key);
  if (known === undefined) {
    const parsed = parseUncached(source);
    if (shapes.size >= SHAPES_LIMIT) shapes.clear();
    shapes.set(shape.key, parsed.error || !literalsMatch(parsed.tree, shape.literals) ? null : { tree: parsed.tree, literals: shape.literals });
    return parsed;
  }
  if (known === null || source.length > MAX_SHIFTED_LENGTH) return undefined;
  const from = known.literals;
  const to = shape.literals;
  const tree = from.every((offset, i) => offset === to[i])
    ? known.tree
    : shiftedTree(known.tree, (offset) => {
        // An offset moves as far as the last literal start or end at or before it did.
        let i = from.length - 1;
        while (i >= 0 && from[i]! > offset) i--;
        return i < 0 ? offset : offset + to[i]! - from[i]!;
      });
  return { source, text: source, tree, variables: [], error: undefined };
}

export function parsePromQL(source: string): ParsedQuery {
  const known = recentParses.get(source);
  if (known) return known;
  const parsed = parseAlike(source) ?? parseUncached(source);
  if (recentParses.size >= RECENT_PARSES_LIMIT) recentParses.delete(recentParses.keys().next().value!);
  recentParses.set(source, parsed);
  return parsed;
}

function parseUncached(source: string): ParsedQuery {
  const { text, variables } = substituteVariables(source);
  const tree = parser.parse(text);
  const unterminated = unterminatedString(tree, text);
  const errorNode = firstError(tree);
  let error: PromQLSyntaxError | undefined;
  const node = unterminated && (!errorNode || unterminated.from <= errorNode.from) ? unterminated : errorNode;
  if (node) {
    const described = node === unterminated ? { reason: 'unterminated string', from: node.from } : describeError(node, text);
    const reason = described.reason;
    // An empty error node at the end sits after trailing space; point at the last real character.
    const from = Math.min(described.from, Math.max(0, source.trimEnd().length));
    error = { from, to: Math.max(node.to, from), ...lineAndColumn(source, from), reason, excerpt: excerptAround(source, from, node.to) };
  }
  return { source, text, tree, variables, error };
}
