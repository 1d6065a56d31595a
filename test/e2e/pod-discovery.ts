import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { re2Literal } from '../../generators/logs/pipeline.ts';
import { metaName } from '../../src/verify/dropped-targets.ts';

/**
 * Kubernetes pod discovery on a bench without a cluster. An HTTP service-discovery endpoint lists the
 * simulated pods with the meta labels Prometheus's `kubernetes_sd_configs` (role `pod`) gives each declared
 * container port, and a generated PodMonitor becomes the scrape job Prometheus Operator renders for it
 * (its config generator for PodMonitors: phase filter, `matchLabels` as keep rules on the label and its
 * `labelpresent_` twin, the port name, then namespace, container, pod, job and endpoint, then the monitor's
 * own relabelings), with this endpoint standing in for the Kubernetes API and a keep rule on the namespace
 * for the API's namespace filter. Selecting and dropping is Prometheus's own relabelling.
 */

export interface SimulatedPod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  container: string;
  port: { name: string; number: number };
  /** Where the simulator listens: the pod IP and container port on a cluster. */
  address: string;
}

interface PodMetricsEndpoint {
  port: string;
  path?: string;
  relabelings?: Array<{ action?: string; sourceLabels?: string[]; targetLabel?: string; regex?: string; replacement?: string; separator?: string }>;
}

/** The parts of a PodMonitor (monitoring.coreos.com/v1) its scrape job is made from. */
export interface PodMonitor {
  kind: 'PodMonitor';
  metadata: { name: string; namespace: string };
  spec: {
    selector: { matchLabels?: Record<string, string> };
    namespaceSelector?: { matchNames?: string[] };
    podMetricsEndpoints: PodMetricsEndpoint[];
  };
}

/** The target group discovery gives one declared container port of a running, ready pod. */
function targetGroup(pod: SimulatedPod): { targets: string[]; labels: Record<string, string> } {
  const labels: Record<string, string> = {
    __meta_kubernetes_namespace: pod.namespace,
    __meta_kubernetes_pod_name: pod.name,
    __meta_kubernetes_pod_ip: pod.address.split(':')[0]!,
    __meta_kubernetes_pod_phase: 'Running',
    __meta_kubernetes_pod_ready: 'true',
    __meta_kubernetes_pod_container_name: pod.container,
    __meta_kubernetes_pod_container_init: 'false',
    __meta_kubernetes_pod_container_port_name: pod.port.name,
    __meta_kubernetes_pod_container_port_number: String(pod.port.number),
    __meta_kubernetes_pod_container_port_protocol: 'TCP',
  };
  for (const [k, v] of Object.entries(pod.labels)) {
    labels[`__meta_kubernetes_pod_label_${metaName(k)}`] = v;
    labels[`__meta_kubernetes_pod_labelpresent_${metaName(k)}`] = 'true';
  }
  return { targets: [pod.address], labels };
}

export interface PodDiscovery {
  url: string;
  close(): Promise<void>;
}

/** Serves the pods in Prometheus's HTTP service-discovery format. */
export async function startPodDiscovery(pods: readonly SimulatedPod[]): Promise<PodDiscovery> {
  const body = JSON.stringify(pods.map(targetGroup));
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('pod discovery did not get a port');
  return {
    url: `http://127.0.0.1:${address.port}/pods`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The monitor's relabelings as Prometheus spells relabel_configs. */
function relabelConfig(r: NonNullable<PodMetricsEndpoint['relabelings']>[number]): Record<string, unknown> {
  return {
    ...(r.sourceLabels ? { source_labels: r.sourceLabels } : {}),
    ...(r.separator !== undefined ? { separator: r.separator } : {}),
    ...(r.targetLabel ? { target_label: r.targetLabel } : {}),
    ...(r.regex !== undefined ? { regex: r.regex } : {}),
    ...(r.replacement !== undefined ? { replacement: r.replacement } : {}),
    ...(r.action ? { action: r.action.toLowerCase() } : {}),
  };
}

/** The scrape jobs of a PodMonitor, one per endpoint, discovering pods through `discoveryUrl`. */
export function podMonitorScrapeJobs(monitor: PodMonitor, discoveryUrl: string, scrapeInterval: string): Array<Record<string, unknown>> {
  const { name, namespace } = monitor.metadata;
  const namespaces = monitor.spec.namespaceSelector?.matchNames ?? [namespace];
  const matchLabels = Object.entries(monitor.spec.selector.matchLabels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return monitor.spec.podMetricsEndpoints.map((endpoint, i) => ({
    job_name: `podMonitor/${namespace}/${name}/${i}`,
    honor_labels: false,
    scrape_interval: scrapeInterval,
    metrics_path: endpoint.path ?? '/metrics',
    http_sd_configs: [{ url: discoveryUrl, refresh_interval: '5s' }],
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_namespace'], regex: namespaces.map(re2Literal).join('|'), action: 'keep' },
      { source_labels: ['job'], target_label: '__tmp_prometheus_job_name' },
      { source_labels: ['__meta_kubernetes_pod_phase'], regex: '(Failed|Succeeded)', action: 'drop' },
      ...matchLabels.map(([k, v]) => ({
        source_labels: [`__meta_kubernetes_pod_label_${metaName(k)}`, `__meta_kubernetes_pod_labelpresent_${metaName(k)}`],
        regex: `(${v});true`,
        action: 'keep',
      })),
      { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: endpoint.port, action: 'keep' },
      { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' },
      { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
      { target_label: 'job', replacement: `${namespace}/${name}` },
      { target_label: 'endpoint', replacement: endpoint.port },
      ...(endpoint.relabelings ?? []).map(relabelConfig),
    ],
  }));
}
