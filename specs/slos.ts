import { defineSlos } from 'infermon';
import { arksGatewayRequestsTotal } from 'infermon/catalog/arks-gateway';
import { kthenaInferenceDuration, kthenaInferenceRequestsTotal } from 'infermon/catalog/kthena-inference';
import { kthenaRouter, routerRequestDuration, routerRequestsTotal } from 'infermon/catalog/kthena-router';
import { ragTtft } from 'infermon/catalog/rag-backend';
import { vllmInterTokenLatency, vllmTimeToFirstToken } from 'infermon/catalog/vllm';

/**
 * Service level objectives of the inference platform. Each service's SLOs page its team (`severity:
 * critical`) when the error budget burns fast and open a ticket (`severity: warning`) when it burns
 * steadily; the `team` and `service` labels route them in Alertmanager.
 *
 * Every SLO drops its SLI samples at zero traffic (no NaN burn rates); the high-traffic router SLOs use
 * the efficient mode (told the router's scrape interval, so its tiles add up exactly), the rest keep
 * Sloth's exact rules plus that guard.
 */

const SERVER_ERROR = { re: '5..' } as const;

/** Models served through the router, one ModelRoute each; an SLO pair per route. */
const ROUTED_MODELS = ['llama-3-8b', 'qwen2-7b'] as const;

const routeSlos = ROUTED_MODELS.flatMap((model) => [
  {
    name: `${model}-availability`,
    objective: 99.9,
    description: `Requests for ${model} through the router that do not end in a 5xx.`,
    labels: { model },
    sli: {
      kind: 'ratio' as const,
      errors: { metric: routerRequestsTotal, matchers: { model, status_code: SERVER_ERROR } },
      total: { metric: routerRequestsTotal, matchers: { model } },
    },
    alerting: {
      name: 'KthenaRouterAvailabilityBudgetBurn',
      labels: { model },
      annotations: { summary: `Requests for ${model} through the router are failing with 5xx faster than the SLO allows.` },
    },
  },
  {
    name: `${model}-latency`,
    objective: 99,
    description: `Requests for ${model} the router completes within 1 s.`,
    labels: { model },
    sli: { kind: 'latency' as const, histogram: routerRequestDuration, matchers: { model }, threshold: 1 },
    alerting: {
      name: 'KthenaRouterLatencyBudgetBurn',
      labels: { model },
      annotations: { summary: `Requests for ${model} through the router are slower than 1 s more often than the SLO allows.` },
    },
  },
]);

export const routerSlos = defineSlos({
  service: 'kthena-router',
  labels: { team: 'inference-platform', service: 'kthena-router' },
  options: { mode: 'efficient', minEventRate: 0.05, scrapeInterval: kthenaRouter.spec.scrapeInterval },
  slos: routeSlos,
});

/** The Kthena integration guide's SLOs, on the metrics model servers really expose and with `{{.window}}` ranges. */
export const kthenaInferenceSlos = defineSlos({
  service: 'kthena',
  labels: { team: 'ml-ops', service: 'kthena' },
  options: { zeroTrafficGuard: true },
  slos: [
    {
      name: 'inference-availability',
      objective: 99.9,
      description: '99.9% of inference requests should be successful.',
      sli: {
        kind: 'ratio',
        errors: { metric: kthenaInferenceRequestsTotal, matchers: { status: SERVER_ERROR } },
        total: { metric: kthenaInferenceRequestsTotal },
      },
      alerting: { name: 'KthenaHighErrorRate', annotations: { summary: 'High error rate on Kthena inference requests' } },
    },
    {
      name: 'inference-latency',
      objective: 95,
      description: '95% of inference requests should complete within 1 second.',
      sli: { kind: 'latency', histogram: kthenaInferenceDuration, threshold: 1 },
      alerting: { name: 'KthenaHighLatency', annotations: { summary: 'High latency on Kthena inference requests' } },
    },
  ],
});

export const vllmSlos = defineSlos({
  service: 'vllm',
  labels: { team: 'inference-runtime', service: 'vllm' },
  options: { zeroTrafficGuard: true },
  slos: [
    {
      name: 'time-to-first-token',
      objective: 95,
      description: 'Requests whose first token arrives within 0.5 s.',
      sli: { kind: 'latency', histogram: vllmTimeToFirstToken, threshold: 0.5 },
      alerting: { name: 'VllmTimeToFirstTokenBudgetBurn', annotations: { summary: 'vLLM time to first token is above 0.5 s too often.' } },
    },
    {
      name: 'inter-token-latency',
      objective: 99,
      description: 'Output steps that follow the previous one within 0.1 s.',
      sli: { kind: 'latency', histogram: vllmInterTokenLatency, threshold: 0.1 },
      alerting: { name: 'VllmInterTokenLatencyBudgetBurn', annotations: { summary: 'vLLM inter-token latency is above 0.1 s too often.' } },
    },
  ],
});

export const ragSlos = defineSlos({
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
});

export const arksGatewaySlos = defineSlos({
  service: 'arks-gateway',
  labels: { team: 'inference-platform', service: 'arks-gateway' },
  options: { zeroTrafficGuard: true },
  slos: [
    {
      name: 'availability',
      objective: 99.9,
      description: 'Requests through the Arks gateway that do not end in a 5xx.',
      sli: {
        kind: 'ratio',
        errors: { metric: arksGatewayRequestsTotal, matchers: { status: SERVER_ERROR } },
        total: { metric: arksGatewayRequestsTotal },
      },
      alerting: { name: 'ArksGatewayAvailabilityBudgetBurn', annotations: { summary: 'The Arks gateway answers with 5xx faster than the SLO allows.' } },
    },
  ],
});
