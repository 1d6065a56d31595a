import type { SourceSpec } from '../../model/catalog.ts';
import { deploySource } from '../../model/spec.ts';
import { cadvisor, kubeStateMetrics } from '../kubernetes.ts';
import { factsAt, named, type ConfirmedFacts } from './confirmed.ts';

/**
 * The platform series as kube-prometheus-stack scrapes them with its own ServiceMonitors. infermon writes
 * no monitor for these (their delivery stays `platform`); the presets record where the targets are and
 * which `job` their series get, which `infermon verify` looks for.
 */

export const KUBE_PROMETHEUS_STACK_VERSIONS = ['88.5.3'] as const;
export type KubePrometheusStackVersion = (typeof KUBE_PROMETHEUS_STACK_VERSIONS)[number];

interface PlatformFacts {
  job: string;
  labels: (release: string) => Record<string, string>;
  port: { name: string; number: number };
  path: string;
  honorLabels: boolean;
}

// prometheus-community/helm-charts kube-prometheus-stack-88.5.3 depends on kube-state-metrics 8.4.0.
// charts/kube-state-metrics/templates/servicemonitor.yaml and _helpers.tpl at kube-state-metrics-8.4.0:
// jobLabel app.kubernetes.io/name (so job="kube-state-metrics"), selector app.kubernetes.io/name:
// kube-state-metrics and app.kubernetes.io/instance: <release>, endpoint port http (service.port 8080);
// kube-prometheus-stack's values.yaml sets prometheus.monitor.http.honorLabels: true.
const KUBE_STATE_METRICS: ReadonlyArray<ConfirmedFacts<KubePrometheusStackVersion, PlatformFacts>> = [
  {
    versions: KUBE_PROMETHEUS_STACK_VERSIONS,
    facts: {
      job: 'kube-state-metrics',
      labels: (release) => ({ 'app.kubernetes.io/name': 'kube-state-metrics', 'app.kubernetes.io/instance': release }),
      port: { name: 'http', number: 8080 },
      path: '/metrics',
      honorLabels: true,
    },
  },
];

// kube-prometheus-stack-88.5.3 templates/exporters/kubelet/servicemonitor.yaml: jobLabel k8s-app (so
// job="kubelet"), selector app.kubernetes.io/name: kubelet and k8s-app: kubelet in kubelet.namespace
// (kube-system), the Service the operator keeps (prometheusOperator.kubeletService); cAdvisor endpoint on
// port https-metrics (kubelet.serviceMonitor.https: true) at /metrics/cadvisor, honorLabels: true, and the
// metrics_path relabeling of kubelet.serviceMonitor.cAdvisorRelabelings.
const KUBELET: ReadonlyArray<ConfirmedFacts<KubePrometheusStackVersion, PlatformFacts>> = [
  {
    versions: KUBE_PROMETHEUS_STACK_VERSIONS,
    facts: {
      job: 'kubelet',
      labels: () => ({ 'app.kubernetes.io/name': 'kubelet', 'k8s-app': 'kubelet' }),
      port: { name: 'https-metrics', number: 10250 },
      path: '/metrics/cadvisor',
      honorLabels: true,
    },
  },
];

export interface KubePrometheusStackOptions {
  version?: KubePrometheusStackVersion;
  /** Helm release name of kube-prometheus-stack. */
  release?: string;
  /** Namespace of the release (kube-state-metrics runs there). */
  namespace?: string;
  name?: string;
}

function platformSource<const S extends SourceSpec>(source: { kind: 'source'; spec: S }, facts: PlatformFacts, namespace: string, release: string, name?: string) {
  const labels = facts.labels(release);
  return deploySource(source, {
    ...named(name),
    job: facts.job,
    namespace,
    serviceLabels: labels,
    podLabels: labels,
    port: facts.port,
    path: facts.path,
    honorLabels: facts.honorLabels,
  });
}

export const kubePrometheusStackPresets = {
  /** kube-state-metrics of a kube-prometheus-stack release. */
  kubeStateMetrics(options: KubePrometheusStackOptions = {}) {
    const { version = '88.5.3', release = 'kube-prometheus-stack', namespace = 'monitoring', name } = options;
    return platformSource(kubeStateMetrics, factsAt('kube-prometheus-stack', KUBE_STATE_METRICS, version), namespace, release, name);
  },

  /** The kubelets' cAdvisor endpoints as kube-prometheus-stack scrapes them (a Service in kube-system). */
  cadvisor(options: Omit<KubePrometheusStackOptions, 'namespace'> = {}) {
    const { version = '88.5.3', release = 'kube-prometheus-stack', name } = options;
    return platformSource(cadvisor, factsAt('kube-prometheus-stack', KUBELET, version), 'kube-system', release, name);
  },
};
