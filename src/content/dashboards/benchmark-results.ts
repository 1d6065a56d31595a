import { z } from 'zod';
import { byVariables, gauge, q, sumRate } from '../../grafana/queries.ts';
import { labelVariable } from '../../grafana/variables.ts';
import {
  k6ChecksRate,
  k6DataReceivedTotal,
  k6DataSentTotal,
  k6DroppedIterationsTotal,
  k6HttpReqDurationMed,
  k6HttpReqDurationP90,
  k6HttpReqDurationP95,
  k6HttpReqDurationP99,
  k6HttpReqFailedRate,
  k6HttpReqsTotal,
  k6HttpReqWaitingP99,
  k6IterationsTotal,
  k6Vus,
} from '../../catalog/k6.ts';
import { ragTokensGeneratedTotal } from '../../catalog/rag-backend.ts';
import { vllmGenerationTokens } from '../../catalog/vllm.ts';
import { bundledDashboard, type DashboardConfig, type UnscopedPart } from './bundled.ts';
import { clusterSplit, legend, type ClusterSplit } from './rag-overview.ts';
import { contentFactory, dashboardConfigFields } from '../options.ts';
import { labelNameSchema } from '../../model/label-name.ts';

export interface BenchmarkResultsDashboardConfig extends DashboardConfig {
  /**
   * The labels that tell clusters apart behind one federated datasource (the stack's `externalLabels`
   * names); each becomes a variable, a filter and a split of every panel, so runs on different providers
   * sit side by side.
   */
  clusterLabels?: readonly string[];
}

const benchmarkResultsDashboardConfigSchema = z.strictObject({ ...dashboardConfigFields, clusterLabels: z.array(labelNameSchema).readonly().optional() });

/**
 * k6 remote-writes a trend as one gauge per statistic over the run so far: p(99) always, the others
 * when K6_PROMETHEUS_RW_TREND_STATS lists them (the default sends only p(99)).
 */
const DURATION_STATS = [
  { metric: k6HttpReqDurationP99, name: 'p99' },
  { metric: k6HttpReqDurationP95, name: 'p95' },
  { metric: k6HttpReqDurationP90, name: 'p90' },
  { metric: k6HttpReqDurationMed, name: 'median' },
] as const;

/** The k6 side of the runs: series pushed from outside the deployment, so the selector stays off them. */
function loadTestRows({ clusters, byCluster, clusterLegend }: ClusterSplit): UnscopedPart {
  const runs = { ...clusters, ...byVariables({ testid: 'testid' }) };
  const by = ['testid', ...byCluster];
  const run = legend('{{testid}}', clusterLegend);
  return {
    variables: [labelVariable('testid', 'k6 test run', k6HttpReqsTotal, 'testid')],
    rows: [
      {
        title: 'Load',
        panels: [
          {
            title: 'Request rate',
            description: 'HTTP requests per second k6 made, per test run and cluster.',
            unit: 'reqps',
            width: 8,
            queries: [q(sumRate(k6HttpReqsTotal, runs, { by }), run)],
          },
          {
            title: 'Virtual users',
            description: 'Active virtual users of each run.',
            unit: 'short',
            width: 8,
            queries: [q(gauge(k6Vus, runs, by), run)],
          },
          {
            title: 'Iterations',
            description: 'Script iterations completed per second, and iterations an arrival-rate executor dropped for lack of free virtual users.',
            unit: 'short',
            width: 8,
            queries: [
              q(sumRate(k6IterationsTotal, runs, { by }), legend('completed', run)),
              q(sumRate(k6DroppedIterationsTotal, runs, { by }), legend('dropped', run)),
            ],
          },
        ],
      },
      {
        title: 'Latency',
        panels: [
          {
            title: 'Request duration percentiles',
            description:
              'Request duration as k6 measured it, over each run so far. p99 is always sent; p95, p90 and the median only when K6_PROMETHEUS_RW_TREND_STATS lists p(95), p(90) and med.',
            unit: 's',
            width: 12,
            queries: DURATION_STATS.map((s) => q(gauge(s.metric, runs, by, 'max'), legend(s.name, run))),
          },
          {
            title: 'Time to first byte (p99)',
            description: 'p99 of the time k6 waited for the first byte of the response: for a streamed completion, the time to its first token.',
            unit: 's',
            width: 12,
            queries: [q(gauge(k6HttpReqWaitingP99, runs, by, 'max'), run)],
          },
        ],
      },
      {
        title: 'Errors',
        panels: [
          {
            title: 'Failed requests',
            description: 'Share of requests with an unexpected response, over each run so far.',
            unit: 'percentunit',
            width: 12,
            min: 0,
            thresholds: [{ value: 0.01, color: 'red' }],
            queries: [q(gauge(k6HttpReqFailedRate, runs, by, 'max'), run)],
          },
          {
            title: 'Checks passed',
            description: "Share of the script's checks that passed.",
            unit: 'percentunit',
            width: 12,
            min: 0,
            max: 1,
            queries: [q(gauge(k6ChecksRate, runs, by, 'min'), run)],
          },
        ],
      },
      {
        title: 'Data',
        panels: [
          {
            title: 'Data transferred',
            description: 'Bytes per second k6 sent and received.',
            unit: 'Bps',
            width: 24,
            queries: [q(sumRate(k6DataSentTotal, runs, { by }), legend('sent', run)), q(sumRate(k6DataReceivedTotal, runs, { by }), legend('received', run))],
          },
        ],
      },
    ],
  };
}

/**
 * Load-test results for comparing runs and providers: k6's request rate, latency percentiles and errors as
 * it remote-writes them, next to the tokens per second the RAG backend and its vLLM servers generated
 * under that load.
 */
export const benchmarkResultsDashboard = contentFactory('benchmarkResultsDashboard', benchmarkResultsDashboardConfigSchema, (config: BenchmarkResultsDashboardConfig) => {
  const split = clusterSplit(config.clusterLabels ?? []);
  const { clusters, byCluster, clusterLegend } = split;
  return bundledDashboard(
    {
      id: 'benchmark-results',
      title: 'Benchmark results',
      description: 'k6 load-test runs side by side per run and cluster: request rate, latency percentiles, errors, and the tokens per second generated under the load.',
      tags: ['benchmark', 'k6', 'rag'],
      ...(byCluster.length > 0 ? { crossClusterSeries: k6HttpReqsTotal.name } : {}),
      rows: [
        {
          title: 'Tokens under load',
          panels: [
            {
              title: 'Tokens generated per second',
              description: 'Answer tokens per second the RAG backend generated, and generation tokens per second of the vLLM servers, per cluster.',
              unit: 'suffix: tok/s',
              width: 24,
              queries: [
                q(sumRate(ragTokensGeneratedTotal, clusters, { by: byCluster }), legend('RAG backend', clusterLegend)),
                q(sumRate(vllmGenerationTokens, clusters, { by: byCluster }), legend('vLLM', clusterLegend)),
              ],
            },
          ],
        },
      ],
    },
    ['rag-overview', 'llm-runtime'],
    config,
    loadTestRows(split),
  );
});
