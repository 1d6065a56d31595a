import { promql } from '../model/rules.ts';
import { defineRuleGroup, defineSlos } from '../model/spec.ts';
import { ragRequestsTotal, ragTtft } from '../catalog/rag-backend.ts';
import { scopeRuleGroup, scopeSlos, type AlertScope, type ContentScope } from './scope.ts';
import { alertScopeSchema, contentFactory, contentScopeSchema } from './options.ts';

const chat = { endpoint: '/api/chat' };

/** The RAG benchmarking document's alerts, with per-endpoint aggregation so one endpoint cannot hide another. */
export const ragAlerts = contentFactory('ragAlerts', alertScopeSchema, (config: AlertScope) => {
  return defineRuleGroup(
    scopeRuleGroup(
      {
        name: 'rag.alerts',
        team: 'rag-app',
        service: 'rag-backend',
        dashboard: 'rag-overview',
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
      },
      config,
      'alerts',
    ),
  );
});

/** Time to the first streamed token of a RAG answer. */
export const ragSlos = contentFactory('ragSlos', contentScopeSchema, (config: ContentScope) => {
  return defineSlos(scopeSlos({
    service: 'rag-backend',
    labels: { team: 'rag-app', service: 'rag-backend' },
    options: { zeroTrafficGuard: true },
    slos: [
      {
        name: 'time-to-first-token',
        objective: 95,
        description: 'Answers whose first token streams within 1 s of the request.',
        sli: { kind: 'latency', histogram: ragTtft, threshold: 1 },
        alerting: { name: 'RagTimeToFirstTokenBudgetBurn', annotations: { summary: 'RAG answers take longer than 1 s to start too often.' } },
      },
    ],
  }, config));
});
