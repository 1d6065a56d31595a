import type { OutputRule, OutputRuleGroup } from '../prometheus-rules/envelopes.ts';
import { parseDuration } from '../../src/model/duration.ts';
import { EFFICIENT_ORIGIN, SLO_GROUPS, SLO_LABELS, blockRate, eventsRate, sliErrorRatio, type EventKind } from '../../src/slo/names.ts';
import { countRange, countsEvents, efficientPlan, floorWindowOf } from '../../src/slo/efficient-windows.ts';
import { atWindow } from '../../src/slo/sli.ts';
import type { SlothSlo } from '../../src/slo/sloth-slo.ts';
import { PERIOD_BLOCK, promDuration, sliWindows } from '../../src/slo/windows.ts';
import { goSorted } from '../../src/model/go-key-order.ts';
import { idLabels, userLabels } from '../../src/slo/labels.ts';
import { alertRules, idFilter, metadataRules, sliExpr, slothRuleGroups, withTrafficFloor } from './sloth-rules.ts';

/**
 * The `efficient` mode (plan in `src/slo/efficient-windows.ts`): short windows read the raw series, long
 * windows add up recorded shorter ones at exact offsets, and the period window adds up hourly blocks
 * recorded once an hour. Every window is a ratio of event counts (traffic-weighted, unlike Sloth's average
 * of 5m ratios for the period). Error and total rates travel as one series pair per window (label
 * `slo_events`), so each tile is one lookup. Short windows no tile is built from keep Sloth's expressions. The output series, metadata and alerts keep Sloth's names and
 * labels, so dashboards and routing do not change; the alerts are one per burn-rate tier. A grouped SLO's
 * series carry its group labels through every tile, so each group adds up its own events.
 */

/** The error and total queries at one window as a single vector, told apart by `slo_events`. */
function eventsPair(errors: string, total: string): string {
  const tag = (query: string, kind: EventKind): string => `label_replace(${query}, "${SLO_LABELS.events}", "${kind}", "", "")`;
  return `${tag(errors, 'error')}\nor\n${tag(total, 'total')}\n`;
}

/**
 * `count` tiles of a recorded pair: now, one base window ago, two ago... as a mean rate. A tile from before
 * the recordings began counts as no events, so a fresh deployment sees the span it has recorded.
 */
function tiles(series: string, base: string, count: number): string {
  const terms = [series];
  for (let k = 1; k < count; k++) terms.push(`(${series} offset ${promDuration(k * parseDuration(base)!)} or ${series} * 0)`);
  return `(\n  ${terms.join('\n+ ')}\n) / ${count}\n`;
}

function ratioOf(events: (kind: EventKind) => string, guard: boolean): string {
  const total = events('total');
  return `${events('error')}\n/ ignoring (${SLO_LABELS.events})\n${guard ? `(${total} > 0)` : total}\n`;
}

export function efficientRuleGroups(slo: SlothSlo): OutputRuleGroup[] {
  if (slo.sli.kind !== 'events') return slothRuleGroups([slo], EFFICIENT_ORIGIN);
  const sli = slo.sli;
  const guard = slo.options.zeroTrafficGuard;
  const windows = sliWindows(slo.windows, slo.period);
  const period = windows[windows.length - 1]!;
  const floorWindow = floorWindowOf(slo);
  const labels = (window: string): Record<string, string> =>
    goSorted({ ...idLabels(slo), [SLO_LABELS.window]: window, ...userLabels(slo) });
  const rawCounts = (window: string): string => {
    const range = countRange(slo, window);
    return eventsPair(atWindow(sli.errorQuery, range), atWindow(sli.totalQuery, range));
  };
  // The SLO's own recordings: its ID is enough to find them.
  const mine = (series: string, kind?: EventKind): string =>
    `${series}{${kind ? `${SLO_LABELS.events}="${kind}", ` : ''}${SLO_LABELS.id}="${slo.id}"}`;

  const rules: OutputRule[] = [];
  for (const plan of efficientPlan(slo)) {
    const { window, source } = plan;
    if (!countsEvents(plan)) {
      rules.push({ record: sliErrorRatio(window), expr: sliExpr(slo, window), labels: labels(window) });
      continue;
    }
    const events = source.kind === 'raw' ? rawCounts(window) : tiles(mine(eventsRate(source.base)), source.base, source.count);
    rules.push(
      { record: eventsRate(window), expr: events, labels: labels(window) },
      { record: sliErrorRatio(window), expr: ratioOf((kind) => mine(eventsRate(window), kind), guard), labels: labels(window) },
    );
  }
  const block = blockRate(eventsRate(PERIOD_BLOCK));
  rules.push({
    record: sliErrorRatio(period),
    expr: ratioOf((kind) => `sum_over_time(${mine(block, kind)}[${period}])`, guard),
    labels: labels(period),
  });

  const blocks: OutputRule = {
    record: block,
    expr: rawCounts(PERIOD_BLOCK),
    // The series keep these labels anyway; stating them keeps the rules distinct per SLO for linters.
    labels: goSorted(idLabels(slo)),
  };

  const f = idFilter(slo);
  const floor = (expr: string): string =>
    floorWindow === undefined
      ? expr
      : withTrafficFloor(
          expr,
          `on(${[SLO_LABELS.id, SLO_LABELS.service, SLO_LABELS.slo, ...slo.groupBy].join(', ')})`,
          mine(eventsRate(floorWindow), 'total'),
          slo.options.minEventRate!,
        );

  return [
    { name: SLO_GROUPS.sli(slo.id), rules },
    { name: SLO_GROUPS.blocks(slo.id), interval: PERIOD_BLOCK, rules: [blocks] },
    { name: SLO_GROUPS.meta(slo.id), rules: metadataRules(slo, EFFICIENT_ORIGIN) },
    { name: SLO_GROUPS.alerts(slo.id), rules: alertRules(slo, (w) => `${sliErrorRatio(w)}${f}`, floor) },
  ];
}
