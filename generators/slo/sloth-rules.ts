import { goFloat } from '../../src/conventions.ts';
import type { OutputRule, OutputRuleGroup } from '../prometheus-rules/envelopes.ts';
import { SLO_GROUPS, SLO_LABELS, SLO_SERIES, sliErrorRatio, type SloTier, type SlothOrigin } from '../../src/slo/names.ts';
import { atWindow } from '../../src/slo/sli.ts';
import { idLabels, severityLabels, severityOf, tierLabels, userLabels, type Severity } from '../../src/slo/labels.ts';
import { alertingTiers, tieredAlerts, type SlothSlo } from '../../src/slo/sloth-slo.ts';
import { burnTable, promDuration, sliWindows, type BurnTable, type BurnWindow } from '../../src/slo/windows.ts';
import { goSorted } from '../../src/model/go-key-order.ts';

/**
 * The rules Sloth v0.16 generates for an SLO (SLI recordings, metadata recordings, page and ticket
 * alerts), string for string. infermon's low-traffic options, when set, change only the SLI expressions
 * (zero-traffic guard) and the page alert (minimum event rate); chosen tiers split the two alerts into
 * one per tier. A grouped SLO's queries keep its group labels, and so does every rule after them.
 */

/** Prometheus `LabelSet.String()` of the ID labels: keys sorted, `", "` between pairs. */
export function idFilter(slo: SlothSlo): string {
  const labels = idLabels(slo);
  return `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(', ')}}`;
}

/** Sloth's alert budget: `(100 - objective) / 100`, not `1 - objective / 100` (the float noise differs). */
export const alertErrorBudget = (slo: SlothSlo): number => (100 - slo.objective) / 100;

export function sloBurnTable(slo: SlothSlo): BurnTable {
  return burnTable(slo.windows, slo.period);
}

export const periodWindow = (slo: SlothSlo): string => promDuration(slo.period);

export function sliExpr(slo: SlothSlo, window: string): string {
  const guard = slo.options.zeroTrafficGuard;
  if (slo.sli.kind === 'events') {
    const total = atWindow(slo.sli.totalQuery, window);
    return `(${atWindow(slo.sli.errorQuery, window)})\n/\n${guard ? `((${total}) > 0)` : `(${total})`}\n`;
  }
  const ratio = `(${atWindow(slo.sli.errorRatioQuery, window)})`;
  return guard ? `${ratio} >= 0 < +Inf` : ratio;
}

function optimizedPeriodExpr(slo: SlothSlo, shortest: string, period: string): string {
  const f = idFilter(slo);
  return (
    `sum_over_time(${sliErrorRatio(shortest)}${f}[${period}])\n` +
    `/ ignoring (${SLO_LABELS.window})\n` +
    `count_over_time(${sliErrorRatio(shortest)}${f}[${period}])\n`
  );
}

export function slothSliRules(slo: SlothSlo): OutputRule[] {
  const windows = sliWindows(slo.windows, slo.period);
  const period = windows[windows.length - 1]!;
  const shortest = sloBurnTable(slo).pageQuick.short;
  return windows.map((window) => ({
    record: sliErrorRatio(window),
    expr: window === period ? optimizedPeriodExpr(slo, shortest, period) : sliExpr(slo, window),
    labels: goSorted({ ...idLabels(slo), [SLO_LABELS.window]: window, ...userLabels(slo) }),
  }));
}

export function metadataRules(slo: SlothSlo, origin: SlothOrigin): OutputRule[] {
  const f = idFilter(slo);
  const labels = goSorted({ ...idLabels(slo), ...userLabels(slo) });
  const objectiveRatio = goFloat(slo.objective / 100);
  const burnOf = (window: string): string =>
    `${sliErrorRatio(window)}${f}\n/ on(${SLO_LABELS.id}, ${SLO_LABELS.slo}, ${SLO_LABELS.service}) group_left\n${SLO_SERIES.errorBudget}${f}\n`;
  return [
    { record: SLO_SERIES.objective, expr: `vector(${objectiveRatio})`, labels },
    { record: SLO_SERIES.errorBudget, expr: `vector(1-${objectiveRatio})`, labels },
    { record: SLO_SERIES.periodDays, expr: `vector(${goFloat(slo.period / 3600_000 / 24)})`, labels },
    { record: SLO_SERIES.currentBurnRate, expr: burnOf(sloBurnTable(slo).pageQuick.short), labels },
    { record: SLO_SERIES.periodBurnRate, expr: burnOf(periodWindow(slo)), labels },
    { record: SLO_SERIES.periodErrorBudgetRemaining, expr: `1 - ${SLO_SERIES.periodBurnRate}${f}`, labels },
    {
      record: SLO_SERIES.info,
      expr: 'vector(1)',
      labels: goSorted({
        ...labels,
        [SLO_LABELS.version]: origin.version,
        [SLO_LABELS.mode]: origin.mode,
        [SLO_LABELS.spec]: origin.spec,
        [SLO_LABELS.objective]: String(slo.objective),
      }),
    },
  ];
}

export const DEFAULT_ANNOTATIONS = {
  /** `(page)`, `(ticket)`, or a tier such as `(page-fast)`. */
  title: (alert: Severity | SloTier) =>
    `(${alert}) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.`,
  summary: '{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is over expected.',
};

/** One window pair: `max(<ratio> > factor × budget) without (sloth_window)` on both windows, ANDed. */
function burnPairLines(ratio: (window: string) => string, w: BurnWindow, budget: number, indent: string): string {
  const cond = (window: string): string => `${indent}max(${ratio(window)} > (${goFloat(w.factor)} * ${goFloat(budget)})) without (${SLO_LABELS.window})\n`;
  return `${cond(w.short)}${indent}and\n${cond(w.long)}`;
}

