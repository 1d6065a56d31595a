import { OUT, generatedHeader } from '../../src/conventions.ts';
import { sortKeys } from '../../src/emit/serialize.ts';
import type { Artifact } from '../../src/model/artifact.ts';
import type { Model } from '../../src/model/model.ts';
import { objectLabels, scrapeTargets, type ScrapeTarget } from '../../src/model/scrape.ts';
import type { Stack } from '../../src/model/stack.ts';
import { runsPrometheusOperator } from '../../src/model/targets.ts';
import { kubernetesArtifact } from './objects.ts';

/**
 * ServiceMonitors for sources behind a Service, PodMonitors for the rest. Endpoints name the port (a
 * ServiceMonitor port is a Service port *name*), the namespace selector names the workload namespace
 * because the monitors live in the stack's namespace, and a relabeling pins `job` to the catalog's value,
 * which is what every rule selects.
 */

export interface MonitorObject {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'ServiceMonitor' | 'PodMonitor';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
}

export const SERVICE_MONITOR_DIR = `${OUT.kubernetes}/service-monitors`;
export const POD_MONITOR_DIR = `${OUT.kubernetes}/pod-monitors`;

function endpoint(target: ScrapeTarget): Record<string, unknown> {
  const { source } = target;
  return {
    port: source.port.name,
    path: source.path,
    interval: source.scrapeInterval,
    ...(source.kubernetes?.honorLabels ? { honorLabels: true } : {}),
    relabelings: [{ action: 'replace', targetLabel: 'job', replacement: target.job }],
  };
}

export function monitorObject(target: ScrapeTarget, stack: Stack): MonitorObject | undefined {
  const k8s = target.source.kubernetes;
  if (!target.monitor || !k8s) return undefined;
  const { kind, name, namespace } = target.monitor;
  const isService = kind === 'ServiceMonitor';
  const matchLabels = sortKeys(isService ? (k8s.serviceLabels ?? {}) : k8s.podLabels);
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind,
    metadata: { name, namespace, labels: objectLabels(stack, isService ? 'serviceMonitors' : 'podMonitors') },
    spec: {
      selector: { matchLabels },
      namespaceSelector: { matchNames: [k8s.namespace] },
      [isService ? 'endpoints' : 'podMetricsEndpoints']: [endpoint(target)],
    },
  };
}

/** Every monitor the model produces, with the spec file of its source. */
export function monitorObjects(model: Model): Array<{ target: ScrapeTarget; object: MonitorObject }> {
  return scrapeTargets(model).flatMap((target) => {
    const object = monitorObject(target, model.stack.value);
    return object ? [{ target, object }] : [];
  });
}

export function monitorsGenerator(model: Model): Artifact[] {
  if (!runsPrometheusOperator(model.stack.value.targets)) return [];
  return monitorObjects(model).map(({ target, object }) =>
    kubernetesArtifact(
      `${object.kind === 'ServiceMonitor' ? SERVICE_MONITOR_DIR : POD_MONITOR_DIR}/${object.metadata.name}.yaml`,
      [{ object, at: { file: target.file, path: target.root } }],
      generatedHeader(model.stack.value, [target.file, model.stack.file]),
    ),
  );
}
