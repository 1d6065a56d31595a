import {
  byVariables,
  defineDashboard,
  type Filter,
  gauge,
  labelVariable,
  q,
  quantile,
  quantileQueries,
  ratio,
  sumRate,
} from 'infermon';
import { dcgmFbFree, dcgmFbUsed, dcgmGpuUtil, dcgmPowerUsage } from 'infermon/catalog/dcgm';
import { k6HttpReqDurationP99, k6HttpReqFailedRate, k6HttpReqsTotal, k6Vus } from 'infermon/catalog/k6';
import {
  RAG_STATUSES,
  ragGenerationDuration,
  ragRequestDuration,
  ragRequestsTotal,
  ragRetrievalDuration,
  ragTokensGeneratedTotal,
  ragTtft,
} from 'infermon/catalog/rag-backend';
import {
  vllmGenerationTokens,
  vllmKvCacheUsage,
  vllmNumRequestsRunning,
  vllmNumRequestsWaiting,
  vllmPromptTokens,
  vllmTimeToFirstToken,
} from 'infermon/catalog/vllm';
import { stack } from '../stack.ts';

/** The stack's external labels (provider, cluster, region, environment): one variable and one filter each. */
const CLUSTER_LABELS = Object.keys(stack.spec.externalLabels ?? {}).sort();
const clusters: Filter = byVariables(Object.fromEntries(CLUSTER_LABELS.map((l) => [l, l])));
const byCluster = CLUSTER_LABELS;
const clusterLegend = CLUSTER_LABELS.map((l) => `{{${l}}}`).join('/');
/** Typed against the catalog's status values, so a typo does not compile. */
const ERROR_STATUS: (typeof RAG_STATUSES)[number] = 'error';

const rag = { ...clusters, ...byVariables({ endpoint: 'endpoint' }) };
const k6 = { ...clusters, ...byVariables({ testid: 'testid' }) };

/**
 * The RAG application with the model servers, GPUs and k6 load tests behind it, for comparing clusters
 * and providers: pick a datasource per cluster, or one federated datasource and the cluster variables.
 */
