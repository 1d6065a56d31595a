import { LOKI3_MAX_LABEL_NAMES } from '../conventions.ts';
import { checkLogQL } from '../logql/check.ts';
import type { Diagnostics } from '../model/diagnostics.ts';
import { extractedFields, lokiUrl, streamLabels, type LogAlert, type LogStream, type Logs } from '../model/logs.ts';
import { locate, type Located, type Model } from '../model/model.ts';

/**
 * Log pipeline checks: a Loki config Loki 3 accepts, stream labels few and bounded, every label and
 * metadata key taken from a field a parser extracts, parser regexes that compile, and log-based alerts
 * whose LogQL parses and selects declared streams.
 */

/** An RE2 pattern as a JavaScript RegExp: named groups `(?P<n>` become `(?<n>`. */
export function re2ToRegExp(pattern: string, flags = ''): RegExp {
  return new RegExp(pattern.replace(/\(\?P</g, '(?<'), flags);
}

function checkLoki(logs: Located<Logs>, d: Diagnostics): void {
  const { loki } = logs.value;
  const periods = loki.schema;
  periods.forEach((p, i) => {
    if (i > 0 && p.from <= periods[i - 1]!.from)
      d.error(
        'logs/schema-order',
        locate(logs, `loki.schema[${i}].from`),
        `period ${i} starts ${p.from}, not after the previous period (${periods[i - 1]!.from})`,
        'list periods oldest first and append new ones with a later `from`; never rewrite the dates of periods holding data',
      );
  });
  if (loki.major !== 3) return;
  periods.forEach((p, i) => {
    const active = i === periods.length - 1;
    const at = locate(logs, `loki.schema[${i}]`);
    if (p.store === 'boltdb')
      d.error('logs/loki3-rejects', at, 'the `boltdb` index store was removed in Loki 3', `use \`store: 'tsdb', schema: 'v13'\` for a new period starting after today`);
    else if (active && (p.store !== 'tsdb' || p.schema !== 'v13'))
      d.error(
        'logs/loki3-rejects',
        at,
        `the active period uses ${p.store} with schema ${p.schema}; Loki 3 refuses to start with structured metadata on unless the active period is tsdb with v13`,
        "append a period `{ from: '<a date after the rollout>', store: 'tsdb', schema: 'v13' }` and keep this one as history",
      );
  });
}

function checkStreams(logs: Located<Logs>, d: Diagnostics): void {
  logs.value.streams.forEach((stream, i) => {
    const at = (path: string) => locate(logs, `streams[${i}]${path ? `.${path}` : ''}`);
    const extracted = new Set(extractedFields(stream));
    stream.parsers.forEach((p, j) => {
      if (p.type !== 'regex') return;
      try {
        re2ToRegExp(p.expression);
      } catch (err) {
        d.error('logs/invalid-regex', at(`parsers[${j}].expression`), `the regex does not compile: ${(err as Error).message}`, 'fix the expression (RE2 syntax, named groups as (?P<name>...))');
      }
    });
    for (const field of extracted)
      if (!stream.fields[field])
        d.error(
          'logs/undeclared-field',
          at(`fields`),
          `field ${field} is extracted but its cardinality is not declared`,
          `add \`${field}: label.bounded()\` (or enum/unbounded) to the stream's fields`,
        );
    const uses: Array<[string, string]> = [
      ...Object.entries(stream.labels).map(([l, f]) => [`labels.${l}`, f] as [string, string]),
      ...Object.entries(stream.structuredMetadata).map(([k, f]) => [`structuredMetadata.${k}`, f] as [string, string]),
      ...(stream.statusClass ? [['statusClass.from', stream.statusClass.from] as [string, string]] : []),
      ...(stream.timestamp ? [['timestamp', stream.timestamp] as [string, string]] : []),
    ];
    for (const [path, field] of uses)
      if (!extracted.has(field))
        d.error('logs/unknown-field', at(path), `field ${field} is not extracted by any parser of stream ${stream.name}`, `use one of: ${[...extracted].join(', ')}`);
    for (const [label, field] of Object.entries(stream.labels)) {
      if (stream.fields[field]?.kind === 'unbounded')
        d.error(
          'logs/unbounded-label',
          at(`labels.${label}`),
          `stream label ${label} takes field ${field}, whose values are unbounded: every value opens a new Loki stream`,
          `move it to structuredMetadata (\`${label}: '${field}'\`); it stays filterable with \`| ${label}="..."\``,
        );
    }
    const labels = streamLabels(stream);
    if (labels.length > LOKI3_MAX_LABEL_NAMES)
      d.error('logs/too-many-labels', at('labels'), `stream ${stream.name} has ${labels.length} labels; Loki 3 rejects more than ${LOKI3_MAX_LABEL_NAMES}`, 'move per-line values to structured metadata');
  });
}

/** Each alert's LogQL against the spec's streams, at its place in the spec's `alerts`. */
function checkAlerts(item: Located<unknown>, streams: readonly LogStream[], alerts: ReadonlyArray<{ index: number; alert: LogAlert }>, d: Diagnostics): void {
  for (const { index, alert } of alerts)
    for (const p of checkLogQL(alert.expr, { streams, requireMetric: true })) {
      const at = locate(item, `alerts[${index}].expr`);
      if (p.severity === 'error') d.error(p.code, at, p.message, p.fix);
      else d.warning(p.code, at, p.message, p.fix);
    }
}

export const checkLogs = (model: Model, d: Diagnostics): void => {
  const [logs, ...extra] = model.specs.logs;
  for (const e of extra) d.error('logs/duplicate-logs', locate(e), `a second log spec is declared (the first is in ${logs!.file})`, 'keep one `defineLogs` in the specs');
  if (logs) {
    if (!lokiUrl(logs.value, model.stack.value))
      d.error('logs/no-loki-url', locate(logs, 'loki.url'), 'no Loki URL: neither loki.url nor the stack\'s lokiUrl is set', 'set `lokiUrl` in the stack settings');
    checkLoki(logs, d);
    checkStreams(logs, d);
    checkAlerts(logs, logs.value.streams, logs.value.alerts.map((alert, index) => ({ index, alert })), d);
  }
  // The valid alerts of a log spec that failed its schema, against its streams (kept only when all are valid).
  for (const salvaged of model.salvaged?.logs ?? []) checkAlerts(salvaged, salvaged.value.streams, salvaged.value.alerts, d);
};
