import { z } from 'zod';
import type { SloSpec } from '../model/slo.ts';
import { defineSlos } from '../model/spec.ts';
import { kthenaRouter } from '../catalog/kthena-router.ts';
import { GOODPUT_MET, routerGoodputRequests } from '../catalog/reference-router.ts';
import { vllmRequestTimePerOutputToken, vllmTimeToFirstToken } from '../catalog/vllm.ts';
import { scopeSlos, type ContentScope } from './scope.ts';
import { contentFactory, contentScopeFields, percentOption, positiveOption } from './options.ts';
import { durationSchema } from '../model/duration.ts';

/** Where the SLI reads whether a request was good. */
export type GoodputSource =
  /** infermon's reference router, which judges every request against both targets and its status. */
  | 'router'
  /** Only vLLM's per-request histograms: two per-phase SLOs that bound goodput from above, not goodput. */
  | 'vllm-histograms';

export interface GoodputSlosConfig extends ContentScope {
  /** Models served through the router; one goodput SLO each. */
  models?: readonly string[];
  /** Percent of requests that must be good, e.g. 99. */
  objective?: number;
  /**
   * The targets the router judges by (its `goodput` config), in seconds. With `vllm-histograms` they are
   * the SLO thresholds, so each must be a bucket boundary of the vLLM histogram.
   */
  targets?: { timeToFirstToken?: number; interTokenLatency?: number };
  source?: GoodputSource;
  /** The router's scrape interval, so the efficient windows add up exactly. */
  scrapeInterval?: string;
}

const goodputSlosConfigSchema = z.strictObject({
  ...contentScopeFields,
  models: z.array(z.string().min(1)).min(1).readonly().optional(),
  objective: percentOption.optional(),
  targets: z.strictObject({ timeToFirstToken: positiveOption.optional(), interTokenLatency: positiveOption.optional() }).optional(),
  source: z.enum(['router', 'vllm-histograms']).optional(),
  scrapeInterval: durationSchema.optional(),
});

const seconds = (s: number) => (s < 1 ? `${Math.round(s * 1000)} ms` : `${s} s`);

/**
 * Goodput per model: the share of requests that succeeded AND had their first token within the TTFT
 * target AND kept their tokens within the inter-token target. Separate TTFT and ITL histograms cannot
 * count requests that met both, so the exact SLI needs the reference router's goodput counter; without
 * it (`source: 'vllm-histograms'`) each model gets one SLO per phase whose description says it is an
 * upper bound on goodput, and why.
 */
export const goodputSlos = contentFactory('goodputSlos', goodputSlosConfigSchema, (config: GoodputSlosConfig) => {
  const {
    models = ['llama-3-8b', 'qwen2-7b'],
    objective = 99,
    source = 'router',
    scrapeInterval = kthenaRouter.spec.scrapeInterval,
  } = config;
  const ttft = config.targets?.timeToFirstToken ?? 1;
  const itl = config.targets?.interTokenLatency ?? 0.1;
  const targets = `first token within ${seconds(ttft)}, then tokens ${seconds(itl)} apart on average`;
  const slos = models.flatMap((model): SloSpec[] => (source === 'router' ? [routerGoodput(model, objective, targets)] : histogramBounds(model, objective, ttft, itl)));
  return defineSlos(
    scopeSlos(
      {
        service: 'router-goodput',
        labels: { team: 'inference-platform', service: 'kthena-router' },
        options: { mode: 'efficient', minEventRate: 0.05, scrapeInterval },
        slos,
      },
      config,
    ),
  );
});

function routerGoodput(model: string, objective: number, targets: string): SloSpec {
  return {
    name: `${model}-goodput`,
    objective,
    description: `Requests for ${model} that succeeded with their ${targets}, as the router judged them.`,
    labels: { model },
    sli: {
      kind: 'ratio' as const,
      // One family for both sides: the router counts every request under exactly one outcome.
      errors: { metric: routerGoodputRequests, matchers: { model, outcome: { ne: GOODPUT_MET } } },
      total: { metric: routerGoodputRequests, matchers: { model } },
    },
    alerting: {
      name: 'RouterGoodputBudgetBurn',
      labels: { model },
      annotations: {
        summary: `Too few requests for ${model} succeed with a fast first token and steady tokens.`,
        description: `The goodput of ${model} burns its error budget. The outcome label of ${routerGoodputRequests.name} says whether requests failed, missed the first-token target or the inter-token target; an active GpuFaultUnderModel alert for the model names the GPU behind it.`,
      },
    },
  };
}

/**
 * What vLLM's histograms can say about goodput: the share of requests within each target. Each share is
 * an upper bound: a request within one target may have missed the other or failed, and the histograms
 * cannot tell, so goodput may be lower than both. Both SLOs met is necessary for goodput, not sufficient.
 */
function histogramBounds(model: string, objective: number, ttft: number, itl: number): SloSpec[] {
  const bound = 'An upper bound on goodput, not goodput: vLLM histograms count each phase on its own, so they cannot say how many requests met both targets and succeeded.';
  const alert = (name: string, phase: string) => ({
    name,
    labels: { model },
    annotations: { summary: `${phase} of ${model} misses its goodput target too often; goodput is at least as low.` },
  });
  return [
    {
      name: `${model}-goodput-ttft-bound`,
      objective,
      description: `Requests for ${model} whose first token came within ${seconds(ttft)}. ${bound}`,
      labels: { model },
      sli: { kind: 'latency' as const, histogram: vllmTimeToFirstToken, matchers: { model_name: model }, threshold: ttft },
      alerting: alert('GoodputBoundTimeToFirstTokenBudgetBurn', 'Time to first token'),
    },
    {
      name: `${model}-goodput-itl-bound`,
      objective,
      description: `Requests for ${model} whose tokens came ${seconds(itl)} apart on average (vLLM's time per output token). ${bound}`,
      labels: { model },
      sli: { kind: 'latency' as const, histogram: vllmRequestTimePerOutputToken, matchers: { model_name: model }, threshold: itl },
      alerting: alert('GoodputBoundInterTokenLatencyBudgetBurn', 'Inter-token latency'),
    },
  ];
}
