import type { Stack } from '../../src/model/stack.ts';
import { OUT, PROMTAIL_EOL_DATE } from '../../src/conventions.ts';
import { fileHeader, noteLines, type Artifact } from '../../src/model/artifact.ts';
import type { Logs, LogStream } from '../../src/model/logs.ts';
import { renderTemplate } from '../../src/templates.ts';
import { ALLOY_CONFIG } from './alloy.ts';
import { lokiPushUrl, podLabelMeta, re2Literal, streamStages, type Stage } from './pipeline.ts';

/**
 * The legacy Promtail config: pods discovered per stream, their CRI log files tailed from the node, and
 * the shared pipeline as `pipeline_stages`. Promtail is end of life; the header says so.
 */

export const PROMTAIL_CONFIG = `${OUT.promtail}/promtail.yaml`;

function stageYaml(stage: Stage): Record<string, unknown> {
  switch (stage.type) {
    case 'cri':
      return { cri: {} };
    case 'json':
      return { json: { expressions: stage.expressions } };
    case 'regex':
      return { regex: stage.source ? { source: stage.source, expression: stage.expression } : { expression: stage.expression } };
    case 'template':
      return { template: { source: stage.source, template: stage.template } };
    case 'timestamp':
      return { timestamp: { source: stage.source, format: stage.format } };
    case 'labels':
      return { labels: stage.values };
    case 'structured_metadata':
      return { structured_metadata: stage.values };
  }
}

/** Promtail reads container logs from the node, so each line first loses its CRI prefix. */
export function promtailStages(stream: LogStream): Stage[] {
  return [{ type: 'cri' }, ...streamStages(stream)];
}

function scrapeConfig(stream: LogStream): Record<string, unknown> {
  return {
    job_name: stream.name,
    kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [stream.namespace] } }],
    relabel_configs: [
      ...Object.entries(stream.podLabels)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([label, value]) => ({ source_labels: [podLabelMeta(label)], action: 'keep', regex: re2Literal(value) })),
      { source_labels: ['__meta_kubernetes_namespace'], action: 'replace', target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_pod_name'], action: 'replace', target_label: 'pod' },
      { action: 'replace', target_label: 'app', replacement: stream.app },
      {
        source_labels: ['__meta_kubernetes_pod_uid', '__meta_kubernetes_pod_container_name'],
        action: 'replace',
        separator: '/',
        target_label: '__path__',
        replacement: '/var/log/pods/*$1/*.log',
      },
    ],
    pipeline_stages: promtailStages(stream).map(stageYaml),
  };
}

export function promtailConfig(logs: Logs, lokiUrl: string): Record<string, unknown> {
  return {
    server: { http_listen_port: 9080, grpc_listen_port: 0 },
    positions: { filename: '/run/promtail/positions.yaml' },
    clients: [{ url: lokiPushUrl(lokiUrl) }],
    scrape_configs: logs.streams.map(scrapeConfig),
  };
}

export function promtailArtifact(logs: Logs, lokiUrl: string, specFile: string, stack: Stack): Artifact {
  const alloyConfig = stack.targets.logShippers.includes('alloy') ? `out/${ALLOY_CONFIG}` : undefined;
  const warning = renderTemplate('config-headers/promtail-eol.hbs', { eolDate: PROMTAIL_EOL_DATE, alloyConfig });
  return { path: PROMTAIL_CONFIG, format: 'yaml', document: promtailConfig(logs, lokiUrl), header: fileHeader(stack, [specFile], noteLines(warning)) };
}
