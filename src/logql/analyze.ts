import { parser } from '@grafana/lezer-logql';
import type { SyntaxNode, Tree } from '@lezer/common';

/**
 * LogQL read with the official lezer grammar: syntax errors with their position, stream selectors,
 * parser stages, label filters and the grouping of the outer aggregation.
 */

export type LogMatchOp = '=' | '!=' | '=~' | '!~';

export interface LogMatcher {
  label: string;
  op: LogMatchOp;
  value: string;
}

export interface LogQLSyntaxError {
  from: number;
  /** What is wrong, with a piece of the query around it. */
  reason: string;
}

export interface ParsedLogQL {
  source: string;
  tree: Tree;
  error: LogQLSyntaxError | undefined;
}

const OPS: Record<string, LogMatchOp> = { Eq: '=', Neq: '!=', Re: '=~', Nre: '!~' };

export function parseLogQL(expr: string): ParsedLogQL {
  const tree = parser.parse(expr);
  let error: LogQLSyntaxError | undefined;
  tree.iterate({
    enter(node) {
      if (error || !node.type.isError) return error ? false : undefined;
      const around = expr.slice(Math.max(0, node.from - 20), node.from + 20);
      error = {
        from: node.from,
        reason: node.from >= expr.length ? `the query ends too early: \`${around}\`` : `unexpected text at offset ${node.from}: \`${around}\``,
      };
      return false;
    },
  });
  return { source: expr, tree, error };
}

function text(expr: string, node: SyntaxNode): string {
  return expr.slice(node.from, node.to);
}

/** The value of a String node: the quoted text with Go escapes resolved. */
function stringValue(raw: string): string {
  if (raw.startsWith('`')) return raw.slice(1, -1);
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}

function matcherOf(expr: string, node: SyntaxNode): LogMatcher | undefined {
  const name = node.getChild('Identifier');
  const value = node.getChild('String');
  let op: LogMatchOp | undefined;
  for (let c = node.firstChild; c; c = c.nextSibling) if (OPS[c.name]) op = OPS[c.name];
  if (!name || !value || !op) return undefined;
  return { label: text(expr, name), op, value: stringValue(text(expr, value)) };
}

function nodesNamed(parsed: ParsedLogQL, name: string): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  parsed.tree.iterate({
    enter(node) {
      if (node.name === name) found.push(node.node);
    },
  });
  return found;
}

/** Every stream selector's matchers, in order. */
export function logSelectors(expr: string): LogMatcher[][] {
  const parsed = parseLogQL(expr);
  return nodesNamed(parsed, 'Selector').map((selector) =>
    nodesUnder(selector, 'Matcher').flatMap((m) => {
      const matcher = matcherOf(expr, m);
      return matcher ? [matcher] : [];
    }),
  );
}

/** Label filters after the selector (`| level="error"`), which may name extracted labels. */
export function logLabelFilters(expr: string): LogMatcher[] {
  const parsed = parseLogQL(expr);
  return nodesNamed(parsed, 'LabelFilter').flatMap((f) =>
    nodesUnder(f, 'Matcher').flatMap((m) => {
      const matcher = matcherOf(expr, m);
      return matcher ? [matcher] : [];
    }),
  );
}

/** Parser stages the query runs (`json`, `logfmt`, `regexp`, `pattern`, `unpack`). */
export function logParsers(expr: string): string[] {
  const parsed = parseLogQL(expr);
  return nodesNamed(parsed, 'LabelParser').map((n) => text(expr, n).split(/\s/)[0]!);
}

function nodesUnder(node: SyntaxNode, name: string): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  const cursor = node.cursor();
  const end = node.to;
  do {
    if (cursor.from >= end && cursor.node !== node) break;
    if (cursor.name === name) found.push(cursor.node);
  } while (cursor.next() && cursor.from < end);
  return found;
}

/** Whether the query is a metric query (what a ruler alert needs) rather than a log query. */
export function isMetricQuery(expr: string): boolean {
  const parsed = parseLogQL(expr);
  const top = parsed.tree.topNode.firstChild?.firstChild;
  return top?.name === 'MetricExpr';
}

/**
 * The `by (...)` labels of the outermost aggregation: the labels the query's result series keep. Empty for
 * an aggregation without grouping or with `without`.
 */
export function logqlGroupingLabels(expr: string): string[] {
  const parsed = parseLogQL(expr);
  const [outer] = nodesNamed(parsed, 'VectorAggregationExpr');
  const grouping = outer?.getChild('Grouping');
  if (!grouping || !grouping.getChild('By')) return [];
  return nodesUnder(grouping, 'Identifier').map((n) => text(expr, n));
}
