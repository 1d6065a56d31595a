import { deploySource } from '../../model/spec.ts';
import { dcgm } from '../dcgm.ts';
import { factsAt, named, type ConfirmedFacts } from './confirmed.ts';

/**
 * The NVIDIA DCGM exporter as it is really deployed: by the GPU Operator (a DaemonSet and Service the
 * operator renders from its assets) or by the exporter's own Helm chart. The two name the metrics port
 * differently, so a monitor written for one selects nothing under the other.
 */

export const GPU_OPERATOR_VERSIONS = ['v24.9.0', 'v25.3.0', 'v25.10.0', 'v26.3.0', 'v26.7.0'] as const;
export type GpuOperatorVersion = (typeof GPU_OPERATOR_VERSIONS)[number];

// NVIDIA/gpu-operator assets/state-dcgm-exporter/0600_service.yaml (v24.9.0, v25.3.0), 0400_service.yaml
// (v25.10.0, v26.3.0, v26.7.0): Service nvidia-dcgm-exporter, label app: nvidia-dcgm-exporter, annotation
// prometheus.io/scrape: "true" on the Service (not the pods), port name gpu-metrics, 9400. The DaemonSet
// (0900_daemonset.yaml, later 0800_daemonset.yaml) labels its pods app: nvidia-dcgm-exporter and names the
// container port metrics. README.md at v26.7.0 installs the operator with -n gpu-operator.
const GPU_OPERATOR: ReadonlyArray<ConfirmedFacts<GpuOperatorVersion, { labels: Record<string, string>; servicePort: string; port: number }>> = [
  { versions: GPU_OPERATOR_VERSIONS, facts: { labels: { app: 'nvidia-dcgm-exporter' }, servicePort: 'gpu-metrics', port: 9400 } },
];

export const DCGM_EXPORTER_CHART_VERSIONS = ['4.2.3-4.1.3', '4.4.1-4.6.0', '4.5.3-4.8.2'] as const;
export type DcgmExporterChartVersion = (typeof DCGM_EXPORTER_CHART_VERSIONS)[number];

// NVIDIA/dcgm-exporter deployment/templates/_helpers.tpl and service.yaml at tags 4.2.3-4.1.3,
// 4.4.1-4.6.0 and 4.5.3-4.8.2: selector labels app.kubernetes.io/name and app.kubernetes.io/component
// (both the chart name, dcgm-exporter, unless nameOverride) and app.kubernetes.io/instance (the release);
// Service and container port name metrics, values.yaml service.port 9400; no prometheus.io annotations
// unless service.annotations sets them. deployment/README.md installs it as release dcgm-exporter, into
// the current namespace.
const STANDALONE_CHART: ReadonlyArray<ConfirmedFacts<DcgmExporterChartVersion, { chartName: string; port: { name: string; number: number } }>> = [
  { versions: DCGM_EXPORTER_CHART_VERSIONS, facts: { chartName: 'dcgm-exporter', port: { name: 'metrics', number: 9400 } } },
];

export interface GpuOperatorOptions {
  version?: GpuOperatorVersion;
  /** The operator's namespace. */
  namespace?: string;
  /** Deployment name (and job); defaults to the catalog's. */
  name?: string;
}

export interface DcgmExporterChartOptions {
  version?: DcgmExporterChartVersion;
  /** Helm release name. */
  release?: string;
  namespace?: string;
  name?: string;
}

export const dcgmPresets = {
  /**
   * dcgm-exporter under the NVIDIA GPU Operator: its Service's `gpu-metrics` port, annotations on the
   * Service. From v26.7.0 the operator's chart also creates its own ServiceMonitor by default
   * (deployments/gpu-operator/values.yaml dcgmExporter.serviceMonitor.enabled: true; false up to v26.3.0),
   * which names the job nvidia-dcgm-exporter and does not honour labels; set it to false, or a Prometheus
   * that selects both scrapes every GPU twice.
   */
  gpuOperator(options: GpuOperatorOptions = {}) {
    const { version = 'v26.7.0', namespace = 'gpu-operator', name } = options;
    const facts = factsAt('GPU Operator', GPU_OPERATOR, version);
    return deploySource(dcgm, {
      ...named(name),
      namespace,
      serviceLabels: facts.labels,
      podLabels: facts.labels,
      port: { name: facts.servicePort, number: facts.port },
      annotationsOn: 'service',
    });
  },

  /**
   * dcgm-exporter installed with its own Helm chart (`helm install <release> dcgm-exporter`). The chart
   * creates a ServiceMonitor of its own by default (values.yaml serviceMonitor.enabled: true at every
   * confirmed tag, job from the Service name, honorLabels false); set it to false next to this one.
   */
  standaloneChart(options: DcgmExporterChartOptions = {}) {
    const { version = '4.5.3-4.8.2', release = 'dcgm-exporter', namespace = 'default', name } = options;
    const facts = factsAt('dcgm-exporter chart', STANDALONE_CHART, version);
    const labels = {
      'app.kubernetes.io/name': facts.chartName,
      'app.kubernetes.io/component': facts.chartName,
      'app.kubernetes.io/instance': release,
    };
    return deploySource(dcgm, { ...named(name), namespace, serviceLabels: labels, podLabels: labels, port: facts.port });
  },
};
