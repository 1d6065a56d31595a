import { label, metric, type LabelSpec } from '../model/catalog.ts';
import { defineSource } from '../model/spec.ts';

/**
 * OpenTelemetry GenAI semantic-convention metrics (development stability, semconv 1.41) as an
 * OpenTelemetry Collector's Prometheus exporter exposes them under the default naming: dots become
 * underscores, `s` becomes a `_seconds` suffix, and the `{token}` unit adds no suffix. An exporter
 * `namespace` setting would prefix every name, and Prometheus 3 UTF-8 translation keeps the dotted names;
 * neither is catalogued. Every family is conditional on an instrumented GenAI client or server.
 */

export const OTEL_GENAI_OPERATIONS = [
  'chat',
  'create_agent',
  'embeddings',
  'execute_tool',
  'generate_content',
  'invoke_agent',
  'invoke_workflow',
  'retrieval',
  'text_completion',
] as const;
export const OTEL_GENAI_TOKEN_TYPES = ['input', 'output'] as const;

export const OTEL_GENAI_TOKEN_USAGE_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
] as const;
export const OTEL_GENAI_DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
] as const;
export const OTEL_GENAI_TPOT_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5] as const;
export const OTEL_GENAI_TTFT_BUCKETS = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
] as const;

const CLIENT = 'a GenAI client instrumented with OpenTelemetry exports metrics through the collector';
const SERVER = 'a GenAI model server instrumented with OpenTelemetry exports metrics through the collector';
const STREAMING = `${CLIENT}, for streaming responses`;

const commonLabels = {
  gen_ai_operation_name: label.enum(OTEL_GENAI_OPERATIONS, 'GenAI operation'),
  gen_ai_provider_name: label.bounded('GenAI provider, e.g. openai'),
  gen_ai_request_model: label.bounded('model named in the request'),
  gen_ai_response_model: label.bounded('model that produced the response'),
  server_address: label.bounded('host of the GenAI server'),
  server_port: label.bounded('port of the GenAI server'),
  otel_scope_name: label.bounded('instrumentation scope'),
} satisfies Record<string, LabelSpec>;
const withError = { ...commonLabels, error_type: label.bounded('error class when the operation failed') };

export const otelGenAiClientTokenUsage = metric({
  name: 'gen_ai_client_token_usage',
  type: 'histogram',
  help: 'Tokens per GenAI operation, by token type.',
  unit: 'tokens',
  labels: { ...commonLabels, gen_ai_token_type: label.enum(OTEL_GENAI_TOKEN_TYPES, 'input or output tokens') },
  buckets: [...OTEL_GENAI_TOKEN_USAGE_BUCKETS],
  conditional: CLIENT,
});

export const otelGenAiClientOperationDuration = metric({
  name: 'gen_ai_client_operation_duration_seconds',
  type: 'histogram',
  help: 'Duration of GenAI operations as the client sees them.',
  unit: 'seconds',
  labels: withError,
  buckets: [...OTEL_GENAI_DURATION_BUCKETS],
  conditional: CLIENT,
});

export const otelGenAiClientTimeToFirstChunk = metric({
  name: 'gen_ai_client_operation_time_to_first_chunk_seconds',
  type: 'histogram',
  help: 'Time from request to the first streamed chunk, client side.',
  unit: 'seconds',
  labels: commonLabels,
  buckets: [...OTEL_GENAI_DURATION_BUCKETS],
  conditional: STREAMING,
});

export const otelGenAiClientTimePerOutputChunk = metric({
  name: 'gen_ai_client_operation_time_per_output_chunk_seconds',
  type: 'histogram',
  help: 'Time between streamed chunks after the first, client side.',
  unit: 'seconds',
  labels: commonLabels,
  buckets: [...OTEL_GENAI_DURATION_BUCKETS],
  conditional: STREAMING,
});

export const otelGenAiServerRequestDuration = metric({
  name: 'gen_ai_server_request_duration_seconds',
  type: 'histogram',
  help: 'Duration of GenAI requests on the model server.',
  unit: 'seconds',
  labels: withError,
  buckets: [...OTEL_GENAI_DURATION_BUCKETS],
  conditional: SERVER,
});

export const otelGenAiServerTimeToFirstToken = metric({
  name: 'gen_ai_server_time_to_first_token_seconds',
  type: 'histogram',
  help: 'Time to generate the first token of successful responses.',
  unit: 'seconds',
  labels: commonLabels,
  buckets: [...OTEL_GENAI_TTFT_BUCKETS],
  conditional: SERVER,
});

export const otelGenAiServerTimePerOutputToken = metric({
  name: 'gen_ai_server_time_per_output_token_seconds',
  type: 'histogram',
  help: 'Time per output token after the first, for successful responses.',
  unit: 'seconds',
  labels: commonLabels,
  buckets: [...OTEL_GENAI_TPOT_BUCKETS],
  conditional: SERVER,
});

export const OTEL_GENAI_METRICS = [
  otelGenAiClientTokenUsage,
  otelGenAiClientOperationDuration,
  otelGenAiClientTimeToFirstChunk,
  otelGenAiClientTimePerOutputChunk,
  otelGenAiServerRequestDuration,
  otelGenAiServerTimeToFirstToken,
  otelGenAiServerTimePerOutputToken,
] as const;

export const otelGenAi = defineSource({
  name: 'otel-genai',
  component: 'OpenTelemetry Collector (GenAI metrics)',
  job: 'otel-collector',
  port: { name: 'prometheus', number: 8889 },
  path: '/metrics',
  scrapeInterval: '15s',
  // The collector runs next to the instrumented model servers.
  kubernetes: {
    namespace: 'inference',
    serviceLabels: { 'app.kubernetes.io/name': 'otel-collector' },
    podLabels: { 'app.kubernetes.io/name': 'otel-collector' },
    // The collector relays other services' metrics: keep their job/instance, not the collector's.
    honorLabels: true,
  },
  metrics: [...OTEL_GENAI_METRICS],
});
