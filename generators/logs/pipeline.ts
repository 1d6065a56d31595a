import { sortKeys } from '../../src/model/sort-keys.ts';
import type { LogStream } from '../../src/model/logs.ts';

/**
 * The processing stages of one log stream, built once and rendered both as Promtail `pipeline_stages`
 * and as Alloy `loki.process` stages, so the two shippers parse, label and annotate lines identically.
 */
export type Stage =
  | { type: 'cri' }
  | { type: 'json'; expressions: Record<string, string> }
  | { type: 'regex'; expression: string; source?: string }
  | { type: 'template'; source: string; template: string }
  | { type: 'timestamp'; source: string; format: 'RFC3339Nano' }
  | { type: 'labels'; values: Record<string, string> }
  | { type: 'structured_metadata'; values: Record<string, string> };

/** The status class digit of a three-digit HTTP status. */
export const STATUS_DIGIT_PATTERN = '^(?P<{label}>[1-5])\\d\\d$';
/** `2` → `2xx`; an empty value (no status) stays empty so no label is set. */
export const STATUS_CLASS_TEMPLATE = '{{ if .Value }}{{ .Value }}xx{{ end }}';

/** Stages after the line is read: parse, derive the status class, set the time, labels and metadata. */
export function streamStages(stream: LogStream): Stage[] {
  const stages: Stage[] = stream.parsers.map((p) =>
    p.type === 'json' ? { type: 'json', expressions: sortKeys(p.expressions) } : { type: 'regex', expression: p.expression },
  );
  if (stream.statusClass) {
    const { from, label } = stream.statusClass;
    stages.push({ type: 'regex', source: from, expression: STATUS_DIGIT_PATTERN.replace('{label}', label) });
    stages.push({ type: 'template', source: label, template: STATUS_CLASS_TEMPLATE });
  }
  if (stream.timestamp) stages.push({ type: 'timestamp', source: stream.timestamp, format: 'RFC3339Nano' });
  const labels: Record<string, string> = { ...stream.labels };
  if (stream.statusClass) labels[stream.statusClass.label] = stream.statusClass.label;
  if (Object.keys(labels).length > 0) stages.push({ type: 'labels', values: sortKeys(labels) });
  if (Object.keys(stream.structuredMetadata).length > 0) stages.push({ type: 'structured_metadata', values: sortKeys(stream.structuredMetadata) });
  return stages;
}

/** A component or job name from a stream name (`kthena-router-access` → `kthena_router_access`). */
export function componentName(stream: LogStream): string {
  return stream.name.replace(/-/g, '_');
}

/** The `__meta_kubernetes_pod_label_*` name of a pod label. */
export function podLabelMeta(label: string): string {
  return `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/** Escapes a literal for an RE2 regex. */
export function re2Literal(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** Push endpoint of a Loki base URL. */
export function lokiPushUrl(base: string): string {
  return `${base.replace(/\/$/, '')}/loki/api/v1/push`;
}
