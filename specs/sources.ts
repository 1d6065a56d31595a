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
  otelSpanMetrics,
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
/** The RAG application's own vLLM, a plain Deployment in `rag-app` with pods labelled `app: rag-app-vllm`. */
export const ragVllm = presets.vllm.deployment({ name: 'rag-vllm', namespace: 'rag-app', app: 'rag-app-vllm' });
/** vLLM runtimes the Arks operator runs for the ArksApplications in `inference`, through the Services it creates. */
export const arksRuntime = presets.arks.runtime({ runtime: 'vllm', namespace: 'inference' });
