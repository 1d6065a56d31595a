import {
  GRAFANA_DASHBOARD_LABEL,
  GRAFANA_FOLDER_ANNOTATION,
  KUBE_PROMETHEUS_STACK_VALUES,
} from '../../src/conventions.ts';
import { sortKeys } from '../../src/model/sort-keys.ts';
import { fileHeader, noteLines, type Artifact } from '../../src/model/artifact.ts';
import { remoteWriteSources, type SelectedKind } from '../../src/model/scrape.ts';
import { referencedSecretNames } from '../../src/model/secret-references.ts';
import type { Stack } from '../../src/model/stack.ts';
import { runsKubePrometheusStack } from '../../src/model/targets.ts';
import { renderTemplate } from '../../src/templates.ts';
import { NOTIFICATION_TEMPLATE_FILE, notificationTemplateText } from '../alertmanager/templates.ts';
import { lokiDatasource, traceDatasource } from '../grafana/datasources.ts';
import { ROUTER_TRACE_ID_LABEL } from '../../src/catalog/kthena-router.ts';
import { clusterScrapeJob, federationJob } from '../prometheus/config.ts';
import type { Plan } from '../../src/plan/index.ts';

/**
 * Values for the kube-prometheus-stack chart that set only what infermon's objects need, so they merge
 * into a platform's own values without taking anything from other teams. The chart defaults they lean on
 * (kube-prometheus-stack 67.x, values.yaml and templates/):
 * - every `*NamespaceSelector` is `{}`, which watches every namespace;
 * - `ruleSelector`, `serviceMonitorSelector`, `podMonitorSelector` and `probeSelector` select `release: <release name>`
 *   while their `*SelectorNilUsesHelmValues` stay true;
 * - `alertmanagerConfigSelector` is `{}`, which selects every AlertmanagerConfig;
 * - `grafana.sidecar.datasources.defaultDatasourceEnabled` provisions the chart's own Prometheus;
 * - `alertmanager.templateFiles` are mounted next to the config, whose default `templates` loads every *.tmpl.
 */

/** A value that replaces a chart default other objects may rely on: the header lists it for a hand merge. */
export interface HandMerge {
  key: string;
  labels: string;
}

const PROMETHEUS_SELECTORS: Array<{ kind: SelectedKind; key: string }> = [
  { kind: 'rules', key: 'rule' },
  { kind: 'serviceMonitors', key: 'serviceMonitor' },
  { kind: 'podMonitors', key: 'podMonitor' },
  { kind: 'probes', key: 'probe' },
];

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/**
 * A declared selector, unless it is what the chart selects anyway: the generated objects carry the
 * declared labels, so only a selector that differs from the chart's needs setting.
 */
function selectorValues(stack: Stack, kind: SelectedKind, key: string, merges: HandMerge[]): Record<string, unknown> {
  const declared = stack.selectors[kind];
  if (Object.keys(declared).length === 0) return {};
  const release = stack.kubePrometheusStackRelease;
  if (release !== undefined && sameLabels(declared, { release })) return {};
  const matchLabels = sortKeys(declared);
  merges.push({ key: `prometheus.prometheusSpec.${key}Selector`, labels: Object.entries(matchLabels).map(([k, v]) => `${k}=${v}`).join(', ') });
  return { [`${key}SelectorNilUsesHelmValues`]: false, [`${key}Selector`]: { matchLabels } };
}

export interface KubePrometheusStackValues {
  values: Record<string, unknown>;
  merges: HandMerge[];
  /** Lists in the values: a Helm merge replaces a list, so users append their own entries by hand. */
  lists: string[];
}

