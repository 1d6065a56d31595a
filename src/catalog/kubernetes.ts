import { label, metric } from '../model/catalog.ts';
import { defineSource } from '../model/spec.ts';

/**
 * Platform series the inference alerts lean on, scraped by the monitoring stack's own monitors
 * (kube-prometheus-stack): kube-state-metrics for object state, the kubelet's cAdvisor endpoint for
 * container resources. Plus the series Prometheus writes itself for every scrape.
 */

const namespace = label.bounded('namespace of the object');
const pod = label.bounded('pod name');
const container = label.bounded('container name');

// kube-state-metrics (its ServiceMonitor honours labels, so `namespace` is the object's namespace)

const deploymentLabels = { namespace, deployment: label.bounded('Deployment name') };

export const kubeDeploymentStatusReplicas = metric({
  name: 'kube_deployment_status_replicas',
  type: 'gauge',
  help: 'Replicas the Deployment currently has.',
  unit: 'replicas',
  labels: deploymentLabels,
});

export const kubeDeploymentSpecReplicas = metric({
  name: 'kube_deployment_spec_replicas',
  type: 'gauge',
  help: 'Replicas the Deployment asks for.',
  unit: 'replicas',
  labels: deploymentLabels,
});

export const kubeDeploymentStatusReplicasAvailable = metric({
  name: 'kube_deployment_status_replicas_available',
  type: 'gauge',
  help: 'Replicas of the Deployment that are available.',
  unit: 'replicas',
  labels: deploymentLabels,
});

export const kubePodContainerStatusRestartsTotal = metric({
  name: 'kube_pod_container_status_restarts_total',
  type: 'counter',
  help: 'Restarts of a container.',
  unit: 'restarts',
  labels: { namespace, pod, container, uid: label.unbounded('pod UID') },
});

export const KUBE_STATE_METRICS = [
  kubeDeploymentStatusReplicas,
  kubeDeploymentSpecReplicas,
  kubeDeploymentStatusReplicasAvailable,
  kubePodContainerStatusRestartsTotal,
] as const;

export const kubeStateMetrics = defineSource({
  name: 'kube-state-metrics',
  component: 'kube-state-metrics',
  job: 'kube-state-metrics',
  port: { name: 'http', number: 8080 },
  path: '/metrics',
  scrapeInterval: '30s',
  delivery: 'platform',
  metrics: [...KUBE_STATE_METRICS],
});

// cAdvisor through the kubelet. `node` and `metrics_path` are target labels the kubelet ServiceMonitor
// adds; queries use metrics_path="/metrics/cadvisor" to tell these series from the kubelet's own.

const cadvisorLabels = {
  namespace,
  pod,
  container: label.bounded('container name; empty on the pod-level cgroup, POD on the pause container'),
  id: label.unbounded('cgroup path'),
  image: label.bounded('container image; empty on pod-level cgroups'),
  name: label.unbounded('container runtime id'),
  node: label.bounded('node the kubelet runs on'),
  metrics_path: label.enum(['/metrics/cadvisor'], 'kubelet endpoint the series was scraped from'),
};

export const containerMemoryUsageBytes = metric({
  name: 'container_memory_usage_bytes',
  type: 'gauge',
  help: 'Memory used by the container, page cache included.',
  unit: 'bytes',
  labels: cadvisorLabels,
});

export const containerMemoryWorkingSetBytes = metric({
  name: 'container_memory_working_set_bytes',
  type: 'gauge',
  help: 'Working-set memory of the container (what the OOM killer and kubectl top look at).',
  unit: 'bytes',
  labels: cadvisorLabels,
});

export const containerCpuUsageSecondsTotal = metric({
  name: 'container_cpu_usage_seconds_total',
  type: 'counter',
  help: 'CPU time consumed by the container.',
  unit: 'seconds',
  labels: cadvisorLabels,
});

export const CADVISOR_METRICS = [containerMemoryUsageBytes, containerMemoryWorkingSetBytes, containerCpuUsageSecondsTotal] as const;

export const cadvisor = defineSource({
  name: 'cadvisor',
  component: 'kubelet cAdvisor',
  job: 'kubelet',
  port: { name: 'https-metrics', number: 10250 },
  path: '/metrics/cadvisor',
  scrapeInterval: '30s',
  delivery: 'platform',
  metrics: [...CADVISOR_METRICS],
});

// Series Prometheus writes for every scrape target. Besides job and instance they carry only the target
// labels the prometheus-operator monitors attach.

const targetLabels = {
  namespace: label.bounded('namespace of the scraped target'),
  pod: label.bounded('scraped pod'),
  service: label.bounded('Service the target was found through (ServiceMonitor targets)'),
  endpoint: label.bounded('port name of the target'),
  container: label.bounded('container of the scraped port'),
};

export const promUp = metric({
  name: 'up',
  type: 'gauge',
  help: '1 when the last scrape of the target succeeded, 0 when it failed.',
  unit: 'boolean',
  labels: targetLabels,
});

export const promScrapeDuration = metric({
  name: 'scrape_duration_seconds',
  type: 'gauge',
  help: 'Duration of the last scrape of the target.',
  unit: 'seconds',
  labels: targetLabels,
});

export const promScrapeSamplesScraped = metric({
  name: 'scrape_samples_scraped',
  type: 'gauge',
  help: 'Samples the target exposed in the last scrape.',
  unit: 'samples',
  labels: targetLabels,
});

export const PROMETHEUS_METRICS = [promUp, promScrapeDuration, promScrapeSamplesScraped] as const;

export const prometheus = defineSource({
  name: 'prometheus',
  component: 'Prometheus scrape series',
  // These series take the job of the target they describe; `prometheus` only names the source.
  job: 'prometheus',
  port: { name: 'web', number: 9090 },
  path: '/metrics',
  scrapeInterval: '30s',
  delivery: 'prometheus',
  metrics: [...PROMETHEUS_METRICS],
});
