import type { Source } from '../model/catalog.ts';
import type { DroppedTarget } from './prometheus-api.ts';

/**
 * Why a source's job has no target although Kubernetes discovery sees its pods: the targets in the
 * source's namespace that relabelling dropped, read through the labels discovery gave them. The two
 * usual reasons a PodMonitor or ServiceMonitor selects nothing are told apart: the pods (or Services)
 * carry other label values than the specs select, or they carry them but name their ports otherwise.
 */

/** A Kubernetes label name as Prometheus spells it in a meta label. */
export function metaName(label: string): string {
  return label.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** How discovery labels a target of the source: Services (endpoints, endpointslice roles) or pods. */
function discoveryLabels(source: Source): { kind: 'Service' | 'pod'; labels: Record<string, string>; labelPrefix: string; portNames: string[] } {
  const k8s = source.kubernetes!;
  return k8s.serviceLabels
    ? {
        kind: 'Service',
        labels: k8s.serviceLabels,
        labelPrefix: '__meta_kubernetes_service_label_',
        portNames: ['__meta_kubernetes_endpoint_port_name', '__meta_kubernetes_endpointslice_port_name'],
      }
    : { kind: 'pod', labels: k8s.podLabels, labelPrefix: '__meta_kubernetes_pod_label_', portNames: ['__meta_kubernetes_pod_container_port_name'] };
}

const list = (values: Iterable<string>): string => [...values].sort().map((v) => (v === '' ? '(unnamed)' : v)).join(', ');

/** One sentence on the source's dropped targets, or undefined when discovery saw nothing of its namespace. */
export function droppedTargetsDiagnosis(source: Source, dropped: readonly DroppedTarget[]): string | undefined {
  const k8s = source.kubernetes;
  if (!k8s) return undefined;
  const { kind, labels, labelPrefix, portNames } = discoveryLabels(source);
  const inNamespace = dropped.map((t) => t.discoveredLabels).filter((l) => l.__meta_kubernetes_namespace === k8s.namespace);
  if (inNamespace.length === 0) return undefined;
  const wanted = Object.entries(labels);
  const labelOf = (target: Record<string, string>, label: string) => target[`${labelPrefix}${metaName(label)}`];
  const selected = inNamespace.filter((l) => wanted.every(([k, v]) => labelOf(l, k) === v));
  const selector = wanted.map(([k, v]) => `${k}=${v}`).join(', ');
  if (selected.length === 0) {
    const seen = wanted.map(([k]) => {
      const values = new Set(inNamespace.map((l) => labelOf(l, k)).filter((v) => v !== undefined));
      return values.size === 0 ? `none has label ${k}` : `${k} is ${list(values)}`;
    });
    return `discovery found ${inNamespace.length} target(s) in namespace ${k8s.namespace}, none a ${kind} labelled ${selector} (${seen.join('; ')}): fix the labels the specs select`;
  }
  const ports = new Set(selected.map((l) => portNames.map((p) => l[p]).find((name) => name !== undefined) ?? ''));
  const owners = new Set(selected.map((l) => l.__meta_kubernetes_pod_name ?? l.__meta_kubernetes_service_name ?? l.__address__ ?? ''));
  const found = `discovery found ${owners.size} ${kind}(s) labelled ${selector} in namespace ${k8s.namespace}`;
  if (!ports.has(source.port.name))
    return `${found}, but their ports are named ${list(ports)}, none ${source.port.name}: set the source's port name to the one its ${kind}s declare`;
  return `${found} with a port named ${source.port.name}, and relabelling dropped them: check the monitor's relabelings`;
}
