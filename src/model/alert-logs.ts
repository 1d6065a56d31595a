import { GRAFANA_LOKI_DATASOURCE_UID } from '../conventions.ts';
import { logSelectors } from '../logql/analyze.ts';
import { selectors } from '../promql/analyze.ts';
import type { Source } from './catalog.ts';
import { lokiUrl, type LogStream } from './logs.ts';
import type { Model } from './model.ts';

/**
 * Where an alert's logs are: the declared log stream of the pods its expression reads. A rule alert reads
 * catalog sources (through their metrics, or `up{job=...}` for the source of that job); the stream that
 * collects those sources' pods is its log stream. A log alert reads its stream directly. An alert whose
 * sources have no stream, or more than one, links no logs.
 */

/** The LogQL selector of every line of a stream: the stream labels discovery gives it. */
export function streamSelector(stream: LogStream): string {
  return `{namespace="${stream.namespace}", app="${stream.app}"}`;
}

function streamsOf(model: Model): LogStream[] {
  return model.specs.logs.flatMap((l) => l.value.streams);
}

function collects(stream: LogStream, source: Source): boolean {
  const pods = source.kubernetes;
  if (!pods || pods.namespace !== stream.namespace) return false;
  return Object.entries(stream.podLabels).every(([k, v]) => pods.podLabels[k] === v);
}

function sourcesRead(model: Model, expr: string): Source[] {
  const found = new Map<string, Source>();
  for (const s of selectors(expr)) {
    const job = s.matchers.find((m) => m.label === 'job' && m.op === '=');
    const source = job
      ? model.catalog.sources.find((x) => x.job === job.value)
      : model.catalog.source(model.catalog.lookupSeries(s.metric)?.metric.source ?? '');
    if (source) found.set(source.name, source);
  }
  return [...found.values()];
}

function only(streams: Iterable<LogStream>): LogStream | undefined {
  const unique = [...new Set(streams)];
  return unique.length === 1 ? unique[0] : undefined;
}

/** The log stream of the pods a PromQL alert reads, when exactly one declared stream collects them. */
export function ruleAlertStream(model: Model, expr: string): LogStream | undefined {
  const streams = streamsOf(model);
  if (streams.length === 0) return undefined;
  return only(sourcesRead(model, expr).flatMap((source) => streams.filter((stream) => collects(stream, source))));
}

/** The stream a LogQL alert selects by its namespace and app stream labels. */
export function logAlertStream(model: Model, expr: string): LogStream | undefined {
  const matched = logSelectors(expr).flatMap((matchers) => {
    const equal = (label: string) => matchers.find((m) => m.label === label && m.op === '=')?.value;
    return streamsOf(model).filter((s) => equal('namespace') === s.namespace && equal('app') === s.app);
  });
  return only(matched);
}

/**
 * Grafana Explore on the provisioned Loki datasource with the stream's selector over the last hour, in the
 * `panes` form of Grafana 10 and later; undefined without a Grafana URL or a Loki to provision. Fully
 * URL-encoded, so the annotation holds no template braces.
 */
export function logsUrl(model: Model, stream: LogStream | undefined): string | undefined {
  const stack = model.stack.value;
  const [logs] = model.specs.logs;
  const loki = logs ? lokiUrl(logs.value, stack) : undefined;
  if (!stream || !stack.grafanaUrl || !loki) return undefined;
  const datasource = { type: 'loki', uid: GRAFANA_LOKI_DATASOURCE_UID };
  const panes = {
    logs: { datasource: datasource.uid, queries: [{ refId: 'A', expr: streamSelector(stream), datasource }], range: { from: 'now-1h', to: 'now' } },
  };
  return `${stack.grafanaUrl.replace(/\/$/, '')}/explore?schemaVersion=1&orgId=1&panes=${encodeURIComponent(JSON.stringify(panes))}`;
}
