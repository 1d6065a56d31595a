import { z } from 'zod';

/**
 * Grafana dashboards as authors write them: rows of panels, each panel a title, a unit and PromQL queries
 * built from catalog metric objects. Layout, panel ids, the datasource variable, UIDs and links between
 * dashboards are derived by the generator, never written by hand.
 */

const ID = /^[a-z][a-z0-9-]*$/;
const VARIABLE_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const panelTypeSchema = z.enum(['timeseries', 'stat', 'heatmap']);
export type PanelType = z.infer<typeof panelTypeSchema>;

export const dashboardQuerySchema = z.strictObject({
  expr: z.string().min(1),
  /** Legend template, e.g. `{{model}}`. */
  legend: z.string().optional(),
  /** Evaluate at the end of the range only (stat panels of totals). */
  instant: z.boolean().default(false),
});
export type DashboardQuerySpec = z.input<typeof dashboardQuerySchema>;
export type DashboardQuery = z.output<typeof dashboardQuerySchema>;

export const thresholdStepSchema = z.strictObject({ value: z.number(), color: z.string().min(1) });

export const panelSpecSchema = z.strictObject({
  title: z.string().min(1),
  description: z.string().min(1),
  type: panelTypeSchema.default('timeseries'),
  /** Grafana unit id: `reqps`, `s`, `percentunit`, `short`, `decmbytes`, `watt`, `celsius`, ... */
  unit: z.string().min(1),
  queries: z.array(dashboardQuerySchema).min(1),
  /** Grid columns out of 24. */
  width: z.number().int().min(1).max(24).default(12),
  height: z.number().int().min(1).max(40).default(8),
  min: z.number().optional(),
  max: z.number().optional(),
  decimals: z.number().int().min(0).optional(),
  /** Stack the series of a timeseries panel. */
  stack: z.boolean().default(false),
  /** Colour steps above the base colour, e.g. `[{value: 0.8, color: 'orange'}]`. */
  thresholds: z.array(thresholdStepSchema).optional(),
  /** Colour below the first threshold: green when high values are bad, red when low values are. */
  baseColor: z.string().min(1).default('green'),
});
export type PanelSpec = z.input<typeof panelSpecSchema>;
export type Panel = z.output<typeof panelSpecSchema>;

export const rowSpecSchema = z.strictObject({
  title: z.string().min(1),
  panels: z.array(panelSpecSchema).min(1),
});
export type RowSpec = z.input<typeof rowSpecSchema>;
export type Row = z.output<typeof rowSpecSchema>;

/** A variable filled from the values of one label of one catalog series (`label_values(series{…}, label)`). */
export const labelVariableSchema = z.strictObject({
  type: z.literal('label'),
  name: z.string().regex(VARIABLE_NAME),
  title: z.string().min(1),
  /** Series name as it appears in PromQL (`foo_bucket`, `foo_count` or the family). */
  series: z.string().min(1),
  labelName: z.string().min(1),
  /** Label matchers narrowing the values, e.g. `{model=~"$model"}` for chained variables. */
  matchers: z.string().startsWith('{').endsWith('}').optional(),
  multi: z.boolean().default(true),
  includeAll: z.boolean().default(true),
});
export type LabelVariableSpec = z.input<typeof labelVariableSchema>;

/** A fixed list of values. */
export const customVariableSchema = z.strictObject({
  type: z.literal('custom'),
  name: z.string().regex(VARIABLE_NAME),
  title: z.string().min(1),
  values: z.array(z.string().min(1)).min(1),
  multi: z.boolean().default(false),
  includeAll: z.boolean().default(false),
});

export const variableSpecSchema = z.discriminatedUnion('type', [labelVariableSchema, customVariableSchema]);
export type VariableSpec = z.input<typeof variableSpecSchema>;
export type Variable = z.output<typeof variableSpecSchema>;

/** Generated sections: rows and variables the generator derives from other specs (a row repeated per SLO, ...). */
export const generatedSectionSchema = z.enum(['slos']);
export type GeneratedSection = z.infer<typeof generatedSectionSchema>;

export const dashboardSpecSchema = z.strictObject({
  /** Stable id: file name, UID (`grafanaUid(id)`) and ConfigMap name derive from it. */
  id: z.string().regex(ID, 'dashboard ids are lower-case with dashes'),
  title: z.string().min(1),
  description: z.string().min(1),
  tags: z.array(z.string().min(1)).default([]),
  refresh: z.string().default('1m'),
  from: z.string().default('now-6h'),
  variables: z.array(variableSpecSchema).default([]),
  /**
   * Series whose label values fill one variable per stack external label (provider, cluster, ...), for
   * comparing clusters behind one datasource. Panels filter on them with `externalLabelFilter`.
   */
  crossClusterSeries: z.string().optional(),
  rows: z.array(rowSpecSchema).default([]),
  /** Rows derived from other specs, placed after `rows`. */
  generated: z.array(generatedSectionSchema).default([]),
  /** Ids of dashboards this one links to, shown as buttons in the dashboard header. */
  links: z.array(z.string().regex(ID)).default([]),
});
export type DashboardSpec = z.input<typeof dashboardSpecSchema>;
export type Dashboard = z.output<typeof dashboardSpecSchema>;
