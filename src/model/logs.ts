import { sortKeys } from './sort-keys.ts';
import type { Stack } from './stack.ts';
import { z } from 'zod';
import { labelSpecSchema } from './catalog.ts';
import { durationSchema } from './duration.ts';
import { severitySchema } from './rules.ts';
import { runbookSchema } from './runbook.ts';

/**
 * Log pipelines as authors write them: the Loki store, the log streams to collect (where the pods run,
 * how their lines parse, which fields become stream labels and which structured metadata), and the
 * log-based alerts the Loki ruler evaluates. One model becomes the Loki config, the Alloy config and the
 * legacy Promtail config, so both shippers run the same pipeline.
 */

const FIELD = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A JSON parse: extracted field name → JMESPath expression into the line. */
const jsonParserSchema = z.strictObject({
  type: z.literal('json'),
  expressions: z.record(z.string().regex(FIELD), z.string().min(1)),
});
/** A regex parse: RE2 with named groups `(?P<field>...)`; each group becomes an extracted field. */
const regexParserSchema = z.strictObject({
  type: z.literal('regex'),
  expression: z.string().min(1),
});
export const logParserSchema = z.discriminatedUnion('type', [jsonParserSchema, regexParserSchema]);
export type LogParser = z.output<typeof logParserSchema>;

export const logStreamSchema = z.strictObject({
  /** Id used in component and job names, e.g. `kthena-router-access`. */
  name: z.string().regex(/^[a-z][a-z0-9-]*$/),
  namespace: z.string(),
  /** Pod labels that select the pods whose container logs form this stream. */
  podLabels: z.record(z.string(), z.string()),
  /** The `app` stream label of the stream. */
  app: z.string(),
  /**
   * Parsers tried in order on each line (a line one of them cannot parse passes through it unchanged),
   * so one stream can carry more than one line format.
   */
  parsers: z.array(logParserSchema).min(1),
  /** Cardinality of every extracted field, as the catalog describes metric labels. */
  fields: z.record(z.string().regex(FIELD), labelSpecSchema),
  /** The field holding the log line's own time (RFC 3339). */
  timestamp: z.string().optional(),
  /** Derives a `<label>` of `1xx`..`5xx` from an HTTP status field. */
  statusClass: z.strictObject({ from: z.string(), label: z.string().regex(FIELD) }).optional(),
  /** Stream label → extracted field. Keep them few and bounded. */
  labels: z.record(z.string().regex(FIELD), z.string()).default({}),
  /** Structured metadata key → extracted field: per-line values such as request ids. */
  structuredMetadata: z.record(z.string().regex(FIELD), z.string()).default({}),
});
export type LogStream = z.output<typeof logStreamSchema>;

export const logAlertSchema = z.strictObject({
  alert: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'alert names are UpperCamelCase'),
  /** A LogQL metric query. */
  expr: z.string().min(1),
  for: durationSchema.default('0s'),
  severity: severitySchema,
  summary: z.string().min(1),
  description: z.string().min(1),
  team: z.string().optional(),
  service: z.string().optional(),
  labels: z.record(z.string(), z.string()).default({}),
  /** What the generated runbook page says: meaning, first checks, queries to run. */
  runbook: runbookSchema.optional(),
  /** Id of the dashboard to open first; becomes the `dashboard_url` annotation. */
  dashboard: z.string().min(1).optional(),
});
export type LogAlert = z.output<typeof logAlertSchema>;

export const schemaPeriodSchema = z.strictObject({
  /** First day of the period, YYYY-MM-DD. Never change it once data was written under it. */
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  store: z.enum(['tsdb', 'boltdb-shipper', 'boltdb']).default('tsdb'),
  schema: z.enum(['v11', 'v12', 'v13']).default('v13'),
  objectStore: z.string().default('filesystem'),
});
export type SchemaPeriod = z.output<typeof schemaPeriodSchema>;

export const logsSpecSchema = z.strictObject({
  loki: z.strictObject({
    major: z.union([z.literal(2), z.literal(3)]).default(3),
    /** Base URL of Loki as the shippers reach it; defaults to the stack's `lokiUrl`. */
    url: z.string().url().optional(),
    /** Index periods, oldest first; the last one is the active one. */
    schema: z.array(schemaPeriodSchema).min(1),
    /** Local path Loki keeps its index, chunks, rules and compactor state under. */
    dataDir: z.string().startsWith('/').default('/var/loki'),
    retention: durationSchema.default('744h'),
    ruleEvaluationInterval: durationSchema.default('1m'),
    /** Tenant the ruler files are stored under (`fake` when multi-tenancy is off). */
    tenant: z.string().default('fake'),
  }),
  streams: z.array(logStreamSchema).min(1),
  /** Log-based alerts, evaluated by the Loki ruler and routed through Alertmanager. */
  alerts: z.array(logAlertSchema).default([]),
  /** Group name of the ruler file. */
  ruleGroup: z.string().regex(/^[a-z][a-z0-9.-]*$/).default('log-alerts'),
});
export type LogsSpec = z.input<typeof logsSpecSchema>;
export type Logs = z.output<typeof logsSpecSchema>;

/** The stream labels every stream carries from discovery, besides the ones taken from fields. */
export const DISCOVERY_LABELS = ['namespace', 'pod', 'app'] as const;

/** Every stream label of a stream: discovery labels, field labels, the status class. */
export function streamLabels(stream: LogStream): string[] {
  const labels = new Set<string>([...DISCOVERY_LABELS, ...Object.keys(stream.labels)]);
  if (stream.statusClass) labels.add(stream.statusClass.label);
  return [...labels].sort();
}

/** Named groups of an RE2 expression, in order. */
export function regexGroups(expression: string): string[] {
  return [...expression.matchAll(/\(\?P<([a-zA-Z_][a-zA-Z0-9_]*)>/g)].map((m) => m[1]!);
}

/** Every field the parsers of a stream can extract. */
export function extractedFields(stream: LogStream): string[] {
  const fields = new Set<string>();
  for (const p of stream.parsers) {
    if (p.type === 'json') for (const name of Object.keys(p.expressions)) fields.add(name);
    else for (const name of regexGroups(p.expression)) fields.add(name);
  }
  return [...fields].sort();
}

/** Loki base URL: the log spec's, else the stack's. */
export function lokiUrl(logs: Logs, stack: Stack): string | undefined {
  return logs.loki.url ?? stack.lokiUrl;
}

/** Static labels of a log-based alert: severity, team, service, then its own. */
export function logAlertLabels(alert: LogAlert): Record<string, string> {
  const labels: Record<string, string> = { severity: alert.severity };
  if (alert.team) labels.team = alert.team;
  if (alert.service) labels.service = alert.service;
  return sortKeys({ ...labels, ...alert.labels });
}
