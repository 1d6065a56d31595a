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
  const kept = pods.filter((p) => load(p) < ctx.maxRequestsPerPod);
  return kept.length > 0 ? kept : pods;
};

function inverse(values: number[]): number[] {
  const max = Math.max(...values);
  if (max <= 0) return values.map(() => 100);
  return values.map((v) => 100 * (1 - v / max));
}

/** Waiting requests weigh more than running ones: they are latency the next request will pay. */
const leastRequestScore: ScorePlugin = (pods) =>
  inverse(pods.map((p) => Math.max(p.inflight, (p.running ?? 0) + 4 * (p.waiting ?? 0))));

const leastLatencyScore: ScorePlugin = (pods) => {
  const known = pods.map((p) => p.latencyMs);
  const fallback = Math.min(...known.filter((v): v is number => v !== undefined), Number.POSITIVE_INFINITY);
  return inverse(known.map((v) => v ?? (Number.isFinite(fallback) ? fallback : 0)));
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
