import { grafanaUid } from '../conventions.ts';
import type { SpecLocation } from '../model/diagnostics.ts';
import {
  panelSpecSchema,
  type Dashboard,
  type GeneratedSection,
  type Panel,
  type PanelSpec,
  type Variable,
} from '../model/dashboard.ts';
import { locate, type Located, type Model } from '../model/model.ts';
import type { RowDraft } from './row-draft.ts';
import { sloRows } from './slo-rows.ts';

/**
 * A dashboard spec made concrete: generated sections expanded into rows, every row and panel numbered,
 * every variable listed (external-label variables included), and each element tied to the spec location
 * diagnostics point at. Generator, check and query listing all read this one form.
 */

export interface ResolvedPanel extends Panel {
  id: number;
  at: SpecLocation;
}

export interface ResolvedRow {
  id: number;
  title: string;
  panels: ResolvedPanel[];
}

export interface ResolvedDashboard {
  spec: Dashboard;
  uid: string;
  at: SpecLocation;
  variables: Variable[];
  rows: ResolvedRow[];
}

export type { RowDraft } from './row-draft.ts';

const SECTIONS: Record<GeneratedSection, (model: Model, at: SpecLocation) => RowDraft[]> = {
  slos: sloRows,
};

/** One query variable per stack external label, read from `series`. */
export function externalLabelVariables(model: Model, series: string): Variable[] {
  return Object.keys(model.stack.value.externalLabels)
    .sort()
    .map((label) => ({
      type: 'label' as const,
      name: label,
      title: label[0]!.toUpperCase() + label.slice(1),
      series,
      labelName: label,
      multi: true,
      includeAll: true,
    }));
}

function draftsOf(item: Located<Dashboard>, model: Model): RowDraft[] {
  const spec = item.value;
  const authored = spec.rows.map((row, r) => ({
    title: row.title,
    panels: row.panels.map((panel, p) => ({ panel, at: locate(item, `rows[${r}].panels[${p}]`) })),
  }));
  const generated = spec.generated.flatMap((section, i) => SECTIONS[section](model, locate(item, `generated[${i}]`)));
  return [...authored, ...generated];
}

export function resolveDashboard(item: Located<Dashboard>, model: Model): ResolvedDashboard {
  const spec = item.value;
  let nextId = 1;
  const rows = draftsOf(item, model).map((draft) => {
    const id = nextId++;
    const panels = draft.panels.map(({ panel, at }) => ({ ...panelSpecSchema.parse(panel), id: nextId++, at }));
    return { id, title: draft.title, panels };
  });
  const variables = [
    ...(spec.crossClusterSeries ? externalLabelVariables(model, spec.crossClusterSeries) : []),
    ...spec.variables,
  ];
  return { spec, uid: grafanaUid(spec.id), at: locate(item), variables, rows };
}

/** Every dashboard spec, resolved, in the order the specs were loaded. */
export function resolveDashboards(model: Model): ResolvedDashboard[] {
  return model.specs.dashboard.map((item) => resolveDashboard(item, model));
}
