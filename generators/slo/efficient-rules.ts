import type { OutputRule, OutputRuleGroup } from '../prometheus-rules/envelopes.ts';
import { EFFICIENT_ORIGIN, SLO_GROUPS, SLO_LABELS, blockSum, errorEventsRate, sliErrorRatio, totalEventsRate } from '../../src/slo/names.ts';
import { atWindow } from '../../src/slo/sli.ts';
import type { SlothSlo } from '../../src/slo/sloth-slo.ts';
import { PERIOD_BLOCK, sliWindows } from '../../src/slo/windows.ts';
import { goSorted } from './go-yaml.ts';
import { alertRules, idFilter, idLabels, metadataRules, sloBurnTable, slothRuleGroups, userLabels, withTrafficFloor } from './sloth-rules.ts';

/**
 * The `efficient` mode. Only the shortest window touches raw series: it records the error and total event
 * rates. Every longer alert window is the ratio of sums of those two recordings (traffic-weighted, unlike
 * Sloth's average of 5m ratios), and the period window is the ratio of sums of hourly block sums, recorded
 * once an hour. The output series, metadata and alerts keep Sloth's names and labels, so dashboards and
 * routing do not change.
 */

function ratioOfSums(numerator: string, denominator: string, guard: boolean): string {
  return `${numerator}\n/\n${guard ? `(${denominator} > 0)` : denominator}\n`;
}

export function efficientRuleGroups(slo: SlothSlo): OutputRuleGroup[] {
  if (slo.sli.kind !== 'events') return slothRuleGroups([slo], EFFICIENT_ORIGIN);
  const f = idFilter(slo);
  const guard = slo.options.zeroTrafficGuard;
  const windows = sliWindows(slo.windows, slo.period);
  const period = windows[windows.length - 1]!;
  const shortest = windows[0]!;
  const labels = (window: string): Record<string, string> =>
    goSorted({ ...idLabels(slo), [SLO_LABELS.window]: window, ...userLabels(slo) });
  const errRate = `${errorEventsRate(shortest)}${f}`;
  const totRate = `${totalEventsRate(shortest)}${f}`;

  const sli: OutputRule[] = [
    { record: errorEventsRate(shortest), expr: atWindow(slo.sli.errorQuery, shortest), labels: labels(shortest) },
    { record: totalEventsRate(shortest), expr: atWindow(slo.sli.totalQuery, shortest), labels: labels(shortest) },
  ];
  for (const window of windows) {
    let expr: string;
    if (window === shortest) expr = ratioOfSums(errRate, totRate, guard);
    else if (window === period)
      expr = ratioOfSums(
        `sum_over_time(${blockSum(errorEventsRate(shortest), PERIOD_BLOCK)}${f}[${period}])`,
        `sum_over_time(${blockSum(totalEventsRate(shortest), PERIOD_BLOCK)}${f}[${period}])`,
        guard,
      );
    else expr = ratioOfSums(`sum_over_time(${errRate}[${window}])`, `sum_over_time(${totRate}[${window}])`, guard);
    sli.push({ record: sliErrorRatio(window), expr, labels: labels(window) });
  }

  const blocks: OutputRule[] = [errorEventsRate(shortest), totalEventsRate(shortest)].map((series) => ({
    record: blockSum(series, PERIOD_BLOCK),
    expr: `sum_over_time(${series}${f}[${PERIOD_BLOCK}])`,
    // The series keep these labels anyway; stating them keeps the rules distinct per SLO for linters.
    labels: goSorted(idLabels(slo)),
  }));

  const table = sloBurnTable(slo);
  const floor = (expr: string): string =>
    slo.options.minEventRate === undefined
      ? expr
      : withTrafficFloor(
          expr,
          `on(${SLO_LABELS.id}, ${SLO_LABELS.service}, ${SLO_LABELS.slo})`,
          `avg_over_time(${totRate}[${table.pageQuick.long}])`,
          slo.options.minEventRate,
        );

  return [
    { name: SLO_GROUPS.sli(slo.id), rules: sli },
    { name: SLO_GROUPS.blocks(slo.id), interval: PERIOD_BLOCK, rules: blocks },
    { name: SLO_GROUPS.meta(slo.id), rules: metadataRules(slo, EFFICIENT_ORIGIN) },
    { name: SLO_GROUPS.alerts(slo.id), rules: alertRules(slo, (w) => `${sliErrorRatio(w)}${f}`, floor) },
  ].filter((g) => g.rules.length > 0);
}
