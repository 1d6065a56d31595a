import { z } from 'zod';
import { byVariables, gauge, heatmapBuckets, q, quantileQueries, ratio, sumRate } from '../../grafana/queries.ts';
import { labelVariable } from '../../grafana/variables.ts';
import { dcgmFbUsed, dcgmGpuUtil, dcgmPowerUsage } from '../../catalog/dcgm.ts';
import {
  ROUTER_SUCCESS_ERROR_TYPE,
  routerRequestDuration,
  routerRequestsTotal,
  routerTokensTotal,
} from '../../catalog/kthena-router.ts';
import {
  vllmE2eRequestLatency,
  vllmGenerationTokens,
  vllmInterTokenLatency,
  vllmKvCacheUsage,
  vllmNumRequestsRunning,
  vllmNumRequestsWaiting,
  vllmPromptTokens,
  vllmTimeToFirstToken,
} from '../../catalog/vllm.ts';
import { modelAccuracyScore } from '../../catalog/kthena-inference.ts';
import { bundledDashboard } from './bundled.ts';
import { modelServerDashboardConfigFields, modelServerNamespace, type ModelServerDashboardConfig } from './model-servers.ts';
import { contentFactory } from '../options.ts';

const router = byVariables({ model: 'model' });
const runtime = byVariables({ model_name: 'model' });
/** The application-defined accuracy gauge names the model `model_id`. */
const evaluated = byVariables({ model_id: 'model' });
/** Where the ModelAccuracyDrop alert of the Kthena content fires. */
const ACCURACY_FLOOR = 0.85;

export interface ModelDrilldownDashboardConfig extends ModelServerDashboardConfig {
  /**
   * The model-quality row, on the accuracy gauge the serving application exports (a Kthena inference
   * family); `false` when no application exports it.
   */
  accuracy?: boolean;
}

const modelDrilldownDashboardConfigSchema = z.strictObject({ ...modelServerDashboardConfigFields, accuracy: z.boolean().optional() });

/** The accuracy the serving application reports per evaluation data set and model version. */
const MODEL_QUALITY_ROW = {
  title: 'Model quality',
  panels: [
    {
      title: 'Model accuracy over time',
      description: `Accuracy of the model on each evaluation data set and version (${modelAccuracyScore.name}, exported by the serving application when it evaluates); red below ${ACCURACY_FLOOR}, where the accuracy-drop alert fires.`,
      unit: 'percentunit',
      width: 24,
      min: 0,
      max: 1,
      baseColor: 'red',
      thresholds: [{ value: ACCURACY_FLOOR, color: 'green' }],
      queries: [q(gauge(modelAccuracyScore, evaluated, ['version', 'dataset'], 'min'), '{{version}} {{dataset}}')],
    },
  ],
};