/** The OR of two window pairs, each an AND of `max(<ratio> > factor × budget) without (sloth_window)`. */
export function burnPairsExpr(ratio: (window: string) => string, quick: BurnWindow, slow: BurnWindow, budget: number): string {
  const pair = (w: BurnWindow): string => `(\n${burnPairLines(ratio, w, budget, '    ')})\n`;
  return `${pair(quick)}or\n${pair(slow)}`;
}

/** The window pair of one tier in a burn table. */
export function tierWindow(table: BurnTable, tier: SloTier): BurnWindow {
  const byTier: Record<SloTier, BurnWindow> = {
    'page-fast': table.pageQuick,
    'page-slow': table.pageSlow,
    'ticket-fast': table.ticketQuick,
    'ticket-slow': table.ticketSlow,
  };
  return byTier[tier];
}

/** Wraps an alert expression so it only fires while the SLI sees at least `rate` events per second. */
export function withTrafficFloor(expr: string, matching: string, traffic: string, rate: number): string {
  const indented = expr
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
  return `(\n${indented}\n)\nand ${matching}\n(${traffic}) >= ${goFloat(rate)}\n`;
}

export function alertLabels(slo: SlothSlo, severity: Severity): Record<string, string> {
  return goSorted(severityLabels(slo, severity));
}

export function alertAnnotations(slo: SlothSlo, severity: Severity): Record<string, string> {
  return goSorted({
    title: DEFAULT_ANNOTATIONS.title(severity),
    summary: DEFAULT_ANNOTATIONS.summary,
    ...slo.alerting.annotations,
    ...slo.alerting[severity].annotations,
  });
}

/** The page-alert traffic floor in Sloth layout: the total query over the quick pair's long window, per group. */
function slothTrafficFloor(slo: SlothSlo, expr: string): string {
  if (slo.options.minEventRate === undefined || slo.sli.kind !== 'events') return expr;
  const traffic = atWindow(slo.sli.totalQuery, sloBurnTable(slo).pageQuick.long);
  return withTrafficFloor(expr, `on(${slo.groupBy.join(', ')})`, traffic, slo.options.minEventRate);
}

export function tierAlertLabels(slo: SlothSlo, tier: SloTier): Record<string, string> {
  return goSorted(tierLabels(slo, tier));
}

export function tierAlertAnnotations(slo: SlothSlo, tier: SloTier): Record<string, string> {
  const severity = severityOf(tier);
  return goSorted({
    title: DEFAULT_ANNOTATIONS.title(tier),
    summary: DEFAULT_ANNOTATIONS.summary,
    ...slo.alerting.annotations,
    ...slo.alerting[severity].annotations,
  });
}

/** One alert per tier: its window pair alone, labelled with its tier; the floor guards the page tiers. */
function tierAlertRules(slo: SlothSlo, ratio: (window: string) => string, trafficFloor: (expr: string) => string): OutputRule[] {
  const table = sloBurnTable(slo);
  const budget = alertErrorBudget(slo);
  return alertingTiers(slo).map((tier) => {
    const expr = burnPairLines(ratio, tierWindow(table, tier), budget, '');
    return {
      alert: slo.alerting.name!,
      expr: severityOf(tier) === 'page' ? trafficFloor(expr) : expr,
      labels: tierAlertLabels(slo, tier),
      annotations: tierAlertAnnotations(slo, tier),
    };
  });
}

export function alertRules(
  slo: SlothSlo,
  ratio: (window: string) => string,
  trafficFloor: (expr: string) => string,
): OutputRule[] {
  if (!slo.alerting.name) return [];
  if (tieredAlerts(slo)) return tierAlertRules(slo, ratio, trafficFloor);
  const table = sloBurnTable(slo);
  const budget = alertErrorBudget(slo);
  const rules: OutputRule[] = [];
  if (!slo.alerting.page.disable)
    rules.push({
      alert: slo.alerting.name,
      expr: trafficFloor(burnPairsExpr(ratio, table.pageQuick, table.pageSlow, budget)),
      labels: alertLabels(slo, 'page'),
      annotations: alertAnnotations(slo, 'page'),
    });
  if (!slo.alerting.ticket.disable)
    rules.push({
      alert: slo.alerting.name,
      expr: burnPairsExpr(ratio, table.ticketQuick, table.ticketSlow, budget),
      labels: alertLabels(slo, 'ticket'),
      annotations: alertAnnotations(slo, 'ticket'),
    });
  return rules;
}

/** Every group Sloth emits for these SLOs, in Sloth's order (per SLO: sli, meta, alerts; empty ones left out). */
export function slothRuleGroups(slos: readonly SlothSlo[], origin: SlothOrigin): OutputRuleGroup[] {
  const groups: OutputRuleGroup[] = [];
  for (const slo of slos) {
    const f = idFilter(slo);
    const candidates: OutputRuleGroup[] = [
      { name: SLO_GROUPS.sli(slo.id), rules: slothSliRules(slo) },
      { name: SLO_GROUPS.meta(slo.id), rules: metadataRules(slo, origin) },
      {
        name: SLO_GROUPS.alerts(slo.id),
        rules: alertRules(slo, (w) => `${sliErrorRatio(w)}${f}`, (expr) => slothTrafficFloor(slo, expr)),
      },
    ];
    groups.push(...candidates.filter((g) => g.rules.length > 0));
  }
  return groups;
}
