import { z } from 'zod';
import { referencedMetrics } from '../promql/analyze.ts';
import { dashboardSpecSchema, panelSpecSchema, variableSpecSchema } from './dashboard.ts';
import { logAlertSchema, logStreamSchema } from './logs.ts';
import type { Located, SalvagedDashboard, SalvagedLogs, SalvagedRule, SalvagedSloService, SalvagedSpecs } from './model.ts';
import { ruleSpecSchema } from './rules.ts';
import { sloSchema, sloServiceSpecSchema } from './slo.ts';
import type { SpecDeclaration } from './spec.ts';

export function noSalvagedSpecs(): SalvagedSpecs {
  return { rules: [], dashboards: [], slos: [], logs: [] };
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function listAt(value: unknown, key: string): unknown[] {
  const list = field(value, key);
  return Array.isArray(list) ? list : [];
}

function stringAt(value: unknown, key: string): string | undefined {
  const text = field(value, key);
  return typeof text === 'string' ? text : undefined;
}

/** Each item of `list` that passes `schema` on its own, with its index in the list. */
function validItems<T>(list: readonly unknown[], schema: z.ZodType<T>, jitless: boolean): Array<{ index: number; value: T }> {
  return list.flatMap((value, index) => {
    const parsed = schema.safeParse(value, { jitless });
    return parsed.success ? [{ index, value: parsed.data }] : [];
  });
}

/** Each rule of a group that failed its schema, validated on its own. */
function salvageRules(spec: unknown, jitless: boolean): SalvagedRule[] | undefined {
  const rules = listAt(spec, 'rules');
  const valid = validItems(rules, ruleSpecSchema, jitless).map(({ index, value }) => ({ index, rule: value }));
  const validIndexes = new Set(valid.map((v) => v.index));
  const unrecorded = new Set(rules.flatMap((value, index) => (validIndexes.has(index) ? [] : (stringAt(value, 'record') ?? []))));
  // A rule reading a series that a broken rule of its group records would only be told the series is unknown.
  const kept = unrecorded.size === 0 ? valid : valid.filter(({ rule }) => !referencedMetrics(rule.expr).some((name) => unrecorded.has(name)));
  return kept.length > 0 ? kept : undefined;
}

const { crossClusterSeries, generated } = dashboardSpecSchema.shape;

/**
 * Each panel and variable of a dashboard that failed its schema, validated on its own, with the names
 * its queries may use as variables: those it declares (valid or not) and those its own fields derive.
 */
function salvageDashboard(spec: unknown, jitless: boolean): SalvagedDashboard | undefined {
  const rows = listAt(spec, 'rows').flatMap((row, index) => {
    const panels = validItems(listAt(row, 'panels'), panelSpecSchema, jitless).map(({ index, value }) => ({ index, panel: value }));
    return panels.length > 0 ? [{ index, title: stringAt(row, 'title') ?? `rows[${index}]`, panels }] : [];
  });
  const variables = validItems(listAt(spec, 'variables'), variableSpecSchema, jitless).map(({ index, value }) => ({ index, variable: value }));
  const id = stringAt(spec, 'id');
  // A dashboard whose id can be read is kept even with nothing valid: alerts that link it are not told it is unknown.
  if (rows.length === 0 && variables.length === 0 && id === undefined) return undefined;
  const declared = listAt(spec, 'variables').map((v) => stringAt(v, 'name'));
  const cross = crossClusterSeries.safeParse(field(spec, 'crossClusterSeries'), { jitless });
  const sections = generated.safeParse(field(spec, 'generated'), { jitless });
  const named = declared.every((name) => name !== undefined) && cross.success && sections.success;
  return {
    ...(id !== undefined ? { id } : {}),
    rows,
    variables,
    ...(named ? { variableNames: { declared: declared as string[], ...(cross.data ? { crossClusterSeries: cross.data } : {}), generated: sections.data } } : {}),
  };
}

/** The fields of an SLO service besides its SLOs. */
const sloServiceFieldsSchema = z.object({
  service: sloServiceSpecSchema.shape.service,
  labels: sloServiceSpecSchema.shape.labels,
  options: sloServiceSpecSchema.shape.options,
});

/** Each SLO of a service that failed its schema, validated on its own; with the service's own fields, the service they make. */
function salvageSlos(spec: unknown, jitless: boolean): SalvagedSloService | undefined {
  const slos = validItems(listAt(spec, 'slos'), sloSchema, jitless).map(({ index, value }) => ({ index, slo: value }));
  if (slos.length === 0) return undefined;
  const fields = sloServiceFieldsSchema.safeParse(spec, { jitless });
  return { slos, ...(fields.success ? { service: { ...fields.data, slos: slos.map((s) => s.slo) } } : {}) };
}

/**
 * Each alert of a log spec that failed its schema, validated on its own. Alerts select the spec's streams,
 * so they are kept only when every stream passes its schema: against some of them, a query selecting a
 * broken one would only be told it matches no stream.
 */
function salvageLogs(spec: unknown, jitless: boolean): SalvagedLogs | undefined {
  const listed = listAt(spec, 'streams');
  const streams = validItems(listed, logStreamSchema, jitless).map(({ value }) => value);
  if (streams.length === 0 || streams.length < listed.length) return undefined;
  const alerts = validItems(listAt(spec, 'alerts'), logAlertSchema, jitless).map(({ index, value }) => ({ index, alert: value }));
  return alerts.length > 0 ? { streams, alerts } : undefined;
}

function keep<T>(list: Array<Located<T>>, value: T | undefined, where: { file: string; root: string }): void {
  if (value !== undefined) list.push({ value, ...where });
}

/** Keeps what can be checked of a declaration that failed its schema; kinds without queries keep nothing. */
export function salvageDeclaration(salvaged: SalvagedSpecs, declaration: SpecDeclaration, where: { file: string; root: string }, jitless: boolean): void {
  const { spec } = declaration;
  if (declaration.kind === 'rules') keep(salvaged.rules, salvageRules(spec, jitless), where);
  else if (declaration.kind === 'dashboard') keep(salvaged.dashboards, salvageDashboard(spec, jitless), where);
  else if (declaration.kind === 'slos') keep(salvaged.slos, salvageSlos(spec, jitless), where);
  else if (declaration.kind === 'logs') keep(salvaged.logs, salvageLogs(spec, jitless), where);
}
