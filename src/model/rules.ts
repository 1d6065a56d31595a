import { z } from 'zod';
import { durationSchema } from './duration.ts';
import { metricReferenceSchema, type MetricSpec } from './catalog.ts';
import { runbookSchema } from './runbook.ts';

/**
 * Alerts and recording rules as authors write them. Expressions are PromQL strings; build them with the
 * `promql` tag so metric references stay typed.
 */

/** One input series of a promtool unit test, synthesised from the metric's catalog type. */
export const testSeriesSchema = z.strictObject({
  metric: metricReferenceSchema,
  labels: z.record(z.string(), z.string()).default({}),
  /** A gauge held at this value. */
  value: z.number().optional(),
  /** A counter growing at this many per second. */
  rate: z.number().nonnegative().optional(),
  /** A histogram receiving `rate` observations per second, all of size `value`. */
  observe: z.strictObject({ rate: z.number().nonnegative(), value: z.number() }).optional(),
  /** Raw promtool expanding notation, for shapes the helpers above cannot express. */
  values: z.string().optional(),
  /** Series of a histogram or summary: which one (`_count`, `_sum`) when `values` is raw. */
  suffix: z.enum(['_bucket', '_count', '_sum']).optional(),
});
export type TestSeriesSpec = z.input<typeof testSeriesSchema>;

export const alertScenarioSchema = z.strictObject({
  description: z.string().optional(),
  /**
   * The input series. Empty means Prometheus has no series at all, as when service discovery finds no
   * target: the case an `absent()` guard exists for.
   */
  series: z.array(testSeriesSchema),
  /** Labels the alert carries from its expression (the rule's own labels are added automatically). */
  labels: z.record(z.string(), z.string()).default({}),
  /** The expression's value at evaluation time, for annotations that print `$value`. */
  value: z.number().optional(),
  /** How long after the series start the alert is evaluated; defaults to `for` plus 10 minutes. */
  evalAfter: durationSchema.optional(),
});
export type AlertScenarioSpec = z.input<typeof alertScenarioSchema>;

export const severitySchema = z.enum(['critical', 'warning', 'info']);
export type Severity = z.infer<typeof severitySchema>;

const ALERT_NAME = /^[A-Z][A-Za-z0-9]*$/;
const RECORD_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export const alertSpecSchema = z.strictObject({
  alert: z.string().regex(ALERT_NAME, 'alert names are UpperCamelCase'),
  expr: z.string().min(1),
  for: durationSchema.default('0s'),
  keepFiringFor: durationSchema.optional(),
  severity: severitySchema,
  summary: z.string().min(1),
  /** Go template text; `{{ $labels.x }}`, `{{ $value }}` and the humanize functions are supported. */
  description: z.string().min(1),
  /** Defaults to the runbook page generated under out/docs/runbooks/. */
  runbookUrl: z.string().url().optional(),
  /** What the generated runbook page says: meaning, first checks, queries to run. */
  runbook: runbookSchema.optional(),
  /** Id of the dashboard to open first; becomes the `dashboard_url` annotation. Defaults to the group's. */
  dashboard: z.string().min(1).optional(),
  team: z.string().optional(),
  service: z.string().optional(),
  labels: z.record(z.string(), z.string()).default({}),
  annotations: z.record(z.string(), z.string()).default({}),
  /** promtool unit tests: every alert needs at least one firing and one quiet case. */
  tests: z.strictObject({
    firing: z.array(alertScenarioSchema).min(1),
    quiet: z.array(alertScenarioSchema).min(1),
  }),
});
export type AlertSpec = z.input<typeof alertSpecSchema>;

export const recordingRuleSpecSchema = z.strictObject({
  record: z.string().regex(RECORD_NAME, 'not a valid metric name'),
  expr: z.string().min(1),
  labels: z.record(z.string(), z.string()).default({}),
  help: z.string().optional(),
  /** Unit of the result, for dashboards (`seconds`, `ratio`, `reqps`, ...). */
  unit: z.string().optional(),
});
export type RecordingRuleSpec = z.input<typeof recordingRuleSpecSchema>;

export const ruleSpecSchema = z.union([alertSpecSchema, recordingRuleSpecSchema]);
export type RuleSpec = AlertSpec | RecordingRuleSpec;

export const ruleGroupSpecSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9.-]*$/, 'group names are lower-case with dots or dashes'),
  /** Output file stem under out/prometheus/rules/; defaults to the group name. */
  file: z.string().optional(),
  interval: durationSchema.optional(),
  /**
   * How far in the past the group evaluates (`query_offset`, Prometheus 2.53 and later): where samples arrive
   * late (remote write, a federated or agent Prometheus), so an alert never reads a window still filling.
   */
  queryOffset: durationSchema.optional(),
  /** Most alerts, or series, one evaluation of a rule may produce (`limit`); past it the evaluation fails. */
  limit: z.number().int().positive().optional(),
  team: z.string().optional(),
  service: z.string().optional(),
  /** Id of the dashboard every alert of the group links, unless the alert names its own. */
  dashboard: z.string().min(1).optional(),
  rules: z.array(ruleSpecSchema).min(1),
});
export type RuleGroupSpec = z.input<typeof ruleGroupSpecSchema>;

export function isAlert(rule: RuleSpec): rule is AlertSpec {
  return 'alert' in rule;
}

/**
 * Tag for PromQL text: metric objects interpolate to their names.
 *   promql`sum by (model) (rate(${requestsTotal}[5m]))`
 */
export function promql(strings: TemplateStringsArray, ...values: Array<MetricSpec | string | number>): string {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += (typeof v === 'object' ? v.name : String(v)) + (strings[i + 1] ?? '');
  });
  return out;
}
