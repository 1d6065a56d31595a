/**
 * What the example platform runs: the catalog's sources as they are deployed here. Re-export a source to
 * use its catalog deployment, or `deploySource()` it with your own namespace, job, labels and port.
 */
export {
  arksGateway,
  blackbox,
  cadvisor,
  dcgm,
  k6,
  kthenaInference,
  kthenaRouter,
  kubeStateMetrics,
  moeRouter,
  otelGenAi,
  prometheus,
  ragBackend,
  sglang,
  vllm,
} from 'infermon/catalog';
