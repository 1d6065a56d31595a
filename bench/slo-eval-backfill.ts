import type { OutputRuleGroup } from '../generators/prometheus-rules/envelopes.ts';
import { parseDuration } from '../src/model/duration.ts';
import { sortKeys } from '../src/model/sort-keys.ts';
import { queryRange } from './prometheus-api.ts';
import type { GaugeFamily } from './slo-eval-traffic.ts';

/**
 * Recording rules evaluated over history, the way `promtool tsdb create-blocks-from rules` does it (a
 * range query per rule at the group's interval, rule labels over result labels), but collected as
 * OpenMetrics gauges so the history and its recordings land in the same few TSDB blocks. (promtool writes
 * one block per rule and two hours, thousands here, which would make every long-range query slower than
 * in any real TSDB.)
 */
export async function evaluateOverHistory(
  base: string,
  groups: readonly OutputRuleGroup[],
  start: number,
  end: number,
  /** Where in its interval a group evaluates (seconds), as a live Prometheus schedules it; `start` when unknown. */
  phaseOf: (group: string) => number | undefined = () => undefined,
): Promise<GaugeFamily[]> {
  const families = new Map<string, Map<string, GaugeFamily['series'][number]>>();
  for (const group of groups) {
    const step = (parseDuration(group.interval ?? '') ?? 0) / 1000;
    if (step <= 0) throw new Error(`group ${group.name} needs an interval to be evaluated over history`);
    const phase = phaseOf(group.name);
    const first = phase === undefined ? start : start + (((phase - start) % step) + step) % step;
    for (const rule of group.rules) {
      if (!rule.record) continue;
      for (const result of await queryRange(base, rule.expr, Number(first.toFixed(3)), end, step)) {
        const { __name__: _name, ...rest } = result.metric;
        const labels = sortKeys({ ...rest, ...rule.labels });
        const key = JSON.stringify(labels);
        const family = families.get(rule.record) ?? new Map();
        families.set(rule.record, family);
        if (family.has(key)) throw new Error(`${rule.record}${key}: two rules record the same series`);
        family.set(key, { labels, samples: result.values });
      }
    }
  }
  return [...families].map(([name, series]) => ({ name, series: [...series.values()] }));
}