export function kubePrometheusStackValues(model: Plan): KubePrometheusStackValues {
  const stack = model.stack.value;
  const merges: HandMerge[] = [];
  const lists: string[] = [];
  const targets = model.scrapeTargets;
  const outsideKubernetes = targets.filter((t) => !t.monitor).flatMap((t) => {
    const job = clusterScrapeJob(t, stack);
    return job ? [job] : [];
  });
  const federation = federationJob(stack, targets.map((t) => t.job));
  const additionalScrapeConfigs = federation ? [...outsideKubernetes, federation] : outsideKubernetes;
  if (additionalScrapeConfigs.length > 0) lists.push('prometheus.prometheusSpec.additionalScrapeConfigs');
  const [routing] = model.specs.routing;
  const secrets = routing ? referencedSecretNames(routing.value) : [];
  if (secrets.length > 0) lists.push('alertmanager.alertmanagerSpec.secrets');
  const additionalDataSources = [lokiDatasource(model), traceDatasource(model)].filter((d) => d !== undefined);
  if (additionalDataSources.length > 0) lists.push('grafana.additionalDataSources');
  // The chart's own Prometheus datasource links exemplars to the trace datasource through these values.
  const exemplarTraceIdDestinations = stack.tracing ? { datasourceUid: stack.tracing.backend, traceIdLabelName: ROUTER_TRACE_ID_LABEL } : undefined;

  const values = {
    prometheus: {
      prometheusSpec: {
        evaluationInterval: stack.evaluationInterval,
        externalLabels: sortKeys(stack.externalLabels),
        // The Prometheus CR's switch for /api/v1/write, where remote-writing sources such as k6 push.
        ...(remoteWriteSources(model).length > 0 ? { enableRemoteWriteReceiver: true } : {}),
        ...Object.assign({}, ...PROMETHEUS_SELECTORS.map(({ kind, key }) => selectorValues(stack, kind, key, merges))),
        ...(additionalScrapeConfigs.length > 0 ? { additionalScrapeConfigs } : {}),
      },
    },
    alertmanager: {
      // The chart mounts these next to its config, whose default `templates` loads every *.tmpl there.
      ...(routing ? { templateFiles: { [NOTIFICATION_TEMPLATE_FILE]: notificationTemplateText(model, routing) } } : {}),
      alertmanagerSpec: {
        alertmanagerConfigMatcherStrategy: { type: stack.alertmanagerConfigMatcherStrategy },
        // alertmanager.yml reads these as files under /etc/alertmanager/secrets/<name>/.
        ...(secrets.length > 0 ? { secrets } : {}),
      },
    },
    grafana: {
      sidecar: {
        dashboards: {
          enabled: true,
          label: Object.keys(GRAFANA_DASHBOARD_LABEL)[0],
          labelValue: Object.values(GRAFANA_DASHBOARD_LABEL)[0],
          folderAnnotation: GRAFANA_FOLDER_ANNOTATION,
          searchNamespace: 'ALL',
          provider: { foldersFromFilesStructure: true },
        },
        datasources: { defaultDatasourceEnabled: true, ...(exemplarTraceIdDestinations ? { exemplarTraceIdDestinations } : {}) },
      },
      ...(additionalDataSources.length > 0 ? { additionalDataSources } : {}),
    },
  };
  return { values, merges, lists };
}

export function kubePrometheusStackValuesGenerator(model: Plan): Artifact[] {
  if (!runsKubePrometheusStack(model.stack.value.targets)) return [];
  const files = [model.stack.file, ...model.scrapeTargets.map((t) => t.file), ...remoteWriteSources(model).map((s) => s.file), ...model.specs.routing.map((r) => r.file), ...model.specs.logs.map((l) => l.file)];
  const { values, merges, lists } = kubePrometheusStackValues(model);
  const notes = renderTemplate('config-headers/kube-prometheus-stack-values.hbs', { file: `out/${KUBE_PROMETHEUS_STACK_VALUES}`, merges, lists });
  return [{ path: KUBE_PROMETHEUS_STACK_VALUES, format: 'yaml', document: values, header: fileHeader(model.stack.value, files, noteLines(notes)) }];
}