export const ragOverviewDashboard = defineDashboard({
  id: 'rag-overview',
  title: 'RAG overview and benchmark comparison',
  description: 'RAG backend, vLLM, GPU and k6 load-test metrics side by side per provider and cluster, for cross-cluster benchmark comparison.',
  tags: ['rag', 'benchmark'],
  crossClusterSeries: ragRequestsTotal.name,
  variables: [
    labelVariable('endpoint', 'Endpoint', ragRequestsTotal, 'endpoint'),
    labelVariable('testid', 'k6 test run', k6Vus, 'testid'),
  ],
  links: ['llm-runtime', 'gpu'],
  rows: [
    {
      title: 'RAG backend',
      panels: [
        {
          title: 'Request rate',
          description: 'Backend requests per second by cluster and outcome.',
          unit: 'reqps',
          width: 8,
          queries: [q(sumRate(ragRequestsTotal, rag, { by: [...byCluster, 'status'] }), `${clusterLegend} {{status}}`)],
        },
        {
          title: 'Error ratio',
          description: 'Share of backend requests that ended in an error, per cluster.',
          unit: 'percentunit',
          width: 8,
          min: 0,
          thresholds: [{ value: 0.05, color: 'red' }],
          queries: [
            q(
              ratio(
                sumRate(ragRequestsTotal, { ...rag, status: { eq: ERROR_STATUS } }, { by: byCluster }),
                sumRate(ragRequestsTotal, rag, { by: byCluster }),
              ),
              clusterLegend,
            ),
          ],
        },
        {
          title: 'Tokens generated per second',
          description: 'Tokens the backend streamed to clients per second, per cluster.',
          unit: 'suffix: tok/s',
          width: 8,
          queries: [q(sumRate(ragTokensGeneratedTotal, rag, { by: byCluster }), clusterLegend)],
        },
        {
          title: 'Request latency',
          description: 'Backend request latency at P50, P95 and P99, per cluster.',
          unit: 's',
          width: 8,
          queries: quantileQueries(ragRequestDuration, rag, { by: byCluster, quantiles: [0.5, 0.95, 0.99] }),
        },
        {
          title: 'Time to first token',
          description: 'Time until the backend streamed the first token at P50, P95 and P99, per cluster.',
          unit: 's',
          width: 8,
          thresholds: [{ value: 1, color: 'red' }],
          queries: quantileQueries(ragTtft, rag, { by: byCluster, quantiles: [0.5, 0.95, 0.99] }),
        },
        {
          title: 'Retrieval and generation (P95)',
          description: 'P95 of the vector-store retrieval and the LLM generation steps, per cluster.',
          unit: 's',
          width: 8,
          queries: [
            q(quantile(0.95, ragRetrievalDuration, rag, byCluster), `retrieval ${clusterLegend}`),
            q(quantile(0.95, ragGenerationDuration, rag, byCluster), `generation ${clusterLegend}`),
          ],
        },
      ],
    },
    {
      title: 'vLLM',
      panels: [
        {
          title: 'Running and waiting requests',
          description: 'Requests in the running batch and in the queue, per cluster.',
          unit: 'short',
          width: 8,
          queries: [
            q(gauge(vllmNumRequestsRunning, clusters, byCluster), `running ${clusterLegend}`),
            q(gauge(vllmNumRequestsWaiting, clusters, byCluster), `waiting ${clusterLegend}`),
          ],
        },
        {
          title: 'Token throughput',
          description: 'Prompt and generated tokens per second, per cluster.',
          unit: 'suffix: tok/s',
          width: 8,
          queries: [
            q(sumRate(vllmPromptTokens, clusters, { by: byCluster }), `prompt ${clusterLegend}`),
            q(sumRate(vllmGenerationTokens, clusters, { by: byCluster }), `generation ${clusterLegend}`),
          ],
        },
        {
          title: 'KV cache usage',
          description: 'Highest KV cache usage of the model servers, per cluster.',
          unit: 'percentunit',
          width: 8,
          queries: [q(gauge(vllmKvCacheUsage, clusters, byCluster, 'max'), `KV cache ${clusterLegend}`)],
        },
        {
          title: 'vLLM time to first token (P95)',
          description: 'P95 time to first token measured by the model servers, per cluster.',
          unit: 's',
          width: 24,
          queries: [q(quantile(0.95, vllmTimeToFirstToken, clusters, byCluster), clusterLegend)],
        },
      ],
    },
    {
      title: 'GPU',
      panels: [
        {
          title: 'GPU utilisation',
          description: 'Mean GPU utilisation per cluster.',
          unit: 'percent',
          width: 8,
          min: 0,
          max: 100,
          queries: [q(gauge(dcgmGpuUtil, clusters, byCluster, 'avg'), clusterLegend)],
        },
        {
          title: 'GPU memory used',
          description: 'Framebuffer used as a share of framebuffer used plus free, per cluster.',
          unit: 'percentunit',
          width: 8,
          thresholds: [{ value: 0.9, color: 'red' }],
          queries: [
            q(
              ratio(gauge(dcgmFbUsed, clusters, byCluster), `${gauge(dcgmFbUsed, clusters, byCluster)} + ${gauge(dcgmFbFree, clusters, byCluster)}`),
              clusterLegend,
            ),
          ],
        },
        {
          title: 'GPU power',
          description: 'Total GPU power draw per cluster.',
          unit: 'watt',
          width: 8,
          queries: [q(gauge(dcgmPowerUsage, clusters, byCluster), clusterLegend)],
        },
      ],
    },
    {
      title: 'k6 benchmark',
      panels: [
        {
          title: 'k6 request rate',
          description: 'Requests per second the load test made, per test run and cluster.',
          unit: 'reqps',
          width: 6,
          queries: [q(sumRate(k6HttpReqsTotal, k6, { by: ['testid', ...byCluster] }), `{{testid}} ${clusterLegend}`)],
        },
        {
          title: 'k6 failed requests',
          description: 'Share of load-test requests with an unexpected response.',
          unit: 'percentunit',
          width: 6,
          queries: [q(gauge(k6HttpReqFailedRate, k6, ['testid', ...byCluster], 'max'), `{{testid}} ${clusterLegend}`)],
        },
        {
          title: 'k6 request duration (P99)',
          description: 'P99 request duration as k6 measured it over each push interval.',
          unit: 's',
          width: 6,
          queries: [q(gauge(k6HttpReqDurationP99, k6, ['testid', ...byCluster], 'max'), `{{testid}} ${clusterLegend}`)],
        },
        {
          title: 'k6 virtual users',
          description: 'Active virtual users of each test run.',
          unit: 'short',
          width: 6,
          queries: [q(gauge(k6Vus, k6, ['testid', ...byCluster]), `{{testid}} ${clusterLegend}`)],
        },
      ],
    },
  ],
});