/** One model end to end: router traffic, model-server latency and load, and the GPUs under its pods. */
export const modelDrilldownDashboard = contentFactory('modelDrilldownDashboard', modelDrilldownDashboardConfigSchema, (config: ModelDrilldownDashboardConfig) => {
  const namespace = modelServerNamespace(config);
  // GPU series carry pods, not models: the `pod` variable picks the model-server pods.
  const gpus = { ...byVariables({ pod: 'pod' }), namespace: { eq: namespace } };
  return bundledDashboard(
    {
      id: 'model-drilldown',
      title: 'Model drill-down',
      description: 'One model across the Kthena router, its vLLM servers and their GPUs.',
      tags: ['model', 'kthena', 'vllm', 'gpu'],
      variables: [
        labelVariable('model', 'Model', routerRequestsTotal, 'model', { multi: false, includeAll: false }),
        labelVariable('pod', 'Model-server pod', dcgmGpuUtil, 'pod', {
          matchers: `{namespace=${JSON.stringify(namespace)}}`,
        }),
      ],
      rows: [
        {
          title: 'Router',
          panels: [
            {
              title: 'Request rate by status',
              description: 'Requests for the model per second, by HTTP status.',
              unit: 'reqps',
              width: 8,
              stack: true,
              queries: [q(sumRate(routerRequestsTotal, router, { by: ['status_code'] }), '{{status_code}}')],
            },
            {
              title: 'Error ratio',
              description: `Share of the model's requests that finished other than ${ROUTER_SUCCESS_ERROR_TYPE}.`,
              unit: 'percentunit',
              width: 8,
              min: 0,
              queries: [
                q(
                  ratio(
                    sumRate(routerRequestsTotal, { ...router, error_type: { ne: ROUTER_SUCCESS_ERROR_TYPE } }),
                    sumRate(routerRequestsTotal, router),
                  ),
                  'errors',
                ),
              ],
            },
            {
              title: 'Router tokens per second',
              description: 'Input and output tokens of the model through the router.',
              unit: 'suffix: tok/s',
              width: 8,
              queries: [q(sumRate(routerTokensTotal, router, { by: ['token_type'] }), '{{token_type}}')],
            },
            {
              title: 'Router latency',
              description: 'End-to-end latency through the router at P50, P90, P95 and P99.',
              unit: 's',
              width: 12,
              queries: quantileQueries(routerRequestDuration, router),
            },
            {
              title: 'Router latency distribution',
              description: 'Requests per latency bucket over time.',
              type: 'heatmap',
              unit: 's',
              width: 12,
              queries: [q(heatmapBuckets(routerRequestDuration, router), '{{le}}')],
            },
          ],
        },
        {
          title: 'Model servers',
          panels: [
            {
              title: 'Time to first token',
              description: 'vLLM time to first token at P50, P90, P95 and P99.',
              unit: 's',
              width: 8,
              queries: quantileQueries(vllmTimeToFirstToken, runtime),
            },
            {
              title: 'Inter-token latency',
              description: 'vLLM time between output tokens at P50, P90, P95 and P99.',
              unit: 's',
              width: 8,
              queries: quantileQueries(vllmInterTokenLatency, runtime),
            },
            {
              title: 'End-to-end latency',
              description: 'vLLM request latency at P50, P90, P95 and P99.',
              unit: 's',
              width: 8,
              queries: quantileQueries(vllmE2eRequestLatency, runtime),
            },
            {
              title: 'Running and waiting requests',
              description: 'Requests running and queued on each model-server instance.',
              unit: 'short',
              width: 8,
              queries: [
                q(gauge(vllmNumRequestsRunning, runtime, ['instance']), 'running {{instance}}'),
                q(gauge(vllmNumRequestsWaiting, runtime, ['instance']), 'waiting {{instance}}'),
              ],
            },
            {
              title: 'Token throughput',
              description: 'Prompt and generated tokens per second across the model servers.',
              unit: 'suffix: tok/s',
              width: 8,
              queries: [q(sumRate(vllmPromptTokens, runtime), 'prompt'), q(sumRate(vllmGenerationTokens, runtime), 'generation')],
            },
            {
              title: 'KV cache usage',
              description: 'KV cache in use on each model-server instance.',
              unit: 'percentunit',
              width: 8,
              min: 0,
              max: 1,
              queries: [q(gauge(vllmKvCacheUsage, runtime, ['instance'], 'max'), '{{instance}}')],
            },
          ],
        },
        ...(config.accuracy === false ? [] : [MODEL_QUALITY_ROW]),
        {
          title: 'GPUs of the model-server pods',
          panels: [
            {
              title: 'GPU utilisation',
              description: 'Utilisation of the GPUs assigned to the selected pods (choose the pods that serve the model).',
              unit: 'percent',
              width: 8,
              min: 0,
              max: 100,
              queries: [q(gauge(dcgmGpuUtil, gpus, ['pod', 'gpu'], 'max'), '{{pod}} GPU {{gpu}}')],
            },
            {
              title: 'GPU memory used',
              description: 'Framebuffer used on the GPUs of the selected pods.',
              unit: 'mbytes',
              width: 8,
              queries: [q(gauge(dcgmFbUsed, gpus, ['pod', 'gpu'], 'max'), '{{pod}} GPU {{gpu}}')],
            },
            {
              title: 'GPU power',
              description: 'Power drawn by the GPUs of the selected pods.',
              unit: 'watt',
              width: 8,
              queries: [q(gauge(dcgmPowerUsage, gpus, ['pod'], 'sum'), '{{pod}}')],
            },
          ],
        },
      ],
    },
    ['kthena-router', 'llm-runtime', 'gpu', 'slos'],
    config,
  );
});
