import { arksPresets } from './presets/arks.ts';
import { dcgmPresets } from './presets/dcgm.ts';
import { kthenaRouterPresets } from './presets/kthena-router.ts';
import { kubePrometheusStackPresets } from './presets/kube-prometheus-stack.ts';
import { sglangPresets } from './presets/sglang.ts';
import { vllmPresets } from './presets/vllm.ts';

/**
 * Catalog sources as upstream charts and manifests really deploy them, each fact read at a named release:
 * `export const dcgm = presets.dcgm.gpuOperator()` in a spec file declares the DCGM exporter the GPU
 * Operator runs, with the labels, port name, namespace and discovery its chart renders. Each call is one
 * deployment; call again with another `name` and `namespace` for another.
 */
export const presets = {
  arks: arksPresets,
  dcgm: dcgmPresets,
  kthenaRouter: kthenaRouterPresets,
  vllm: vllmPresets,
  sglang: sglangPresets,
  kubePrometheusStack: kubePrometheusStackPresets,
};

export { arksPresets, ARKS_VERSIONS } from './presets/arks.ts';
export type { ArksRuntimeOptions, ArksVersion } from './presets/arks.ts';
export { dcgmPresets, DCGM_EXPORTER_CHART_VERSIONS, GPU_OPERATOR_VERSIONS } from './presets/dcgm.ts';
export type { DcgmExporterChartOptions, DcgmExporterChartVersion, GpuOperatorOptions, GpuOperatorVersion } from './presets/dcgm.ts';
export { kthenaRouterPresets, KTHENA_VERSIONS } from './presets/kthena-router.ts';
export type { KthenaRouterOptions, KthenaVersion } from './presets/kthena-router.ts';
export { kubePrometheusStackPresets, KUBE_PROMETHEUS_STACK_VERSIONS } from './presets/kube-prometheus-stack.ts';
export type { KubePrometheusStackOptions, KubePrometheusStackVersion } from './presets/kube-prometheus-stack.ts';
export { sglangPresets } from './presets/sglang.ts';
export { vllmPresets, KSERVE_VERSIONS, VLLM_STACK_VERSIONS } from './presets/vllm.ts';
export type { KserveOptions, KserveVersion, PodTemplateOptions, VllmStackOptions, VllmStackVersion } from './presets/vllm.ts';
