import { OUT, generatedHeader } from '../../src/conventions.ts';
import { sortKeys, toYaml } from '../../src/emit/serialize.ts';
import { alertLinks } from '../../src/model/runbook.ts';
import { logAlertLabels } from '../../src/model/alerts.ts';
import type { Artifact } from '../../src/model/artifact.ts';
import type { Logs } from '../../src/model/logs.ts';
import type { Model } from '../../src/model/model.ts';
import type { Stack } from '../../src/model/stack.ts';
import { alloyArtifact } from './alloy.ts';
import { promtailArtifact } from './promtail.ts';

/**
 * The Loki 3 config (single binary, filesystem store): TSDB index with schema v13 and 24h periods,
 * compactor retention with its delete-request store, structured metadata on, and the ruler evaluating the
 * log-based alerts and sending them to the stack's Alertmanager.
 */

export const LOKI_CONFIG = `${OUT.loki}/loki.yaml`;
export const LOKI_RULES_DIR = `${OUT.loki}/rules`;

export function lokiConfig(logs: Logs, stack: Stack): Record<string, unknown> {
  const dir = logs.loki.dataDir.replace(/\/$/, '');
  const stores = new Set(logs.loki.schema.map((p) => p.store));
  const objectStores = [...new Set(logs.loki.schema.map((p) => p.objectStore))];
  return {
    auth_enabled: false,
    server: { http_listen_port: 3100, grpc_listen_port: 9095 },
    common: {
      path_prefix: dir,
      replication_factor: 1,
      ring: { kvstore: { store: 'inmemory' } },
      storage: { filesystem: { chunks_directory: `${dir}/chunks`, rules_directory: `${dir}/rules` } },
    },
    schema_config: {
      configs: logs.loki.schema.map((p) => ({
        from: p.from,
        store: p.store,
        object_store: p.objectStore,
        schema: p.schema,
        index: { prefix: 'index_', period: '24h' },
      })),
    },
    storage_config: {
      ...(stores.has('tsdb') ? { tsdb_shipper: { active_index_directory: `${dir}/tsdb-index`, cache_location: `${dir}/tsdb-cache` } } : {}),
      ...(stores.has('boltdb-shipper')
        ? { boltdb_shipper: { active_index_directory: `${dir}/boltdb-index`, cache_location: `${dir}/boltdb-cache` } }
        : {}),
    },
    compactor: {
      working_directory: `${dir}/compactor`,
      retention_enabled: true,
      delete_request_store: objectStores.at(-1) ?? 'filesystem',
    },
    limits_config: {
      retention_period: logs.loki.retention,
      allow_structured_metadata: true,
      reject_old_samples: true,
      reject_old_samples_max_age: '168h',
    },
    ruler: {
      storage: { type: 'local', local: { directory: `${dir}/rules` } },
      rule_path: `${dir}/rules-temp`,
      evaluation_interval: logs.loki.ruleEvaluationInterval,
      alertmanager_url: stack.alertmanagerUrl,
      enable_api: true,
    },
  };
}

export function lokiRuleGroups(logs: Logs, stack: Stack): Record<string, unknown> {
  return {
    groups: [
      {
        name: logs.ruleGroup,
        interval: logs.loki.ruleEvaluationInterval,
        rules: logs.alerts.map((a) => ({
          alert: a.alert,
          expr: a.expr,
          ...(a.for !== '0s' ? { for: a.for } : {}),
          // The stack's external labels ride on each rule, so log alerts route like Prometheus alerts.
          labels: sortKeys({ ...stack.externalLabels, ...logAlertLabels(a) }),
          annotations: sortKeys({ summary: a.summary, description: a.description, ...alertLinks(stack, a) }),
        })),
      },
    ],
  };
}

/** Loki base URL: the log spec's, else the stack's. */
export function lokiUrl(logs: Logs, stack: Stack): string | undefined {
  return logs.loki.url ?? stack.lokiUrl;
}

export function logsGenerator(model: Model): Artifact[] {
  const [logs] = model.specs.logs;
  if (!logs) return [];
  const stack = model.stack.value;
  const url = lokiUrl(logs.value, stack);
  const header = generatedHeader(model.stack.value, [logs.file, model.stack.file]);
  const artifacts: Artifact[] = [{ path: LOKI_CONFIG, body: toYaml(lokiConfig(logs.value, stack), header) }];
  if (logs.value.alerts.length > 0)
    artifacts.push({
      path: `${LOKI_RULES_DIR}/${logs.value.ruleGroup}.yml`,
      body: toYaml(
        lokiRuleGroups(logs.value, stack),
        `${generatedHeader(model.stack.value, [logs.file])}# Loki ruler file: install under <ruler storage>/${logs.value.loki.tenant}/ of the Loki config.\n`,
      ),
    });
  if (url) artifacts.push(alloyArtifact(logs.value, url, logs.file, model.stack.value), promtailArtifact(logs.value, url, logs.file, model.stack.value));
  return artifacts;
}
