import type { FilterPluginName, ScorePluginName } from '../config.ts';
import type { PodState } from '../topology.ts';
import type { PrefixStore } from './prefix-store.ts';

/** What a plugin may look at for one scheduling decision. */
export interface ScheduleContext {
  model: string;
  prompt: string;
  /** Prefix blocks of the prompt, computed once per request when the prefix-cache plugin runs. */
  prefixBlocks: string[];
  prefixStore: PrefixStore;
  maxRequestsPerPod: number;
}

export type FilterPlugin = (pods: readonly PodState[], ctx: ScheduleContext) => readonly PodState[];
/** Scores are in [0, 100]; higher is better. */
export type ScorePlugin = (pods: readonly PodState[], ctx: ScheduleContext) => number[];

/** Requests queued or running on a pod: the pod's own numbers when known, never less than ours. */
function load(pod: PodState): number {
  return Math.max(pod.inflight, (pod.running ?? 0) + (pod.waiting ?? 0));
}

/** Drops pods at or above the per-pod request cap, unless that would drop them all. */
const leastRequestFilter: FilterPlugin = (pods, ctx) => {
  let below = 0;
  for (const p of pods) if (load(p) < ctx.maxRequestsPerPod) below++;
  if (below === pods.length || below === 0) return pods;
  return pods.filter((p) => load(p) < ctx.maxRequestsPerPod);
};

/** 100 for the lowest of `values`, down to 0 for the highest, in proportion (all 100 when none is above 0). Rewrites `values`. */
function inverse(values: number[]): number[] {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) if (v > max) max = v;
  for (let i = 0; i < values.length; i++) values[i] = max <= 0 ? 100 : 100 * (1 - values[i]! / max);
  return values;
}

/** Waiting requests weigh more than running ones: they are latency the next request will pay. */
const leastRequestScore: ScorePlugin = (pods) => {
  const queued = new Array<number>(pods.length);
  for (let i = 0; i < pods.length; i++) {
    const p = pods[i]!;
    queued[i] = Math.max(p.inflight, (p.running ?? 0) + 4 * (p.waiting ?? 0));
  }
  return inverse(queued);
};

/** Pods without a latency yet count as the fastest known one (0 when none is known). */
const leastLatencyScore: ScorePlugin = (pods) => {
  let fastest = Number.POSITIVE_INFINITY;
  for (const p of pods) if (p.latencyMs !== undefined && p.latencyMs < fastest) fastest = p.latencyMs;
  const unknown = Number.isFinite(fastest) ? fastest : 0;
  const latencies = new Array<number>(pods.length);
  for (let i = 0; i < pods.length; i++) latencies[i] = pods[i]!.latencyMs ?? unknown;
  return inverse(latencies);
};

const prefixCacheScore: ScorePlugin = (pods, ctx) =>
  pods.map((p) => 100 * ctx.prefixStore.matchRatio(ctx.prefixBlocks, p.key));

/** Free KV cache; pods not read yet count as empty. */
const kvCacheScore: ScorePlugin = (pods) => pods.map((p) => 100 * (1 - Math.min(1, Math.max(0, p.kvCacheUsage ?? 0))));

export const FILTER_PLUGINS: Record<FilterPluginName, FilterPlugin> = { 'least-request': leastRequestFilter };

export const SCORE_PLUGINS: Record<ScorePluginName, ScorePlugin> = {
  'least-request': leastRequestScore,
  'least-latency': leastLatencyScore,
  'prefix-cache': prefixCacheScore,
  'kv-cache': kvCacheScore,
};
