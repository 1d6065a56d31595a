import { z } from 'zod';
import { byVariables, gauge, q, quantile, quantileQueries, ratio, sumRate } from '../../grafana/queries.ts';
import { labelVariable } from '../../grafana/variables.ts';
import { dcgmFbFree, dcgmFbUsed, dcgmGpuUtil, dcgmPowerUsage } from '../../catalog/dcgm.ts';
import { k6HttpReqDurationP99, k6HttpReqFailedRate, k6HttpReqsTotal, k6Vus } from '../../catalog/k6.ts';
import {
  RAG_STATUSES,
  ragGenerationDuration,
  ragRequestDuration,
  ragRequestsTotal,
  ragRetrievalDuration,
  ragTokensGeneratedTotal,
  ragTtft,
} from '../../catalog/rag-backend.ts';
import {
  vllmGenerationTokens,
  vllmKvCacheUsage,
  vllmNumRequestsRunning,
  vllmNumRequestsWaiting,
  vllmPromptTokens,
  vllmTimeToFirstToken,
} from '../../catalog/vllm.ts';
import { bundledDashboard, type DashboardConfig, type UnscopedPart } from './bundled.ts';
import { contentFactory, dashboardConfigFields } from '../options.ts';
import { labelNameSchema } from '../../model/label-name.ts';

export interface RagOverviewDashboardConfig extends DashboardConfig {
  /**
   * The labels that tell clusters apart behind one federated datasource: the stack's `externalLabels`
   * names, e.g. `['cluster', 'environment', 'provider', 'region']`. Each becomes a variable, a filter and
   * a split of every panel; left out, the dashboard compares clusters by switching the datasource.
   */
  clusterLabels?: readonly string[];
  /** The k6 load-test row and its test-run variable; `false` when no k6 runs push to this Prometheus. */
  k6?: boolean;
}

const ragOverviewDashboardConfigSchema = z.strictObject({ ...dashboardConfigFields, clusterLabels: z.array(labelNameSchema).readonly().optional(), k6: z.boolean().optional() });

/** Typed against the catalog's status values, so a typo does not compile. */
const ERROR_STATUS: (typeof RAG_STATUSES)[number] = 'error';

/** A legend of these words, the empty ones left out; with none left the series is the only one. */
export const legend = (...words: string[]) => words.filter((w) => w !== '').join(' ') || 'all';

/** A filter, a grouping and a legend over the cluster labels. */
export function clusterSplit(labels: readonly string[]) {
  return {
    clusters: byVariables(Object.fromEntries(labels.map((l) => [l, l]))),
    byCluster: [...labels],
    clusterLegend: labels.map((l) => `{{${l}}}`).join('/'),
  };
}

export type ClusterSplit = ReturnType<typeof clusterSplit>;

/**
 * The k6 load tests, side by side per cluster. k6 pushes its series from outside the deployment, so they
 * carry the cluster labels but not the deployment's: the selector stays off this row.
 */
function k6LoadTests({ clusters, byCluster, clusterLegend }: ClusterSplit): UnscopedPart {
  const testRuns = { ...clusters, ...byVariables({ testid: 'testid' }) };
  return {
    variables: [labelVariable('testid', 'k6 test run', k6Vus, 'testid')],
    rows: [
      {
        title: 'k6 benchmark',
        panels: [
          {
            title: 'k6 request rate',
            description: 'Requests per second the load test made, per test run and cluster.',
            unit: 'reqps',
            width: 6,
            queries: [q(sumRate(k6HttpReqsTotal, testRuns, { by: ['testid', ...byCluster] }), legend('{{testid}}', clusterLegend))],
          },
          {
            title: 'k6 failed requests',
            description: 'Share of load-test requests with an unexpected response.',
            unit: 'percentunit',
            width: 6,
            queries: [q(gauge(k6HttpReqFailedRate, testRuns, ['testid', ...byCluster], 'max'), legend('{{testid}}', clusterLegend))],
          },
          {
            title: 'k6 request duration (P99)',
            description: 'P99 request duration as k6 measured it, over each run so far.',
            unit: 's',
            width: 6,
            queries: [q(gauge(k6HttpReqDurationP99, testRuns, ['testid', ...byCluster], 'max'), legend('{{testid}}', clusterLegend))],
          },
          {
            title: 'k6 virtual users',
            description: 'Active virtual users of each test run.',
            unit: 'short',
            width: 6,
            queries: [q(gauge(k6Vus, testRuns, ['testid', ...byCluster]), legend('{{testid}}', clusterLegend))],
          },
        ],
      },
    ],
  };
}

