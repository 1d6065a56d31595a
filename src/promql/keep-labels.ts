import type { SyntaxNode } from '@lezer/common';
import { parsePromQL } from './parse.ts';

/**
 * The query with `labels` kept through every aggregation, as a global ruler needs it: a rule that runs
 * over the series of several clusters must not sum them together, or its alert cannot say which cluster
 * burns. `sum(x)` → `sum by (cluster) (x)`, `sum by (model) (x)` → `sum by (model, cluster) (x)`, and a
 * one-to-one `on (…)` match also matches on the labels.
 *
 * Left as written, because keeping the labels there would change what the rule means:
 * - `without (…)` keeps every label it does not name already;
 * - `on (…) group_left/group_right`: the "one" side is often a per-SLO constant (`vector(…)`) that has
 *   no cluster; the "many" side keeps its own labels anyway;
 * - anything inside `scalar(…)`, which needs a single series.
 * Queries that do not parse come back unchanged; the checker reports them.
 */
export function keepLabels(query: string, labels: readonly string[]): string {
  if (labels.length === 0) return query;
  const parsed = parsePromQL(query);
  if (parsed.error) return query;
  const inserts: Array<{ at: number; text: string }> = [];
  const text = parsed.text;
  const names = (list: SyntaxNode | null): string[] => {
    const out: string[] = [];
    for (let c = list?.firstChild; c; c = c.nextSibling) if (c.name === 'LabelName') out.push(text.slice(c.from, c.to));
    return out;
  };
  const addTo = (list: SyntaxNode) => {
    const present = new Set(names(list));
    const missing = labels.filter((l) => !present.has(l));
    if (missing.length === 0) return;
    // The list node spans `(…)`; the closing parenthesis is its last character.
    if (text[list.to - 1] !== ')') return;
    const trailingComma = /,\s*\)$/.test(text.slice(list.from, list.to));
    inserts.push({ at: list.to - 1, text: `${present.size > 0 && !trailingComma ? ', ' : ''}${missing.join(', ')}` });
  };

  const visit = (node: SyntaxNode, inScalar: boolean) => {
    let scalarBody = inScalar;
    if (node.name === 'FunctionCall') {
      const ident = node.getChild('FunctionIdentifier');
      if (ident && text.slice(ident.from, ident.to) === 'scalar') scalarBody = true;
    }
    if (node.name === 'AggregateExpr' && !inScalar) {
      const modifier = node.getChild('AggregateModifier');
      if (!modifier) {
        const op = node.getChild('AggregateOp');
        if (op) inserts.push({ at: op.to, text: ` by (${labels.join(', ')}) ` });
      } else if (modifier.getChild('By')) {
        const list = modifier.getChild('GroupingLabels');
        if (list) addTo(list);
      }
    }
    if (node.name === 'MatchingModifierClause' && !inScalar && node.getChild('On') && !node.getChild('GroupLeft') && !node.getChild('GroupRight')) {
      const list = node.getChild('GroupingLabels');
      if (list) addTo(list);
    }
    for (let c = node.firstChild; c; c = c.nextSibling) visit(c, scalarBody);
  };
  visit(parsed.tree.topNode, false);

  let out = query;
  for (const { at, text: piece } of inserts.sort((a, b) => b.at - a.at)) out = out.slice(0, at) + piece + out.slice(at);
  return out;
}
