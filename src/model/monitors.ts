import { sortKeys } from './sort-keys.ts';
import { objectLabels, type ScrapeTarget } from './scrape.ts';
import type { Stack } from './stack.ts';

/**
 * ServiceMonitors for sources behind a Service, PodMonitors for the rest, computed once from the scrape
 * targets: the generator writes them, the wiring checks hold their selector labels against the stack.
 * Endpoints name the port (a ServiceMonitor port is a Service port *name*), the namespace selector names
 * the workload namespace because the monitors live in the stack's namespace, and a relabeling pins `job`
 * to the catalog's value, which is what every rule selects.
 */

export interface MonitorObject {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'ServiceMonitor' | 'PodMonitor';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
}


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

/** Every monitor the scrape targets need, with the spec file of their source. */
export function monitorObjects(targets: readonly ScrapeTarget[], stack: Stack): Array<{ target: ScrapeTarget; object: MonitorObject }> {
  return targets.flatMap((target) => {
    const object = monitorObject(target, stack);
    return object ? [{ target, object }] : [];
  });
}
