import { label, metric } from '../model/catalog.ts';
import { defineSource } from '../model/spec.ts';

/**
 * The RAG backend of the cross-provider benchmark: retrieval from Qdrant, then generation through vLLM.
 * Its documentation names the six families and their types but no labels or buckets; the labels and
 * buckets below are infermon's reference definitions, chosen so that the documented alerts work (the
 * error-rate alert selects `status="error"`, the TTFT alert's 1 s threshold is a bucket boundary).
 */

export const RAG_STATUSES = ['success', 'error'] as const;

export const RAG_REQUEST_DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 30, 60, 120] as const;
export const RAG_TTFT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10] as const;
export const RAG_RETRIEVAL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;
export const RAG_GENERATION_BUCKETS = [0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 30, 60, 120] as const;

const endpoint = label.bounded('API endpoint of the backend, e.g. /api/chat');

export const ragRequestsTotal = metric({
  name: 'rag_requests_total',
  type: 'counter',
  help: 'Requests handled by the backend, by endpoint and outcome.',
  unit: 'requests',
  labels: { endpoint, status: label.enum(RAG_STATUSES, 'outcome of the request') },
});

export const ragRequestDuration = metric({
  name: 'rag_request_duration_seconds',
  type: 'histogram',
  help: 'End-to-end latency of backend requests (retrieval plus generation).',
  unit: 'seconds',
  labels: { endpoint },
  buckets: [...RAG_REQUEST_DURATION_BUCKETS],
});

export const ragTokensGeneratedTotal = metric({
  name: 'rag_tokens_generated_total',
  type: 'counter',
  help: 'Tokens generated for answers.',
  unit: 'tokens',
  labels: { endpoint },
});

export const ragTtft = metric({
  name: 'rag_ttft_seconds',
  type: 'histogram',
  help: 'Time from request arrival to the first streamed answer token.',
  unit: 'seconds',
  labels: { endpoint },
  buckets: [...RAG_TTFT_BUCKETS],
});

export const ragRetrievalDuration = metric({
  name: 'rag_retrieval_duration_seconds',
  type: 'histogram',
  help: 'Time spent retrieving context from the vector store.',
  unit: 'seconds',
  labels: { endpoint },
  buckets: [...RAG_RETRIEVAL_BUCKETS],
});

export const ragGenerationDuration = metric({
  name: 'rag_generation_duration_seconds',
  type: 'histogram',
  help: 'Time spent generating the answer with the LLM.',
  unit: 'seconds',
  labels: { endpoint },
  buckets: [...RAG_GENERATION_BUCKETS],
});

export const RAG_BACKEND_METRICS = [
  ragRequestsTotal,
  ragRequestDuration,
  ragTokensGeneratedTotal,
  ragTtft,
  ragRetrievalDuration,
  ragGenerationDuration,
] as const;

export const ragBackend = defineSource({
  name: 'rag-backend',
  component: 'RAG backend',
  job: 'rag-backend',
  port: { name: 'http', number: 8000 },
  path: '/metrics',
  scrapeInterval: '15s',
  // The backend pods have no Service for metrics; they are scraped directly.
  kubernetes: {
    namespace: 'rag-app',
    podLabels: { app: 'rag-app-backend' },
  },
  metrics: [...RAG_BACKEND_METRICS],
});
