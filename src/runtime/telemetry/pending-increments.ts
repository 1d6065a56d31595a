import type { Counter, Gauge, LabelValues } from 'prom-client';

interface Tally<L extends string> {
  labels: LabelValues<L>;
  pending: number;
  /** False until the series exists in prom-client (a gauge's +1 and -1 may cancel out before a scrape). */
  created: boolean;
}

/**
 * Increments of a counter or gauge, summed per series in plain numbers on the request path and handed to
 * prom-client when the metric is read (its `collect` hook): a scrape sees every increment, and a request
 * pays a map lookup and an addition instead of prom-client's label hashing and validation per call.
 */
export class PendingIncrements<L extends string> {
  private readonly byKey = new Map<string, Tally<L>>();

  /** `key` names the series (its label values joined); `build` makes its labels the first time. */
  add(key: string, build: () => LabelValues<L>, value: number): void {
    const tally = this.byKey.get(key);
    if (tally !== undefined) tally.pending += value;
    else this.byKey.set(key, { labels: build(), pending: value, created: false });
  }

  /** Hands the pending increments to `metric`; series created here stay known with nothing pending. */
  flushInto(metric: Counter<L> | Gauge<L>): void {
    for (const tally of this.byKey.values()) {
      if (tally.pending === 0 && tally.created) continue;
      metric.inc(tally.labels, tally.pending);
      tally.pending = 0;
      tally.created = true;
    }
  }
}
