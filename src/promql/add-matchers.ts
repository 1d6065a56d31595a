import { selectorsIn, toExpr } from './ast.ts';
import { parsePromQL } from './parse.ts';

/**
 * The query with these equality matchers added to every series selector, as written by hand:
 * `rate(x[5m])` → `rate(x{namespace="a"}[5m])`, `x{b="c"}` → `x{namespace="a", b="c"}`. A selector that
 * already matches the label keeps its own matcher. Queries that do not parse come back unchanged; the
 * checker reports them.
 */
export function addMatchers(query: string, matchers: Readonly<Record<string, string>>): string {
  const entries = Object.entries(matchers);
  if (entries.length === 0) return query;
  const parsed = parsePromQL(query);
  if (parsed.error) return query;
  const inserts: Array<{ at: number; text: string }> = [];
  for (const selector of selectorsIn(toExpr(parsed))) {
    const own = new Set(selector.matchers.map((m) => m.label));
    const added = entries.filter(([label]) => !own.has(label)).map(([label, value]) => `${label}=${JSON.stringify(value)}`);
    if (added.length === 0) continue;
    const written = query.slice(selector.from, selector.to);
    const brace = written.indexOf('{');
    if (brace < 0) inserts.push({ at: selector.to, text: `{${added.join(', ')}}` });
    else {
      const empty = /^\{\s*\}/.test(written.slice(brace));
      inserts.push({ at: selector.from + brace + 1, text: empty ? added.join(', ') : `${added.join(', ')}, ` });
    }
  }
  let out = query;
  for (const { at, text } of inserts.sort((a, b) => b.at - a.at)) out = out.slice(0, at) + text + out.slice(at);
  return out;
}
