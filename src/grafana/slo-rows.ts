import type { SpecLocation } from '../model/diagnostics.ts';
import type { PanelSpec, Variable } from '../model/dashboard.ts';
import type { Model } from '../model/model.ts';
import { instant, matchers, q } from './queries.ts';
import { SLO_LABELS, SLO_SERIES, sliErrorRatio } from '../slo/names.ts';
import type { SectionDraft } from './row-draft.ts';

/**
 * The SLO section: one row that Grafana repeats per SLO chosen in the `slo` variable (every SLO by
 * default), filled from the labels of the Sloth recording rules every SLO produces. The dashboard stays
 * the same size however many SLOs the specs declare; the SLOs themselves come from Prometheus.
 */

/** The shortest SLI window Sloth records; the SLI-over-time panel plots it. */
const SLI_WINDOW = '5m';

export const SLO_SERVICE_VARIABLE = 'service';
export const SLO_VARIABLE = 'slo';

function sloVariables(): Variable[] {
  return [
    {
      type: 'label',
      name: SLO_SERVICE_VARIABLE,
      title: 'Service',
      series: SLO_SERIES.objective,
      labelName: SLO_LABELS.service,
      multi: true,
      includeAll: true,
    },
    {
      type: 'label',
      name: SLO_VARIABLE,
      title: 'SLO',
      series: SLO_SERIES.objective,
      labelName: SLO_LABELS.id,
      matchers: matchers({ [SLO_LABELS.service]: `$${SLO_SERVICE_VARIABLE}` }),
      multi: true,
      includeAll: true,
    },
  ];
}

/** One series of the repeated row's SLO. */
function series(name: string): string {
  return `max(${name}${matchers({ [SLO_LABELS.id]: `$${SLO_VARIABLE}` })})`;
}

function sloPanels(): PanelSpec[] {
  return [
    {
      title: 'Objective',
      description: 'Target share of good events over the SLO period.',
      type: 'stat',
      unit: 'percentunit',
      decimals: 3,
      width: 4,
      height: 6,
      queries: [instant(series(SLO_SERIES.objective), 'objective')],
    },
    {
      title: 'Error budget remaining',
      description: 'Share of the error budget of the SLO period not yet spent; below zero the SLO is missed.',
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
      queries: [instant(series(SLO_SERIES.periodErrorBudgetRemaining), 'remaining')],
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
      queries: [instant(series(SLO_SERIES.currentBurnRate), 'current')],
    },
    {
      title: 'Period burn rate',
      description: 'Average burn rate over the whole SLO period.',
      type: 'stat',
      unit: 'suffix:x',
      decimals: 2,
      width: 4,
      height: 6,
      thresholds: [{ value: 1, color: 'red' }],
      queries: [instant(series(SLO_SERIES.periodBurnRate), 'period')],
    },
    {
      title: 'SLI over time',
      description: `Share of good events over ${SLI_WINDOW} windows, against the objective.`,
      unit: 'percentunit',
      decimals: 3,
      width: 8,
      height: 6,
      queries: [q(`1 - ${series(sliErrorRatio(SLI_WINDOW))}`, `SLI (${SLI_WINDOW})`), q(series(SLO_SERIES.objective), 'objective')],
    },
  ];
}

export function sloSection(model: Model, at: SpecLocation): SectionDraft {
  if (model.specs.slos.length === 0) return { variables: [], rows: [] };
  return {
    variables: sloVariables(),
    rows: [{ title: `$${SLO_VARIABLE}`, repeat: SLO_VARIABLE, panels: sloPanels().map((panel) => ({ panel, at })) }],
  };
}
