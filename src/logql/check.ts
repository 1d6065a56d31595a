import { extractedFields, streamLabels, type LogStream } from '../model/logs.ts';
import { matchValue } from '../model/routing.ts';
import { isMetricQuery, logLabelFilters, logParsers, logqlGroupingLabels, logSelectors, parseLogQL, type LogMatcher } from './analyze.ts';

/**
 * LogQL checks against the declared log streams: the query parses, it is a metric query where one is
 * needed, its selector names stream labels and can match a declared stream, and what it groups by is a
 * stream label or a field its parser extracts, never an unbounded one.
 */

export interface LogQLContext {
  streams: readonly LogStream[];
  /** Alerts and recording rules need a metric query. */
  requireMetric?: boolean;
}

export interface LogQLProblem {
  code: string;
  severity: 'error' | 'warning';
  message: string;
  fix: string;
}

/** Label values a stream is known to carry, for deciding whether a selector can match it. */
function knownValues(stream: LogStream): Record<string, string> {
  return { namespace: stream.namespace, app: stream.app };
}


function selects(matchers: readonly LogMatcher[], stream: LogStream): boolean {
  const labels = new Set(streamLabels(stream));
  const known = knownValues(stream);
  return matchers.every((m) => {
    if (!labels.has(m.label)) return m.op === '!=' || m.op === '!~' ? true : false;
    const value = known[m.label];
    return value === undefined || matchValue(m.op, m.value, value);
  });
}

export function checkLogQL(expr: string, ctx: LogQLContext): LogQLProblem[] {
  const problems: LogQLProblem[] = [];
  const parsed = parseLogQL(expr);
  if (parsed.error)
    return [{ code: 'logql/syntax', severity: 'error', message: `LogQL syntax error: ${parsed.error.reason}`, fix: 'correct the query so Loki can parse it' }];
  if (ctx.requireMetric && !isMetricQuery(expr))
    problems.push({
      code: 'logql/not-a-metric-query',
      severity: 'error',
      message: 'a log query returns lines, not samples, so the ruler cannot alert on it',
      fix: 'wrap it in a range aggregation, e.g. `sum by (namespace) (count_over_time(<query> [5m])) > 0`',
    });

  const allLabels = new Set(ctx.streams.flatMap((s) => streamLabels(s)));
  const selectors = logSelectors(expr);
  const matched = new Set<LogStream>();
  for (const matchers of selectors) {
    let unknownLabel = false;
    for (const m of matchers) {
      if (allLabels.has(m.label)) continue;
      unknownLabel = true;
      problems.push({
        code: 'logql/unknown-label',
        severity: 'error',
        message: `stream selector label "${m.label}" is not a label of any log stream (stream labels: ${[...allLabels].sort().join(', ')})`,
        fix: 'select on a stream label, or filter on the field after a parser stage (`| json | field="..."`)',
      });
    }
    const hits = ctx.streams.filter((s) => selects(matchers, s));
    if (hits.length === 0 && !unknownLabel)
      problems.push({
        code: 'logql/no-stream',
        severity: 'error',
        message: `the selector {${matchers.map((m) => `${m.label}${m.op}"${m.value}"`).join(', ')}} matches none of the declared log streams`,
        fix: `select one of: ${ctx.streams.map((s) => `{namespace="${s.namespace}", app="${s.app}"}`).join(', ')}`,
      });
    for (const h of hits) matched.add(h);
  }

  const parses = logParsers(expr).length > 0;
  const streams = [...matched];
  const labelsOf = (name: string) => streams.some((s) => streamLabels(s).includes(name));
  const metadataOf = (name: string) => streams.some((s) => name in s.structuredMetadata);
  const fieldOf = (name: string) => streams.find((s) => extractedFields(s).includes(name));
  const reachable = (name: string) => labelsOf(name) || metadataOf(name) || (parses && fieldOf(name) !== undefined);

  for (const f of logLabelFilters(expr)) {
    if (streams.length > 0 && !reachable(f.label))
      problems.push({
        code: 'logql/unknown-label',
        severity: 'error',
        message: `label filter on "${f.label}", which the selected streams neither carry nor extract`,
        fix: 'filter on a stream label, a structured metadata key, or a field a parser stage in the query extracts',
      });
  }
  for (const label of logqlGroupingLabels(expr)) {
    if (streams.length === 0) break;
    if (!reachable(label)) {
      problems.push({
        code: 'logql/unknown-label',
        severity: 'error',
        message: `grouping by "${label}", which the selected streams neither carry nor extract`,
        fix: `group by stream labels: ${[...new Set(streams.flatMap((s) => streamLabels(s)))].sort().join(', ')}`,
      });
      continue;
    }
    const unbounded = streams.some((s) => {
      const field = s.labels[label] ?? s.structuredMetadata[label] ?? label;
      return s.fields[field]?.kind === 'unbounded';
    });
    if (unbounded)
      problems.push({
        code: 'logql/unbounded-label',
        severity: 'error',
        message: `grouping by "${label}", whose values are unbounded: every value becomes its own alert series`,
        fix: 'group by bounded labels (namespace, app, model) and look the individual values up in the logs',
      });
  }
  return problems;
}
