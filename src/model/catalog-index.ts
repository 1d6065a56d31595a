import type { LabelSpec, Metric, Source } from './catalog.ts';
import { targetLabelsOf } from './target-labels.ts';

export type SeriesSuffix = '' | '_bucket' | '_sum' | '_count' | '_created' | '_info';

export interface SeriesLookup {
  metric: Metric;
  /** Which series of the family the name denotes (`_bucket` of a histogram, ...). */
  suffix: SeriesSuffix;
}

/** Labels Prometheus adds to every scraped series, valid on every metric. */
export const TARGET_LABELS = ['job', 'instance'] as const;

/**
 * Read-only index over every catalog metric and every recording rule, the one place queries are
 * resolved against. Removed metrics stay in it so checks can name their replacement.
 */
export class Catalog {
  private readonly families = new Map<string, Metric>();
  private readonly sourcesByName = new Map<string, Source>();
  /** Labels every series of a source carries besides the metric's own (target labels, external labels). */
  readonly extraLabels: ReadonlySet<string>;

  constructor(sources: readonly Source[], recorded: readonly Metric[] = [], extraLabels: readonly string[] = []) {
    for (const source of sources) {
      this.sourcesByName.set(source.name, source);
      // A source deployed twice shares its families; the first deployment names the family's source.
      for (const m of source.metrics) if (!this.families.has(m.name)) this.families.set(m.name, { ...m, source: source.name });
    }
    for (const m of recorded) {
      const earlier = this.families.get(m.name);
      this.families.set(m.name, earlier?.source === RECORDING_RULES_SOURCE ? mergedRecording(earlier, m) : m);
    }
    this.extraLabels = new Set([...TARGET_LABELS, ...extraLabels]);
  }

  /** A new catalog that also knows these recorded series (recording rules become catalog entries). */
  withRecorded(recorded: readonly Metric[]): Catalog {
    return new Catalog([...this.sourcesByName.values()], [...this.recorded(), ...recorded], [...this.extraLabels]);
  }

  family(name: string): Metric | undefined {
    return this.families.get(name);
  }

  source(name: string): Source | undefined {
    return this.sourcesByName.get(name);
  }

  get sources(): Source[] {
    return [...this.sourcesByName.values()];
  }

  /** Every family, current and removed. */
  get metrics(): Metric[] {
    return [...this.families.values()];
  }

  recorded(): Metric[] {
    return this.metrics.filter((m) => m.source === RECORDING_RULES_SOURCE);
  }

  /**
   * Resolves a series name as it appears in PromQL: the family itself, or one of the series a histogram
   * (`_bucket`, `_sum`, `_count`), summary (`_sum`, `_count`) or counter (`_created`) exposes.
   */
  lookupSeries(name: string): SeriesLookup | undefined {
    const direct = this.families.get(name);
    if (direct) return { metric: direct, suffix: '' };
    for (const suffix of ['_bucket', '_sum', '_count', '_created'] as const) {
      if (!name.endsWith(suffix)) continue;
      const family = this.families.get(name.slice(0, -suffix.length));
      if (family) return { metric: family, suffix };
    }
    return undefined;
  }

  /** The label spec of `label` on `metric`, including `le`/`quantile` and target labels. */
  labelOf(metric: Metric, label: string, suffix: SeriesSuffix = ''): LabelSpec | undefined {
    const own = metric.labels[label];
    if (own) return own;
    if (this.targetLabels(metric).includes(label)) return { kind: 'bounded' };
    if (label === 'le' && metric.type === 'histogram' && suffix === '_bucket')
      return { kind: 'enum', values: (metric.buckets ?? []).map(String).concat('+Inf') };
    if (label === 'quantile' && metric.type === 'summary' && suffix === '') return { kind: 'bounded' };
    if (this.extraLabels.has(label)) return { kind: 'bounded' };
    return undefined;
  }

  /** Labels the scrape of the family's source adds (`namespace`, `pod`, ... under a monitor). */
  private targetLabels(metric: Metric): readonly string[] {
    const source = this.sourcesByName.get(metric.source);
    return source ? targetLabelsOf(source) : [];
  }

  /** Label names of each series asked for so far: every query over a family asks again. */
  private readonly seriesLabelNames = new Map<Metric, Map<SeriesSuffix, readonly string[]>>();

  /** Label names valid on a series of this family. */
  labelNames(metric: Metric, suffix: SeriesSuffix = ''): string[] {
    let bySuffix = this.seriesLabelNames.get(metric);
    if (!bySuffix) this.seriesLabelNames.set(metric, (bySuffix = new Map()));
    let sorted = bySuffix.get(suffix);
    if (!sorted) {
      const names = new Set([...Object.keys(metric.labels), ...this.extraLabels, ...this.targetLabels(metric)]);
      if (metric.type === 'histogram' && suffix === '_bucket') names.add('le');
      if (metric.type === 'summary' && suffix === '') names.add('quantile');
      sorted = [...names].sort();
      bySuffix.set(suffix, sorted);
    }
    return [...sorted];
  }
}

/** The pseudo-source recording rules are registered under. */
export const RECORDING_RULES_SOURCE = 'recording-rules';

/**
 * One series name recorded by several rules (a bundled group instantiated per deployment, each with its
 * own static labels): its series carry every label either rule gives them, with every value either allows.
 */
function mergedRecording(a: Metric, b: Metric): Metric {
  const labels: Record<string, LabelSpec> = { ...a.labels };
  for (const [name, spec] of Object.entries(b.labels)) {
    const other = labels[name];
    if (!other) labels[name] = spec;
    else if (other.kind === 'enum' && spec.kind === 'enum') labels[name] = { ...other, values: [...new Set([...(other.values ?? []), ...(spec.values ?? [])])] };
    else if (other.kind === 'enum') labels[name] = spec;
  }
  return { ...a, labels };
}
