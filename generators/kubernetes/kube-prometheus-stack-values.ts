import {
  GRAFANA_DASHBOARD_LABEL,
  GRAFANA_FOLDER_ANNOTATION,
  KUBE_PROMETHEUS_STACK_VALUES,
  generatedHeader,
} from '../../src/conventions.ts';
import { toYaml, sortKeys } from '../../src/emit/serialize.ts';
import type { Artifact } from '../../src/model/artifact.ts';
import type { Model } from '../../src/model/model.ts';
import { scrapeTargets, type SelectedKind } from '../../src/model/scrape.ts';
import type { Stack } from '../../src/model/stack.ts';
import { NOTIFICATION_TEMPLATE_FILE, notificationTemplateText } from '../alertmanager/templates.ts';
import { clusterScrapeJob, federationJob } from '../prometheus/config.ts';

/**
 * Values for the kube-prometheus-stack chart that make its Prometheus, Alertmanager and Grafana pick up
 * what infermon generates: selectors matching the generated objects' labels (declared selectors replace
 * the chart's `release` default, undeclared ones keep it), namespace selectors covering the stack
 * namespace the objects live in, scrape jobs for sources outside Kubernetes, external labels, the
 * notification templates the AlertmanagerConfig's receivers call, and the dashboard sidecar.
 */

/** `<kind>Selector` plus `<kind>SelectorNilUsesHelmValues` for one selected kind. */
function selectorValues(stack: Stack, kind: SelectedKind, key: string): Record<string, unknown> {
  const declared = stack.selectors[kind];
  if (Object.keys(declared).length === 0) return {};
  return { [`${key}SelectorNilUsesHelmValues`]: false, [`${key}Selector`]: { matchLabels: sortKeys(declared) } };
}

function namespaceSelector(stack: Stack): Record<string, unknown> {
  return { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [stack.namespace] }] };
}

export function kubePrometheusStackValues(model: Model): Record<string, unknown> {
  const stack = model.stack.value;
  const targets = scrapeTargets(model);
  const outsideKubernetes = targets.filter((t) => !t.monitor).flatMap((t) => {
    const job = clusterScrapeJob(t, stack);
    return job ? [job] : [];
  });
  const federation = federationJob(stack, targets.map((t) => t.job));
  const additionalScrapeConfigs = federation ? [...outsideKubernetes, federation] : outsideKubernetes;
  const [routing] = model.specs.routing;
  return {
    prometheus: {
      prometheusSpec: {
        evaluationInterval: stack.evaluationInterval,
        externalLabels: sortKeys(stack.externalLabels),
        ...selectorValues(stack, 'rules', 'rule'),
        ruleNamespaceSelector: namespaceSelector(stack),
        ...selectorValues(stack, 'serviceMonitors', 'serviceMonitor'),
        serviceMonitorNamespaceSelector: namespaceSelector(stack),
        ...selectorValues(stack, 'podMonitors', 'podMonitor'),
        podMonitorNamespaceSelector: namespaceSelector(stack),
        ...(additionalScrapeConfigs.length > 0 ? { additionalScrapeConfigs } : {}),
      },
    },
    alertmanager: {
      // The chart mounts these next to its config, whose default `templates` loads every *.tmpl there.
      ...(routing ? { templateFiles: { [NOTIFICATION_TEMPLATE_FILE]: notificationTemplateText(model, routing) } } : {}),
      alertmanagerSpec: {
        ...(Object.keys(stack.selectors.alertmanagerConfigs).length > 0
          ? { alertmanagerConfigSelector: { matchLabels: sortKeys(stack.selectors.alertmanagerConfigs) } }
          : {}),
        alertmanagerConfigNamespaceSelector: namespaceSelector(stack),
        alertmanagerConfigMatcherStrategy: { type: stack.alertmanagerConfigMatcherStrategy },
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
      },
    },
  };
}

export function kubePrometheusStackValuesGenerator(model: Model): Artifact[] {
  const files = [model.stack.file, ...scrapeTargets(model).map((t) => t.file), ...model.specs.routing.map((r) => r.file)];
  return [{ path: KUBE_PROMETHEUS_STACK_VALUES, body: toYaml(kubePrometheusStackValues(model), generatedHeader(model.stack.value, files)) }];
}
