import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import type { Tree } from '@lezer/common';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { toExpr } from '../../src/promql/ast.ts';
import { forgetParses, parsePromQL, type ParsedQuery } from '../../src/promql/parse.ts';

/** Every node with its type and offsets, parents before children. */
function nodesOf(tree: Tree): Array<[string, number, number]> {
  const nodes: Array<[string, number, number]> = [];
  tree.iterate({ enter: (n) => void nodes.push([n.name, n.from, n.to]) });
  return nodes;
}

/** The parse of `query` on its own, as the grammar gives it. */
function parsedAlone(query: string): ParsedQuery {
  return { source: query, text: query, tree: parser.parse(query), variables: [], error: undefined };
}

/** Every alerting and recording expression of the example platform's generated rule files. */
function exampleQueries(): string[] {
  const dir = join(import.meta.dirname, '../../out/prometheus/rules');
  const queries = new Set<string>();
  for (const file of readdirSync(dir)) {
    const doc = parseYaml(readFileSync(join(dir, file), 'utf8')) as { groups: Array<{ rules: Array<{ expr: string }> }> };
    for (const group of doc.groups) for (const rule of group.rules) queries.add(String(rule.expr));
  }
  return [...queries];
}

const HAND_WRITTEN = [
  `sum by (model_name) (rate(vllm:request_success_total{model_name="m", finished_reason!~"error|abort"}[5m]))`,
  `{"vllm.requests", "model.name"="m", 'team'='a'} > 0`,
  'label_replace(up{job=`blackbox`}, "probe", "x", "instance", ".*")',
  `count_values("version", build_info{job="router"}) or on () vector(0)`,
  `label_join(up{a="1"}, "dst", "-", "a", "b") * on (dst) group_left ("x") info_metric{x=""}`,
  `max_over_time(sum(rate(x{a="é中"}[1m]))[30m:1m] offset 1h) @ 100 > bool 2`,
];

/** Literal contents the grammar reads as one token: anything but the quote, a backslash or a line break. */
const literalContent = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '-', '.', ' ', '{', '}', '(', ',', '=', '~', '|', 'é', '中', '😀'), maxLength: 24 });
const LITERAL = /"[^"\\\n]*"|'[^'\\\n]*'|`[^`]*`/g;

/** `query` with the contents of its string literals replaced, in order, by `contents`. */
function withLiterals(query: string, contents: readonly string[]): string {
  let i = 0;
  return query.replace(LITERAL, (literal) => {
    const content = contents[i++ % contents.length] ?? '';
    const quote = literal[0]!;
    return quote + (quote === '`' ? content : content.replaceAll(quote, '')) + quote;
  });
}

describe('parses shared between queries that differ only in their string literals', () => {
  const corpus = [...exampleQueries(), ...HAND_WRITTEN].filter((q) => /["'`]/.test(q) && !/[#$\\]|\[\[/.test(q));

  it('gives the tree and typed view the query has on its own, whatever the literals hold', () => {
    expect(corpus.length).toBeGreaterThan(100);
    fc.assert(
      fc.property(fc.constantFrom(...corpus), fc.array(literalContent, { minLength: 1, maxLength: 6 }), (query, contents) => {
        forgetParses();
        parsePromQL(query);
        const variant = withLiterals(query, contents);
        const shared = parsePromQL(variant);
        const alone = parsedAlone(variant);
        expect(shared.error).toBeUndefined();
        expect(nodesOf(shared.tree)).toEqual(nodesOf(alone.tree));
        expect(toExpr(shared)).toEqual(toExpr(alone));
      }),
      { numRuns: 400 },
    );
  });

  it('reuses the first tree as it is when the literals keep their lengths, and moves it otherwise', () => {
    forgetParses();
    const first = parsePromQL(`vllm:kv_cache_usage_perc{model_name="model-00001"} > 0.9`);
    const sameLength = parsePromQL(`vllm:kv_cache_usage_perc{model_name="model-00002"} > 0.9`);
    const longer = parsePromQL(`vllm:kv_cache_usage_perc{model_name="llama-3-70b-instruct"} > 0.9`);
    expect(sameLength.tree).toBe(first.tree);
    expect(longer.tree).not.toBe(first.tree);
    expect(nodesOf(longer.tree)).toEqual(nodesOf(parser.parse(longer.source)));
  });

  it('parses on its own what a shared tree could get wrong: errors, escapes, comments, variables', () => {
    forgetParses();
    expect(parsePromQL(`up{job="a"} +`).error?.reason).toBe('unexpected end of expression');
    expect(parsePromQL(`up{job="bb"} +`).error?.reason).toBe('unexpected end of expression');
    expect(parsePromQL(`up{job="a\\"b"}`).error).toBeUndefined();
    expect(parsePromQL(`up{job="a\\"bc"} + "`).error?.reason).toBe('unterminated string');
    parsePromQL(`up{job="a"} # note "x"`);
    expect(parsePromQL(`up{job="b"} # note "x`).error).toBeUndefined();
    parsePromQL(`rate(up{job="a"}[5m])`);
    expect(parsePromQL(`rate(up{job="$job"}[$__rate_interval])`).variables.map((v) => v.name)).toEqual(['job', '__rate_interval']);
  });
});
