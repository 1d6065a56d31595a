import { GRAFANA_LOKI_DATASOURCE_UID, OUT } from '../../src/conventions.ts';
import { fileHeader, type Artifact } from '../../src/model/artifact.ts';
import type { Model } from '../../src/model/model.ts';
import { grafanaPrometheusUrl } from '../../src/model/stack.ts';
import { runsPrometheusOperator } from '../../src/model/targets.ts';
import { lokiUrl } from '../../src/model/logs.ts';
import type { Tracing } from '../../src/model/tracing.ts';
import { ROUTER_TRACE_ID_LABEL } from '../../src/catalog/kthena-router.ts';

/**
 * The datasources the dashboards and log queries read: Prometheus (panels pick it through the
 * dashboards' datasource variable), Loki when the stack names one, and Tempo or Jaeger when it names a
 * tracing backend. UIDs are fixed so links and provisioned alerts can name them. With a trace backend,
 * the three link up: a Prometheus exemplar's `trace_id` and a Loki line's trace ID open the trace, and a
 * span opens the logs of its trace.
 */

export interface GrafanaDatasource {
  name: string;
  type: 'prometheus' | 'loki' | 'tempo' | 'jaeger';
  uid: string;
  access: 'proxy';
  url: string;
  isDefault: boolean;
  jsonData?: Record<string, unknown>;
}

const PROMETHEUS_UID = 'prometheus';

/**
 * A trace ID in a log line, as the router's JSON (`"trace_id":"…"`) and text (`trace_id=…`) access
 * logs write it: 32 lower-case hex digits.
 */
export const LOG_TRACE_ID_REGEX = `${ROUTER_TRACE_ID_LABEL}(?:":"|=)([0-9a-f]{32})`;

export function traceDatasource(model: Model): GrafanaDatasource | undefined {
  const tracing = model.stack.value.tracing;
  if (!tracing) return undefined;
  const logs = lokiDatasource(model) !== undefined;
  const jsonData: Record<string, unknown> = { nodeGraph: { enabled: true } };
  // Logs of the trace: the Loki lines that carry its ID, around the span's time.
  if (logs)
    jsonData.tracesToLogsV2 = { datasourceUid: GRAFANA_LOKI_DATASOURCE_UID, filterByTraceID: true, spanStartTimeShift: '-5m', spanEndTimeShift: '5m' };
  if (tracing.backend === 'tempo') {
    jsonData.serviceMap = { datasourceUid: PROMETHEUS_UID };
    jsonData.search = { hide: false };
  }
  return { name: traceDatasourceName(tracing), type: tracing.backend, uid: tracing.backend, access: 'proxy', url: tracing.queryUrl, isDefault: false, jsonData };
}

function traceDatasourceName(tracing: Tracing): string {
  return tracing.backend === 'tempo' ? 'Tempo' : 'Jaeger';
}

export const DATASOURCES_FILE = `${OUT.grafanaProvisioning}/datasources.yaml`;

export function prometheusDatasource(model: Model): GrafanaDatasource | undefined {
  const stack = model.stack.value;
  const url = grafanaPrometheusUrl(stack, runsPrometheusOperator(stack.targets));
  if (!url) return undefined;
  const tracing = stack.tracing;
  return {
    name: 'Prometheus',
    type: 'prometheus',
    uid: PROMETHEUS_UID,
    access: 'proxy',
    url,
    isDefault: true,
    ...(tracing ? { jsonData: { exemplarTraceIdDestinations: [{ name: ROUTER_TRACE_ID_LABEL, datasourceUid: tracing.backend }] } } : {}),
  };
}

export function lokiDatasource(model: Model): GrafanaDatasource | undefined {
  const [logs] = model.specs.logs;
  const url = logs ? lokiUrl(logs.value, model.stack.value) : model.stack.value.lokiUrl;
  if (!url) return undefined;
  const tracing = model.stack.value.tracing;
  const derivedFields = tracing
    ? [{ name: 'TraceID', matcherType: 'regex', matcherRegex: LOG_TRACE_ID_REGEX, url: '$${__value.raw}', datasourceUid: tracing.backend, urlDisplayLabel: 'Open trace' }]
    : undefined;
  return { name: 'Loki', type: 'loki', uid: GRAFANA_LOKI_DATASOURCE_UID, access: 'proxy', url, isDefault: false, ...(derivedFields ? { jsonData: { derivedFields } } : {}) };
}

/** out/grafana/provisioning/datasources.yaml, Grafana's datasource provisioning format. */
export function datasourcesGenerator(model: Model): Artifact[] {
  const datasources = [prometheusDatasource(model), lokiDatasource(model), traceDatasource(model)].filter((d) => d !== undefined);
  if (datasources.length === 0) return [];
  const files = [model.stack.file, ...model.specs.logs.map((l) => l.file)];
  return [{ path: DATASOURCES_FILE, format: 'yaml', document: { apiVersion: 1, datasources }, header: fileHeader(model.stack.value, files) }];
}
