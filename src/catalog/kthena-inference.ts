import { label, metric } from '../model/catalog.ts';
import { defineSource } from '../model/spec.ts';

/**
 * Model-level metrics of the Kthena Prometheus integration guide: inference, model-loading and custom
 * model metrics, keyed by `model_id`, scraped from model pods under job `kthena-models`.
 *
 * No stock Kthena component emits these: the router exposes `kthena_router_*` and the runtimes their own
 * families. They exist only where a model server is instrumented this way, so every family is
 * conditional. Label names are the ones the guide's queries use; where it gives no buckets the buckets
 * are infermon's, chosen so the guide's thresholds (1 s latency SLO, 2 s p95 alert) are boundaries.
 */

const APPLICATION_DEFINED = 'application-defined: only model servers instrumented per the Kthena integration guide emit it';

export const KTHENA_INFERENCE_DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 5, 10, 30, 60] as const;
export const KTHENA_PAYLOAD_SIZE_BUCKETS = [256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304] as const;
export const KTHENA_MODEL_LOAD_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1200] as const;
export const KTHENA_BATCH_EFFICIENCY_BUCKETS = [0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0] as const;
/** `kthena_model_status` values: 1 while the model is loaded and serving. */
export const KTHENA_MODEL_STATUS_ACTIVE = 1;

const modelId = label.bounded('model identifier');

export const kthenaInferenceRequestsTotal = metric({
  name: 'kthena_inference_requests_total',
  type: 'counter',
  help: 'Inference requests by HTTP status.',
  unit: 'requests',
  labels: { model_id: modelId, status: label.bounded('HTTP status code, e.g. 200, 503') },
  conditional: APPLICATION_DEFINED,
});

export const kthenaInferenceDuration = metric({
  name: 'kthena_inference_duration_seconds',
  type: 'histogram',
  help: 'Latency of inference requests.',
  unit: 'seconds',
  labels: { model_id: modelId },
  buckets: [...KTHENA_INFERENCE_DURATION_BUCKETS],
  conditional: APPLICATION_DEFINED,
});

export const kthenaInferenceRequestSize = metric({
  name: 'kthena_inference_request_size_bytes',
  type: 'histogram',
  help: 'Size of inference request bodies.',
  unit: 'bytes',
  labels: { model_id: modelId },
  buckets: [...KTHENA_PAYLOAD_SIZE_BUCKETS],
  conditional: APPLICATION_DEFINED,
});

export const kthenaInferenceResponseSize = metric({
  name: 'kthena_inference_response_size_bytes',
  type: 'histogram',
  help: 'Size of inference response bodies.',
  unit: 'bytes',
  labels: { model_id: modelId },
  buckets: [...KTHENA_PAYLOAD_SIZE_BUCKETS],
  conditional: APPLICATION_DEFINED,
});

export const kthenaInferenceErrorsTotal = metric({
  name: 'kthena_inference_errors_total',
  type: 'counter',
  help: 'Inference requests that failed.',
  unit: 'requests',
  labels: { model_id: modelId },
  conditional: APPLICATION_DEFINED,
});

export const kthenaModelLoadDuration = metric({
  name: 'kthena_model_load_duration_seconds',
  type: 'histogram',
  help: 'Time to load a model.',
  unit: 'seconds',
  labels: { model_id: modelId },
  buckets: [...KTHENA_MODEL_LOAD_BUCKETS],
  conditional: APPLICATION_DEFINED,
});

export const kthenaModelLoadFailuresTotal = metric({
  name: 'kthena_model_load_failures_total',
  type: 'counter',
  help: 'Model loads that failed.',
  unit: 'failures',
  labels: { model_id: modelId },
  conditional: APPLICATION_DEFINED,
});

export const kthenaModelMemoryUsage = metric({
  name: 'kthena_model_memory_usage_bytes',
  type: 'gauge',
  help: 'Memory held by a loaded model.',
  unit: 'bytes',
  labels: { model_id: modelId },
  conditional: APPLICATION_DEFINED,
});

