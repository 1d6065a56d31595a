import type { SpecLocation } from '../model/diagnostics.ts';
import type { PanelSpec } from '../model/dashboard.ts';
import { locate, type Model } from '../model/model.ts';
import type { Slo, SloService } from '../model/slo.ts';
import { instant, matchers, q } from './queries.ts';
import { SLO_LABELS, SLO_SERIES, sliErrorRatio, sloId } from '../slo/names.ts';
import type { RowDraft } from './row-draft.ts';

/**
 * One row per SLO, read from the Sloth recording rules every SLO produces: objective, error budget left
 * over the period, current and period burn rates, and the SLI against its objective over time.
 */

/** The shortest SLI window Sloth records; the SLI-over-time panel plots it. */
const SLI_WINDOW = '5m';

function series(name: string, service: SloService, slo: Slo): string {
  return `max(${name}${matchers({ [SLO_LABELS.id]: { eq: sloId(service.service, slo.name) } })})`;
}

function sloPanels(service: SloService, slo: Slo): PanelSpec[] {
  const s = (name: string) => series(name, service, slo);
  const what = slo.description ?? `${service.service} ${slo.name}`;
  return [
    {
      title: 'Objective',
      description: `Target share of good events for ${what}, over a ${slo.period} period.`,
      type: 'stat',
      unit: 'percentunit',
      decimals: 3,
      width: 4,
      height: 6,
      queries: [instant(s(SLO_SERIES.objective), 'objective')],
    },
    {
      title: 'Error budget remaining',
      description: `Share of the ${slo.period} error budget not yet spent; below zero the SLO is missed.`,
      type: 'stat',
      unit: 'percentunit',
      decimals: 1,
      width: 4,
      height: 6,
      baseColor: 'red',
      thresholds: [
        { value: 0, color: 'orange' },
        { value: 0.25, color: 'green' },
      ],
      queries: [instant(s(SLO_SERIES.periodErrorBudgetRemaining), 'remaining')],
    },
    {
      title: 'Current burn rate',
      description: `How fast the error budget burns now (${SLI_WINDOW} window); 1 spends exactly the budget over the period.`,
      type: 'stat',
      unit: 'suffix:x',
      decimals: 2,
      width: 4,
      height: 6,
      thresholds: [
        { value: 1, color: 'orange' },
        { value: 6, color: 'red' },
      ],
      queries: [instant(s(SLO_SERIES.currentBurnRate), 'current')],
    },
    {
      title: 'Period burn rate',
      description: `Average burn rate over the whole ${slo.period} period.`,
      type: 'stat',
      unit: 'suffix:x',
      decimals: 2,
      width: 4,
      height: 6,
      thresholds: [{ value: 1, color: 'red' }],
      queries: [instant(s(SLO_SERIES.periodBurnRate), 'period')],
    },
    {
      title: 'SLI over time',
      description: `Share of good events over ${SLI_WINDOW} windows, against the objective.`,
      unit: 'percentunit',
      decimals: 3,
      width: 8,
      height: 6,
      queries: [q(`1 - ${s(sliErrorRatio(SLI_WINDOW))}`, `SLI (${SLI_WINDOW})`), q(s(SLO_SERIES.objective), 'objective')],
    },
  ];
}

export function sloRows(model: Model, _at: SpecLocation): RowDraft[] {
  return model.specs.slos.flatMap((item) =>
    item.value.slos.map((slo, i) => ({
      title: `${item.value.service} / ${slo.name}`,
      panels: sloPanels(item.value, slo).map((panel) => ({ panel, at: locate(item, `slos[${i}]`) })),
    })),
  );
}