/**
 * The RAG application with the model servers, GPUs and k6 load tests behind it, for comparing clusters
 * and providers: pick a datasource per cluster, or one federated datasource and the cluster variables.
 */
export const ragOverviewDashboard = contentFactory('ragOverviewDashboard', ragOverviewDashboardConfigSchema, (config: RagOverviewDashboardConfig) => {
  const split = clusterSplit(config.clusterLabels ?? []);
  const { clusters, byCluster, clusterLegend } = split;
  const rag = { ...clusters, ...byVariables({ endpoint: 'endpoint' }) };
  const k6 = config.k6 ?? true;
  return bundledDashboard(
    {
      id: 'rag-overview',
      title: 'RAG overview and benchmark comparison',
      description: `${k6 ? 'RAG backend, vLLM, GPU and k6 load-test' : 'RAG backend, vLLM and GPU'} metrics side by side per provider and cluster, for cross-cluster benchmark comparison.`,
      tags: ['rag', 'benchmark'],
      ...(byCluster.length > 0 ? { crossClusterSeries: ragRequestsTotal.name } : {}),
      variables: [labelVariable('endpoint', 'Endpoint', ragRequestsTotal, 'endpoint')],
      rows: [
        {
          title: 'RAG backend',
          panels: [
            {
              title: 'Request rate',
              description: 'Backend requests per second by cluster and outcome.',
              unit: 'reqps',
              width: 8,
              queries: [q(sumRate(ragRequestsTotal, rag, { by: [...byCluster, 'status'] }), legend(clusterLegend, '{{status}}'))],
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
                  legend(clusterLegend),
                ),
              ],
            },
            {
              title: 'Tokens generated per second',
              description: 'Tokens the backend streamed to clients per second, per cluster.',
              unit: 'suffix: tok/s',
              width: 8,
              queries: [q(sumRate(ragTokensGeneratedTotal, rag, { by: byCluster }), legend(clusterLegend))],
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
                q(quantile(0.95, ragRetrievalDuration, rag, byCluster), legend('retrieval', clusterLegend)),
                q(quantile(0.95, ragGenerationDuration, rag, byCluster), legend('generation', clusterLegend)),
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
                q(gauge(vllmNumRequestsRunning, clusters, byCluster), legend('running', clusterLegend)),
                q(gauge(vllmNumRequestsWaiting, clusters, byCluster), legend('waiting', clusterLegend)),
              ],
            },
            {
              title: 'Token throughput',
              description: 'Prompt and generated tokens per second, per cluster.',
              unit: 'suffix: tok/s',
              width: 8,
              queries: [
                q(sumRate(vllmPromptTokens, clusters, { by: byCluster }), legend('prompt', clusterLegend)),
                q(sumRate(vllmGenerationTokens, clusters, { by: byCluster }), legend('generation', clusterLegend)),
              ],
            },
            {
              title: 'KV cache usage',
              description: 'Highest KV cache usage of the model servers, per cluster.',
              unit: 'percentunit',
              width: 8,
              queries: [q(gauge(vllmKvCacheUsage, clusters, byCluster, 'max'), legend('KV cache', clusterLegend))],
            },
            {
              title: 'vLLM time to first token (P95)',
              description: 'P95 time to first token measured by the model servers, per cluster.',
              unit: 's',
              width: 24,
              queries: [q(quantile(0.95, vllmTimeToFirstToken, clusters, byCluster), legend(clusterLegend))],
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
              queries: [q(gauge(dcgmGpuUtil, clusters, byCluster, 'avg'), legend(clusterLegend))],
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
                  legend(clusterLegend),
                ),
              ],
            },
            {
              title: 'GPU power',
              description: 'Total GPU power draw per cluster.',
              unit: 'watt',
              width: 8,
              queries: [q(gauge(dcgmPowerUsage, clusters, byCluster), legend(clusterLegend))],
            },
          ],
        },
      ],
    },
    ['llm-runtime', 'gpu'],
    config,
    k6 ? k6LoadTests(split) : undefined,
  );
});
