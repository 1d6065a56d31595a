import { defineRuleGroup, promql } from 'infermon';
import { ragRequestsTotal, ragTtft } from 'infermon/catalog/rag-backend';

const chat = { endpoint: '/api/chat' };

/** The RAG benchmarking document's alerts, with per-endpoint aggregation so one endpoint cannot hide another. */
export const ragAlerts = defineRuleGroup({
  name: 'rag.alerts',
  team: 'rag-app',
  service: 'rag-backend',
  rules: [
    {
      alert: 'RagHighTimeToFirstToken',
      expr: promql`histogram_quantile(0.95, sum by (endpoint, le) (rate(${ragTtft}_bucket[5m]))) > 1`,
      for: '5m',
      severity: 'warning',
      summary: 'RAG p95 time to first token above 1 s',
      description: 'p95 TTFT of {{ $labels.endpoint }} is {{ $value | humanize }}s.',
      tests: {
        firing: [{ series: [{ metric: ragTtft, labels: chat, observe: { rate: 1, value: 2.5 } }], value: 2.95 }],
        quiet: [{ series: [{ metric: ragTtft, labels: chat, observe: { rate: 1, value: 0.2 } }] }],
      },
    },
    {
      alert: 'RagHighErrorRate',
      expr: promql`sum by (endpoint) (rate(${ragRequestsTotal}{status="error"}[5m])) / sum by (endpoint) (rate(${ragRequestsTotal}[5m])) > 0.05`,
      for: '5m',
      severity: 'critical',
      summary: 'More than 5% of RAG requests fail',
      description: '{{ $value | humanizePercentage }} of {{ $labels.endpoint }} requests failed over 5 minutes.',
      tests: {
        firing: [{ series: [{ metric: ragRequestsTotal, labels: { ...chat, status: 'success' }, rate: 4 }, { metric: ragRequestsTotal, labels: { ...chat, status: 'error' }, rate: 1 }], value: 0.2 }],
        quiet: [{ series: [{ metric: ragRequestsTotal, labels: { ...chat, status: 'success' }, rate: 5 }, { metric: ragRequestsTotal, labels: { ...chat, status: 'error' }, rate: 0 }] }],
      },
    },
  ],
});
