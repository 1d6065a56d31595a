import type { RouterConfig } from '../config.ts';
import type { RouterMetrics } from '../metrics.ts';
import type { PodState } from '../topology.ts';
import { FILTER_PLUGINS, SCORE_PLUGINS, type ScheduleContext } from './plugins.ts';
import { PrefixStore } from './prefix-store.ts';

/**
 * Ranks candidate pods for a request: filter plugins narrow the set, score plugins each give every pod
 * a 0–100 score, and pods are ordered by the weighted sum. Every plugin run is timed into
 * kthena_router_scheduler_plugin_duration_seconds. The ranking is the retry order.
 */
export class Scheduler {
  readonly prefixStore = new PrefixStore();
  private rotation = 0;
  private readonly usesPrefix: boolean;

  constructor(
    private readonly config: RouterConfig['scheduler'],
    private readonly metrics: RouterMetrics | undefined,
  ) {
    this.usesPrefix = config.scores.some((s) => s.name === 'prefix-cache');
  }

  rank(model: string, prompt: string, pods: readonly PodState[]): PodState[] {
    const { usesPrefix } = this;
    const ctx: ScheduleContext = {
      model,
      prompt,
      prefixBlocks: usesPrefix ? this.prefixStore.blocks(prompt) : [],
      prefixStore: this.prefixStore,
      maxRequestsPerPod: this.config.maxRequestsPerPod,
    };
    let candidates = pods;
    for (const name of this.config.filters) {
      const started = performance.now();
      candidates = FILTER_PLUGINS[name](candidates, ctx);
      this.metrics?.pluginTimed(model, name, 'filter', (performance.now() - started) / 1000);
    }
    const totals = new Array<number>(candidates.length).fill(0);
    for (const { name, weight } of this.config.scores) {
      const started = performance.now();
      const scores = SCORE_PLUGINS[name](candidates, ctx);
      this.metrics?.pluginTimed(model, name, 'score', (performance.now() - started) / 1000);
      for (let i = 0; i < scores.length; i++) totals[i]! += weight * scores[i]!;
    }
    // Equal scores are broken by a rotating offset, so an idle pool is used round-robin.
    const offset = this.rotation++ % Math.max(1, candidates.length);
    const ranked = candidates.length === 1 ? [candidates[0]!] : this.order(candidates, totals, offset);
    if (usesPrefix && ranked[0]) this.prefixStore.record(ctx.prefixBlocks, ranked[0].key);
    return ranked;
  }

  private order(candidates: readonly PodState[], totals: number[], offset: number): PodState[] {
    const order = candidates.map((pod, i) => ({ pod, score: totals[i]!, tie: (i - offset + candidates.length) % candidates.length }));
    order.sort((a, b) => b.score - a.score || a.tie - b.tie);
    return order.map((o) => o.pod);
  }
}
