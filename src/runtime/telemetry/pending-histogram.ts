import type { LabelValues, Metric, MetricObjectWithValues, MetricValue, Registry, RegistryContentType } from 'prom-client';

/** The latest observation of a bucket that carried exemplar labels, as prom-client's registry prints it. */
interface Exemplar {
  labelSet: Record<string, string>;
  value: number;
  /** Seconds since the epoch. */
  timestamp: number;
}

interface Series<L extends string> {
  labels: LabelValues<L>;
  /** Observations per bucket, not cumulative; the last one is `+Inf`'s own. */
  counts: number[];
  exemplars: Array<Exemplar | undefined>;
  sum: number;
  count: number;
}

/** A value of the histogram's exposition: a bucket, `_sum` or `_count` line of one series. */
interface ExportedValue {
  labels: Record<string, string | number>;
  sharedLabels: Record<string, string | number>;
  value: number;
  metricName: string;
  exemplar?: Exemplar;
}

/**
 * A histogram whose observations are counted per series and bucket in plain numbers on the request path,
 * as PendingIncrements does for counters, and read by prom-client's registry like its own histograms
 * (the same exposition, exemplars included). A request pays a map lookup, a bucket search and two
 * additions instead of prom-client's label validation and hashing per observation.
 */
export class PendingHistogram<L extends string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series<L>>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly upperBounds: readonly number[],
    registry: Registry<RegistryContentType>,
  ) {
    registry.registerMetric(this as unknown as Metric<L>);
  }

  /**
   * `key` names the series (its label values joined); `build` makes its labels the first time. With
   * `exemplar`, the observation becomes the latest exemplar of its bucket.
   */
  observe(key: string, build: () => LabelValues<L>, value: number, exemplar?: Record<string, string>): void {
    if (!Number.isFinite(value)) throw new TypeError(`${this.name}: cannot observe ${value}`);
    let series = this.series.get(key);
    if (series === undefined) {
      const buckets = this.upperBounds.length + 1;
      series = { labels: build(), counts: new Array<number>(buckets).fill(0), exemplars: new Array(buckets), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    let bucket = 0;
    while (bucket < this.upperBounds.length && value > this.upperBounds[bucket]!) bucket++;
    series.counts[bucket]!++;
    series.sum += value;
    series.count++;
    if (exemplar) series.exemplars[bucket] = { labelSet: exemplar, value, timestamp: Date.now() / 1000 };
  }

  async get(): Promise<MetricObjectWithValues<MetricValue<string>>> {
    const values: ExportedValue[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const s of this.series.values()) {
      const shared = s.labels as Record<string, string | number>;
      let cumulative = 0;
      for (let i = 0; i < this.upperBounds.length; i++) {
        cumulative += s.counts[i]!;
        values.push(exported({ le: this.upperBounds[i]! }, shared, cumulative, bucketName, s.exemplars[i]));
      }
      values.push(exported({ le: '+Inf' }, shared, s.count, bucketName, s.exemplars[this.upperBounds.length]));
      values.push(exported({}, shared, s.sum, `${this.name}_sum`));
      values.push(exported({}, shared, s.count, `${this.name}_count`));
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values } as unknown as MetricObjectWithValues<MetricValue<string>>;
  }

  reset(): void {
    this.series.clear();
  }
}

function exported(labels: ExportedValue['labels'], sharedLabels: ExportedValue['sharedLabels'], value: number, metricName: string, exemplar?: Exemplar): ExportedValue {
  return { labels, sharedLabels, value, metricName, ...(exemplar ? { exemplar } : {}) };
}