export const kthenaModelStatus = metric({
  name: 'kthena_model_status',
  type: 'gauge',
  help: 'Model state: 1 while loaded and serving, 0 otherwise.',
  unit: 'state',
  labels: { model_id: modelId },
  conditional: APPLICATION_DEFINED,
});

export const modelAccuracyScore = metric({
  name: 'model_accuracy_score',
  type: 'gauge',
  help: 'Current accuracy score of a model on an evaluation data set, 0 to 1.',
  unit: 'ratio',
  labels: {
    model_id: modelId,
    version: label.bounded('model version'),
    dataset: label.bounded('evaluation data set'),
  },
  conditional: APPLICATION_DEFINED,
});

export const inferenceQueueDepth = metric({
  name: 'inference_queue_depth',
  type: 'gauge',
  help: 'Requests waiting in the inference queue.',
  unit: 'requests',
  labels: { model_id: modelId, priority: label.bounded('queue priority class') },
  conditional: APPLICATION_DEFINED,
});

export const modelCacheHitRatio = metric({
  name: 'model_cache_hit_ratio',
  type: 'gauge',
  help: 'Hit ratio of a prediction cache, 0 to 1.',
  unit: 'ratio',
  labels: { model_id: modelId, cache_type: label.bounded('kind of cache') },
  conditional: APPLICATION_DEFINED,
});

export const batchProcessingEfficiency = metric({
  name: 'batch_processing_efficiency',
  type: 'histogram',
  help: 'Efficiency of batch processing, 0 to 1.',
  unit: 'ratio',
  labels: { model_id: modelId, batch_size: label.bounded('batch size') },
  buckets: [...KTHENA_BATCH_EFFICIENCY_BUCKETS],
  conditional: APPLICATION_DEFINED,
});

// GPU gauges the guide's dashboard and alerts query. They are not DCGM exporter names; with the DCGM
// exporter, DCGM_FI_DEV_GPU_UTIL and DCGM_FI_DEV_FB_USED carry the same information.

export const nvidiaGpuUtilizationPercent = metric({
  name: 'nvidia_gpu_utilization_percent',
  type: 'gauge',
  help: 'GPU utilisation of a model pod, 0 to 100.',
  unit: 'percent',
  labels: { gpu_id: label.bounded('GPU index'), model_id: modelId },
  conditional: APPLICATION_DEFINED,
});

export const nvidiaGpuMemoryUsageBytes = metric({
  name: 'nvidia_gpu_memory_usage_bytes',
  type: 'gauge',
  help: 'GPU memory used by a model pod.',
  unit: 'bytes',
  labels: { gpu_id: label.bounded('GPU index'), model_id: modelId },
  conditional: APPLICATION_DEFINED,
});

export const KTHENA_INFERENCE_METRICS = [
  kthenaInferenceRequestsTotal,
  kthenaInferenceDuration,
  kthenaInferenceRequestSize,
  kthenaInferenceResponseSize,
  kthenaInferenceErrorsTotal,
  kthenaModelLoadDuration,
  kthenaModelLoadFailuresTotal,
  kthenaModelMemoryUsage,
  kthenaModelStatus,
  modelAccuracyScore,
  inferenceQueueDepth,
  modelCacheHitRatio,
  batchProcessingEfficiency,
  nvidiaGpuUtilizationPercent,
  nvidiaGpuMemoryUsageBytes,
] as const;

export const kthenaInference = defineSource({
  name: 'kthena-inference',
  component: 'Kthena model servers',
  job: 'kthena-models',
  port: { name: 'metrics', number: 8080 },
  path: '/metrics',
  scrapeInterval: '15s',
  kubernetes: {
    namespace: 'inference',
    serviceLabels: { app: 'kthena' },
    podLabels: { app: 'kthena' },
    // As in the guide's ServiceMonitor: the model servers' own labels win over target labels.
    honorLabels: true,
  },
  metrics: [...KTHENA_INFERENCE_METRICS],
});
