import type { Stack } from '../../src/model/stack.ts';
import { OUT } from '../../src/conventions.ts';
import { fileHeader, type Artifact } from '../../src/model/artifact.ts';
import type { Logs, LogStream } from '../../src/model/logs.ts';
import { componentName, lokiPushUrl, podLabelMeta, re2Literal, streamStages, type Stage } from './pipeline.ts';

/**
 * The Grafana Alloy config: pods discovered once, each stream's pods selected and labelled by a relabel
 * component, tailed through the Kubernetes API, processed by the shared pipeline and written to Loki.
 */

export const ALLOY_CONFIG = `${OUT.alloy}/config.alloy`;

/** An Alloy string literal (Go escapes; JSON's are a subset). */
export function alloyString(text: string): string {
  return JSON.stringify(text);
}

function alloyMap(record: Record<string, string>, indent: string): string {
  const entries = Object.entries(record).map(([k, v]) => `${indent}  ${/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : alloyString(k)} = ${alloyString(v)},`);
  return `{\n${entries.join('\n')}\n${indent}}`;
}

function block(name: string, lines: string[], indent: string): string {
  if (lines.length === 0) return `${indent}${name} { }`;
  return [`${indent}${name} {`, ...lines.map((l) => `${indent}  ${l}`), `${indent}}`].join('\n');
}

function stageBlock(stage: Stage, indent: string): string {
  const inner = `${indent}  `;
  switch (stage.type) {
    case 'cri':
      return block('stage.cri', [], indent);
    case 'json':
      return block('stage.json', [`expressions = ${alloyMap(stage.expressions, inner)}`], indent);
    case 'regex':
      return block('stage.regex', [...(stage.source ? [`source     = ${alloyString(stage.source)}`] : []), `expression = ${alloyString(stage.expression)}`], indent);
    case 'template':
      return block('stage.template', [`source   = ${alloyString(stage.source)}`, `template = ${alloyString(stage.template)}`], indent);
    case 'timestamp':
      return block('stage.timestamp', [`source = ${alloyString(stage.source)}`, `format = ${alloyString(stage.format)}`], indent);
    case 'labels':
      return block('stage.labels', [`values = ${alloyMap(stage.values, inner)}`], indent);
    case 'structured_metadata':
      return block('stage.structured_metadata', [`values = ${alloyMap(stage.values, inner)}`], indent);
  }
}

function rule(fields: Array<[string, string | string[]]>): string {
  const lines = fields.map(([k, v]) => `${k} = ${Array.isArray(v) ? `[${v.map(alloyString).join(', ')}]` : alloyString(v)}`);
  return block('rule', lines, '  ');
}

function streamComponents(stream: LogStream): string {
  const id = componentName(stream);
  const keep = Object.entries(stream.podLabels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([label, value]) => rule([['source_labels', [podLabelMeta(label)]], ['regex', re2Literal(value)], ['action', 'keep']]));
  const relabel = [
    `discovery.relabel ${alloyString(id)} {`,
    '  targets = discovery.kubernetes.pods.targets',
    rule([['source_labels', ['__meta_kubernetes_namespace']], ['regex', re2Literal(stream.namespace)], ['action', 'keep']]),
    ...keep,
    rule([['source_labels', ['__meta_kubernetes_namespace']], ['target_label', 'namespace']]),
    rule([['source_labels', ['__meta_kubernetes_pod_name']], ['target_label', 'pod']]),
    rule([['target_label', 'app'], ['replacement', stream.app]]),
    '}',
  ].join('\n');
  const source = [
    `loki.source.kubernetes ${alloyString(id)} {`,
    `  targets    = discovery.relabel.${id}.output`,
    `  forward_to = [loki.process.${id}.receiver]`,
    '}',
  ].join('\n');
  const process = [
    `loki.process ${alloyString(id)} {`,
    ...streamStages(stream).map((s) => stageBlock(s, '  ')),
    '  forward_to = [loki.write.default.receiver]',
    '}',
  ].join('\n');
  return [relabel, source, process].join('\n\n');
}

export function alloyConfig(logs: Logs, lokiUrl: string): string {
  const namespaces = [...new Set(logs.streams.map((s) => s.namespace))].sort();
  const discovery = [
    'discovery.kubernetes "pods" {',
    '  role = "pod"',
    block('namespaces', [`names = [${namespaces.map(alloyString).join(', ')}]`], '  '),
    '}',
  ].join('\n');
  const write = ['loki.write "default" {', block('endpoint', [`url = ${alloyString(lokiPushUrl(lokiUrl))}`], '  '), '}'].join('\n');
  return [discovery, ...logs.streams.map(streamComponents), write].join('\n\n') + '\n';
}

export function alloyArtifact(logs: Logs, lokiUrl: string, specFile: string, stack: Stack): Artifact {
  return { path: ALLOY_CONFIG, format: 'text', text: alloyConfig(logs, lokiUrl), header: { ...fileHeader(stack, [specFile]), commentMarker: '//' } };
}
