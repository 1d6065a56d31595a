import { grafanaUid } from '../conventions.ts';
import type { SpecLocation } from '../model/diagnostics.ts';
import {
  panelSpecSchema,
  type Dashboard,
  type GeneratedSection,
  type Panel,
  type Variable,
} from '../model/dashboard.ts';
import { locate, type Located, type Model } from '../model/model.ts';
import type { RowDraft, SectionDraft } from './row-draft.ts';
import { sloSection } from './slo-rows.ts';
import { addMatchers } from '../promql/add-matchers.ts';
import { referencedMetrics } from '../promql/analyze.ts';

/**
 * A dashboard spec made concrete: generated sections expanded into rows and variables, every row and
 * panel numbered, every variable listed (external-label variables included), and each element tied to the
 * spec location diagnostics point at. Generator, check and query listing all read this one form.
 */

export interface ResolvedPanel extends Panel {
  id: number;
  at: SpecLocation;
}

export interface ResolvedRow {
  id: number;
  title: string;
  /** Grafana repeats the row (and its panels) once per selected value of this variable. */
  repeat?: string;
  panels: ResolvedPanel[];
}

export type ResolvedVariable = Variable & { at: SpecLocation };

export interface ResolvedDashboard {
  spec: Dashboard;
  uid: string;
  at: SpecLocation;
  variables: ResolvedVariable[];
  rows: ResolvedRow[];
}

export type { RowDraft, SectionDraft } from './row-draft.ts';

const SECTIONS: Record<GeneratedSection, (model: Model, at: SpecLocation) => SectionDraft> = {
  slos: sloSection,
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

/**
 * The names of the variables a dashboard has without declaring them: one per external label where it sets
 * `crossClusterSeries`, those of its generated sections and, above the clusters, one per cluster label.
 */
export function undeclaredVariableNames(model: Model, crossClusterSeries: string | undefined, generated: readonly GeneratedSection[], at: SpecLocation): string[] {
  return [
    ...(crossClusterSeries ? externalLabelVariables(model, crossClusterSeries) : []),
    ...generated.flatMap((section) => SECTIONS[section](model, at).variables),
  ].map((v) => v.name).concat(model.stack.value.global?.clusterLabels ?? []);
}

function sectionsOf(item: Located<Dashboard>, model: Model): Array<SectionDraft & { at: SpecLocation }> {
  return item.value.generated.map((section, i) => {
    const at = locate(item, `generated[${i}]`);
    return { ...SECTIONS[section](model, at), at };
  });
}

function authoredRows(item: Located<Dashboard>): RowDraft[] {
  return item.value.rows.map((row, r) => ({
    title: row.title,
    panels: row.panels.map((panel, p) => ({ panel, at: locate(item, `rows[${r}].panels[${p}]`) })),
  }));
}

export function resolveDashboard(item: Located<Dashboard>, model: Model): ResolvedDashboard {
  const spec = item.value;
  const sections = sectionsOf(item, model);
  let nextId = 1;
  const rows = [...authoredRows(item), ...sections.flatMap((s) => s.rows)].map((draft) => {
    const id = nextId++;
    const panels = draft.panels.map(({ panel, at }) => ({ ...panelSpecSchema.parse(panel), id: nextId++, at }));
    return { id, title: draft.title, ...(draft.repeat ? { repeat: draft.repeat } : {}), panels };
  });
  const variables: ResolvedVariable[] = [
    ...(spec.crossClusterSeries ? externalLabelVariables(model, spec.crossClusterSeries).map((v) => ({ ...v, at: locate(item, 'crossClusterSeries') })) : []),
    ...spec.variables.map((v, i) => ({ ...v, at: locate(item, `variables[${i}]`) })),
    ...sections.flatMap((s) => s.variables.map((v) => ({ ...v, at: s.at }))),
  ];
  const clusters = clusterVariables(model, rows, variables).map((v) => ({ ...v, at: locate(item) }));
  if (clusters.length === 0) return { spec, uid: grafanaUid(spec.id), at: locate(item), variables, rows };
  const filter = Object.fromEntries(clusters.map((v) => [v.name, `$${v.name}`]));
  const filtered = rows.map((row) => ({
    ...row,
    panels: row.panels.map((panel) => ({ ...panel, queries: panel.queries.map((q) => ({ ...q, expr: addMatchers(q.expr, filter) })) })),
  }));
  return { spec, uid: grafanaUid(spec.id), at: locate(item), variables: [...clusters, ...variables], rows: filtered };
}

/**
 * Above the clusters (stack `global`), one single-choice variable per cluster label that the dashboard
 * does not declare itself, read from the first series its panels query; every query then selects
 * `label="$label"`, as kubernetes-mixin's multi-cluster mode does, so no panel sums clusters together.
 */
function clusterVariables(model: Model, rows: readonly ResolvedRow[], declared: readonly Variable[]): Variable[] {
  const labels = model.stack.value.global?.clusterLabels ?? [];
  let series: string | undefined;
  for (const query of rows.flatMap((r) => r.panels).flatMap((p) => p.queries)) {
    series = referencedMetrics(query.expr)[0];
    if (series) break;
  }
  if (!series) return [];
  return labels
    .filter((label) => !declared.some((v) => v.name === label))
    .map((label) => ({
      type: 'label' as const,
      name: label,
      title: label[0]!.toUpperCase() + label.slice(1),
      series,
      labelName: label,
      multi: false,
      includeAll: false,
    }));
}

/** Every dashboard spec, resolved, in the order the specs were loaded. */
export function resolveDashboards(model: Model): ResolvedDashboard[] {
  return model.specs.dashboard.map((item) => resolveDashboard(item, model));
}
