import { RECORDING_RULES_SOURCE } from '../model/catalog-index.ts';
import type { LabelSpec, Metric } from '../model/catalog.ts';
import { EFFICIENT_ORIGIN, SLOTH_CLI_PROM, SLO_LABELS, SLO_SERIES, EVENT_KINDS, blockRate, eventsRate, sliErrorRatio } from './names.ts';
import type { PlannedSloService } from './sloth-slo.ts';
import { countsEvents, efficientPlan } from './efficient-windows.ts';
import { groupLabelSpec } from './sli.ts';
import { PERIOD_BLOCK, sliWindows } from './windows.ts';

const NO_GROUPS: ReadonlyMap<string, LabelSpec> = new Map();

/**
 * The series SLO rules record, as catalog entries, so dashboards and rules that query them are checked
 * like any other query. Label values are enums of every value the rules write.
 */
export function sloRecordedMetrics(services: readonly PlannedSloService[]): Metric[] {
  const series = new Map<string, { help: string; unit: string; labels: Map<string, Set<string>>; grouped: Map<string, LabelSpec> }>();
  /** Records that `name` is written with the SLO's labels (`base`, as entries) and `extra` ones. */
  const add = (
    name: string,
    help: string,
    unit: string,
    base: ReadonlyArray<readonly [string, string]>,
    extra: Record<string, string> = {},
    groups: ReadonlyMap<string, LabelSpec> = NO_GROUPS,
  ): void => {
    let entry = series.get(name);
    if (!entry) series.set(name, (entry = { help, unit, labels: new Map<string, Set<string>>(), grouped: new Map<string, LabelSpec>() }));
    const valuesOf = (k: string): Set<string> => {
      let values = entry.labels.get(k);
      if (!values) entry.labels.set(k, (values = new Set()));
      return values;
    };
    for (const [k, v] of base) valuesOf(k).add(v);
    for (const k in extra) valuesOf(k).add(extra[k]!);
    for (const [k, spec] of groups) entry.grouped.set(k, spec);
  };
  for (const { located, slos } of services) {
    const service = located.value;
    for (const [i, slo] of slos.entries()) {
      const sli = service.slos[i]!.sli;
      // Series a grouped SLO records per group; its metadata (objective, budget, period, info) is one series.
      // A label the metrics do not list is one their scrape adds (the SLO check has judged it).
      const perGroup = new Map(slo.groupBy.map((l): [string, LabelSpec] => [l, groupLabelSpec(sli, l) ?? { kind: 'bounded' }]));
      const base = Object.entries({ [SLO_LABELS.id]: slo.id, [SLO_LABELS.service]: slo.service, [SLO_LABELS.slo]: slo.name, ...slo.serviceLabels, ...slo.labels });
      const windows = sliWindows(slo.windows, slo.period);
      for (const w of windows) add(sliErrorRatio(w), `Error ratio of the SLI over ${w}.`, 'ratio', base, { [SLO_LABELS.window]: w }, perGroup);
      if (slo.options.mode === 'efficient' && slo.sli.kind === 'events') {
        for (const plan of efficientPlan(slo).filter(countsEvents)) {
          for (const kind of EVENT_KINDS)
            add(eventsRate(plan.window), `Error and total events per second over ${plan.window}.`, 'reqps', base, { [SLO_LABELS.window]: plan.window, [SLO_LABELS.events]: kind }, perGroup);
        }
        const blockBase = Object.entries({ [SLO_LABELS.id]: slo.id, [SLO_LABELS.service]: slo.service, [SLO_LABELS.slo]: slo.name });
        for (const kind of EVENT_KINDS)
          add(blockRate(eventsRate(PERIOD_BLOCK)), `Error and total events per second over ${PERIOD_BLOCK}, recorded once per ${PERIOD_BLOCK}.`, 'reqps', blockBase, { [SLO_LABELS.events]: kind }, perGroup);
      }
      add(SLO_SERIES.currentBurnRate, 'Burn rate over the shortest window.', 'none', base, undefined, perGroup);
      add(SLO_SERIES.periodBurnRate, 'Burn rate over the whole period.', 'none', base, undefined, perGroup);
      add(SLO_SERIES.periodErrorBudgetRemaining, 'Share of the period error budget left.', 'percentunit', base, undefined, perGroup);
      add(SLO_SERIES.objective, 'SLO objective as a ratio.', 'ratio', base);
      add(SLO_SERIES.errorBudget, 'Error budget as a ratio (1 - objective).', 'ratio', base);
      add(SLO_SERIES.periodDays, 'SLO period in days.', 'd', base);
      const origin = slo.options.mode === 'efficient' && slo.sli.kind === 'events' ? EFFICIENT_ORIGIN : SLOTH_CLI_PROM;
      add(SLO_SERIES.info, 'SLO metadata.', 'none', base, {
        [SLO_LABELS.version]: origin.version,
        [SLO_LABELS.mode]: origin.mode,
        [SLO_LABELS.spec]: origin.spec,
        [SLO_LABELS.objective]: String(slo.objective),
      });
    }
  }
  return [...series].map(([name, s]) => ({
    name,
    type: 'gauge',
    help: s.help,
    unit: s.unit,
    labels: Object.fromEntries([
      ...[...s.labels].map(([k, values]): [string, LabelSpec] => [k, { kind: 'enum', values: [...values].sort() }]),
      ...s.grouped,
    ]),
    source: RECORDING_RULES_SOURCE,
  }));
}
