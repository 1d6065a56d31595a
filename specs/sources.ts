import { presets } from 'infermon/catalog/presets';

/**
 * What the example platform runs: the catalog's sources as they are deployed here. Re-export a source to
 * use its catalog deployment, take a preset for a component installed from its upstream chart, or
 * `deploySource()` it with your own namespace, job, labels and port.
 */
export {
  arksGateway,
  blackbox,
  k6,
  kthenaInference,
  moeRouter,
  otelGenAi,
  prometheus,
  ragBackend,
  sglang,
  vllm,
} from 'infermon/catalog';

/** The GPU Operator's dcgm-exporter: Service port `gpu-metrics`, scrape annotation on the Service. */
export const dcgm = presets.dcgm.gpuOperator();
/** The router of the Kthena v1.0.0 chart: metrics on its HTTP port. */
export const kthenaRouter = presets.kthenaRouter.helmChart({ version: 'v1.0.0' });
export const kubeStateMetrics = presets.kubePrometheusStack.kubeStateMetrics();
export const cadvisor = presets.kubePrometheusStack.cadvisor();
