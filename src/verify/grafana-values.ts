import { parseDuration } from '../model/duration.ts';
import { selectorsIn, toExpr } from '../promql/ast.ts';
import { parsePromQL } from '../promql/parse.ts';

/**
 * A dashboard query as Grafana sends it: its built-in variables by value, a dashboard variable inside a
 * regex matcher by `.*` (the "All" choice), inside an equality matcher by one real value of that label.
 */

/** How wide `$__rate_interval`, `$__interval` and `$__range` are taken to be. */
export interface GrafanaWindows {
  rateInterval: string;
  interval: string;
  range: string;
}

function builtIn(name: string, windows: GrafanaWindows): string | undefined {
  const ms = (d: string) => String(parseDuration(d) ?? 0);
  const values: Record<string, string> = {
    __rate_interval: windows.rateInterval,
    __rate_interval_ms: ms(windows.rateInterval),
    __interval: windows.interval,
    __interval_ms: ms(windows.interval),
    __range: windows.range,
    __range_s: String(Math.round(Number(ms(windows.range)) / 1000)),
    __range_ms: ms(windows.range),
  };
  return values[name];
}

export async function asGrafanaSends(
  expr: string,
  windows: GrafanaWindows,
  someValueOf: (label: string) => Promise<string | undefined>,
): Promise<string> {
  const parsed = parsePromQL(expr);
  if (parsed.error) throw new Error(`does not parse: ${parsed.error.reason}`);
  const matchers = selectorsIn(toExpr(parsed)).flatMap((s) => s.matchers);
  let text = expr;
  for (const v of [...parsed.variables].sort((a, b) => b.from - a.from)) {
    let value = builtIn(v.name, windows);
    if (value === undefined) {
      const matcher = v.inString ? matchers.find((m) => m.from <= v.from && v.to <= m.to) : undefined;
      if (!matcher) throw new Error(`$${v.name} stands outside a label matcher; no value to give it`);
      const regex = matcher.op === '=~' || matcher.op === '!~';
      const chosen = regex ? '.*' : await someValueOf(matcher.label);
      if (chosen === undefined) throw new Error(`$${v.name}: Prometheus has no value of ${matcher.label} to choose`);
      // The value lands inside a quoted PromQL string.
      value = JSON.stringify(chosen).slice(1, -1);
    }
    text = text.slice(0, v.from) + value + text.slice(v.to);
  }
  return text;
}
