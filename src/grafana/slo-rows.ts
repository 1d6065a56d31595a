import type { SpecLocation } from '../model/diagnostics.ts';
import type { PanelSpec, Variable } from '../model/dashboard.ts';
import type { Model } from '../model/model.ts';
import { instant, matchers, q } from './queries.ts';
import { SLO_LABELS, SLO_SERIES, sliErrorRatio } from '../slo/names.ts';
import type { SectionDraft } from './row-draft.ts';

/**
 * The SLO section: one row that Grafana repeats per SLO chosen in the `slo` variable (every SLO by
 * default), filled from the labels of the Sloth recording rules every SLO produces. The dashboard stays
 * the same size however many SLOs the specs declare; the SLOs themselves come from Prometheus. Grouped
 * SLOs add a variable per group label (`model`, ...), and the per-group panels show one value per group.
 */

/** The shortest SLI window Sloth records; the SLI-over-time panel plots it. */
const SLI_WINDOW = '5m';

export const SLO_SERVICE_VARIABLE = 'service';
export const SLO_VARIABLE = 'slo';

/** Every label some SLO of the specs is grouped by, sorted. */
export function sloGroupLabels(model: Model): string[] {
  return [...new Set(model.specs.slos.flatMap((s) => s.value.slos.flatMap((slo) => slo.groupBy)))].sort();
}

/** A group variable reads the label from the SLO's own recordings; its `All` also matches SLOs without the label. */
function groupVariable(label: string): Variable {
  return {
    type: 'label',
    name: label,
    title: label,
    series: sliErrorRatio(SLI_WINDOW),
    labelName: label,
    matchers: matchers({ [SLO_LABELS.id]: `$${SLO_VARIABLE}` }),
    multi: true,
    includeAll: true,
  };
}

function sloVariables(groups: readonly string[]): Variable[] {
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
    ...groups.map(groupVariable),
  ];
}

/** One series of the repeated row's SLO. */
function series(name: string): string {
  return `max(${name}${matchers({ [SLO_LABELS.id]: `$${SLO_VARIABLE}` })})`;
}

/** A series the SLO records per group: one value per group chosen in the group variables. */
function perGroup(name: string, groups: readonly string[]): string {
  if (groups.length === 0) return series(name);
  const filter = { [SLO_LABELS.id]: `$${SLO_VARIABLE}`, ...Object.fromEntries(groups.map((g) => [g, `$${g}`])) };
  return `max by (${groups.join(', ')}) (${name}${matchers(filter)})`;
}

/** A legend naming the group of each series, after `what`. */
function legend(what: string, groups: readonly string[]): string {
  return [what, ...groups.map((g) => `{{${g}}}`)].join(' ');
}

function sloPanels(groups: readonly string[]): PanelSpec[] {
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
      queries: [instant(perGroup(SLO_SERIES.periodErrorBudgetRemaining, groups), legend('remaining', groups))],
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
      queries: [instant(perGroup(SLO_SERIES.currentBurnRate, groups), legend('current', groups))],
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
      queries: [instant(perGroup(SLO_SERIES.periodBurnRate, groups), legend('period', groups))],
    },
    {
      title: 'SLI over time',
      description: `Share of good events over ${SLI_WINDOW} windows, against the objective.`,
      unit: 'percentunit',
      decimals: 3,
      width: 8,
      height: 6,
      queries: [q(`1 - ${perGroup(sliErrorRatio(SLI_WINDOW), groups)}`, legend(`SLI (${SLI_WINDOW})`, groups)), q(series(SLO_SERIES.objective), 'objective')],
    },
  ];
}

export function sloSection(model: Model, at: SpecLocation): SectionDraft {
  if (model.specs.slos.length === 0) return { variables: [], rows: [] };
  const groups = sloGroupLabels(model);
  return {
    variables: sloVariables(groups),
    rows: [{ title: `$${SLO_VARIABLE}`, repeat: SLO_VARIABLE, panels: sloPanels(groups).map((panel) => ({ panel, at })) }],
  };
}
