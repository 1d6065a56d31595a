import {
  K8S_SIDECAR_FOLDER_ANNOTATION,
  LOKI_RULE_LABEL,
  LOKI_RULES_SIDECAR_FOLDER,
  MANAGED_BY_LABEL,
  OUT,
  k8sName,
} from '../../src/conventions.ts';
import { sortKeys } from '../../src/model/sort-keys.ts';
import { logAlertStream, logsUrl } from '../../src/model/alert-logs.ts';
import { alertLinks } from '../../src/model/runbook.ts';
import { logAlertLabels } from '../../src/model/logs.ts';
import { EmbeddedDocument, fileHeader, noteLines, type Artifact } from '../../src/model/artifact.ts';
import { lokiUrl, type Logs } from '../../src/model/logs.ts';
import { locate, type Located } from '../../src/model/model.ts';
import type { Plan } from '../../src/plan/index.ts';
import type { Stack } from '../../src/model/stack.ts';
import { renderTemplate } from '../../src/templates.ts';
import { kubernetesArtifact } from '../kubernetes/objects.ts';
import { alloyArtifact } from './alloy.ts';
import { promtailArtifact } from './promtail.ts';

/**
 * Loki outputs for the stack's Loki target. A plain Loki gets its config (single binary, filesystem
 * store: TSDB index with schema v13 and 24h periods, compactor retention with its delete-request store,
 * structured metadata on, the ruler sending the log-based alerts to the stack's Alertmanager) and ruler
 * files; a Helm-installed Loki gets the ruler rules as ConfigMaps for the chart's rules sidecar and the
 * chart values that make the ruler read them. The shippers' pipelines follow for the chosen shippers.
 */

export const LOKI_CONFIG = `${OUT.loki}/loki.yaml`;
export const LOKI_RULES_DIR = `${OUT.loki}/rules`;
export const LOKI_HELM_VALUES = `${OUT.loki}/helm-values.yaml`;
export const LOKI_RULE_CONFIGMAP_DIR = `${OUT.kubernetes}/loki-rules`;

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

export function lokiRuleGroups(located: Located<Logs>, model: Plan): Record<string, unknown> {
  const logs = located.value;
  const stack = model.stack.value;
  return {
    groups: [
      {
        name: logs.ruleGroup,
        interval: logs.loki.ruleEvaluationInterval,
        rules: logs.alerts.map((a, i) => {
          const runbookPage = model.runbookPages.pageOf(locate(located, `alerts[${i}]`))!;
          const links = alertLinks(stack, { runbookPage, dashboard: a.dashboard }, logsUrl(model, logAlertStream(model, a.expr)));
          return {
            alert: a.alert,
            expr: a.expr,
            ...(a.for !== '0s' ? { for: a.for } : {}),
            // The stack's external labels ride on each rule, so log alerts route like Prometheus alerts.
            labels: sortKeys({ ...stack.externalLabels, ...logAlertLabels(a) }),
            annotations: sortKeys({ summary: a.summary, description: a.description, ...links }),
          };
        }),
      },
    ],
  };
}

/** A rules file for the ruler of the plain Loki, stored under its tenant's folder. */
function rulerFile(logs: Located<Logs>, model: Plan): Artifact {
  const stack = model.stack.value;
  return {
    path: `${LOKI_RULES_DIR}/${logs.value.ruleGroup}.yml`,
    format: 'yaml',
    document: lokiRuleGroups(logs, model),
    header: fileHeader(stack, [logs.file], [`Loki ruler file: install under <ruler storage>/${logs.value.loki.tenant}/ of the Loki config.`]),
  };
}

/** The same rules as a ConfigMap the chart's sidecar copies into the tenant's folder of the ruler. */
function rulerConfigMap(logs: Located<Logs>, model: Plan): Artifact {
  const stack = model.stack.value;
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: k8sName('loki-rules', logs.value.ruleGroup),
      namespace: stack.namespace,
      labels: sortKeys({ ...stack.commonLabels, ...MANAGED_BY_LABEL, ...LOKI_RULE_LABEL }),
      annotations: { [K8S_SIDECAR_FOLDER_ANNOTATION]: logs.value.loki.tenant },
    },
    data: { [`${logs.value.ruleGroup}.yaml`]: new EmbeddedDocument('yaml', lokiRuleGroups(logs, model)) },
  };
  return kubernetesArtifact(`${LOKI_RULE_CONFIGMAP_DIR}/${logs.value.ruleGroup}.yaml`, [{ object: configMap, at: locate(logs, 'alerts') }], fileHeader(stack, [logs.file]));
}

/** grafana/loki chart values: the rules sidecar on, and the ruler reading its folder as local rule storage. */
export function lokiHelmValues(logs: Logs, stack: Stack): Record<string, unknown> {
  return {
    sidecar: { rules: { enabled: true, label: Object.keys(LOKI_RULE_LABEL)[0], folder: LOKI_RULES_SIDECAR_FOLDER } },
    loki: {
      rulerConfig: {
        storage: { type: 'local', local: { directory: LOKI_RULES_SIDECAR_FOLDER } },
        evaluation_interval: logs.loki.ruleEvaluationInterval,
        alertmanager_url: stack.alertmanagerUrl,
        enable_api: true,
      },
    },
  };
}

function helmValuesFile(logs: Located<Logs>, stack: Stack, stackFile: string): Artifact {
  const notes = renderTemplate('config-headers/loki-helm-values.hbs', { file: `out/${LOKI_HELM_VALUES}`, configMaps: `out/${LOKI_RULE_CONFIGMAP_DIR}`, namespace: stack.namespace });
  return { path: LOKI_HELM_VALUES, format: 'yaml', document: lokiHelmValues(logs.value, stack), header: fileHeader(stack, [logs.file, stackFile], noteLines(notes)) };
}

export function logsGenerator(model: Plan): Artifact[] {
  const [logs] = model.specs.logs;
  if (!logs) return [];
  const stack = model.stack.value;
  const { targets } = stack;
  const url = lokiUrl(logs.value, stack);
  const hasAlerts = logs.value.alerts.length > 0;
  const artifacts: Artifact[] = [];
  if (targets.loki === 'plain') {
    artifacts.push({ path: LOKI_CONFIG, format: 'yaml', document: lokiConfig(logs.value, stack), header: fileHeader(stack, [logs.file, model.stack.file]) });
    if (hasAlerts) artifacts.push(rulerFile(logs, model));
  } else if (hasAlerts) {
    artifacts.push(rulerConfigMap(logs, model), helmValuesFile(logs, stack, model.stack.file));
  }
  if (url) {
    if (targets.logShippers.includes('alloy')) artifacts.push(alloyArtifact(logs.value, url, logs.file, stack));
    if (targets.logShippers.includes('promtail')) artifacts.push(promtailArtifact(logs.value, url, logs.file, stack));
  }
  return artifacts;
}
