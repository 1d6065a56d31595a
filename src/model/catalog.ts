import { z } from 'zod';
import { validatedOnce } from './validated-once.ts';
import { durationSchema } from './duration.ts';
import { labelNameSchema } from './label-name.ts';

/**
 * The metric catalog model. A `SourceSpec` is one component that exposes /metrics (the Kthena router, a vLLM
 * server, the DCGM exporter, ...) with the metric families it emits. The built-in catalog (src/catalog/, `infermon/catalog`) builds
 * these with `metric()` and `defineSource()`; the rest of the specs refer to the metric objects directly,
 * so a typo is a compile error.
 */

export const labelKindSchema = z.enum(['enum', 'bounded', 'unbounded']);
export type LabelKind = z.infer<typeof labelKindSchema>;

export const labelSpecSchema = z.strictObject({
  kind: labelKindSchema,
  /** The complete value set when kind is `enum`. */
  values: z.array(z.string()).optional(),
  description: z.string().optional(),
});
export type LabelSpec = z.infer<typeof labelSpecSchema>;

export const metricTypeSchema = z.enum(['counter', 'gauge', 'histogram', 'summary', 'info']);
export type MetricType = z.infer<typeof metricTypeSchema>;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export const metricSpecSchema = z
  .strictObject({
    /** The family name as exposed (counters with `_total`, histograms without `_bucket`). */
    name: z.string().regex(METRIC_NAME, 'not a valid Prometheus metric name'),
    type: metricTypeSchema,
    help: z.string().min(1),
    /** Unit of the value: `seconds`, `bytes`, `tokens`, `requests`, `ratio`, `percent`, `celsius`, ... */
    unit: z.string().min(1),
    labels: z.record(labelNameSchema, labelSpecSchema).default({}),
    buckets: z.array(z.number()).optional(),
    /** Version of the emitting component that introduced the metric. */
    since: z.string().optional(),
    deprecated: z.string().optional(),
    removedIn: z.string().optional(),
    /** The current name of a removed or renamed metric. */
    renamedTo: z.string().optional(),
    /** When the metric only appears under a condition (a flag, a mode); the condition in words. */
    conditional: z.string().optional(),
  })
  .superRefine((m, ctx) => {
    if (m.type === 'histogram' && !m.removedIn && (!m.buckets || m.buckets.length === 0))
      ctx.addIssue({ code: 'custom', path: ['buckets'], message: 'a histogram needs its bucket boundaries' });
    if (m.type !== 'histogram' && m.buckets)
      ctx.addIssue({ code: 'custom', path: ['buckets'], message: `a ${m.type} has no buckets` });
    if (m.buckets && m.buckets.some((b, i) => i > 0 && b <= m.buckets![i - 1]!))
      ctx.addIssue({ code: 'custom', path: ['buckets'], message: 'bucket boundaries must be strictly increasing' });
    for (const [name, l] of Object.entries(m.labels)) {
      if (l.kind === 'enum' && (!l.values || l.values.length === 0))
        ctx.addIssue({ code: 'custom', path: ['labels', name, 'values'], message: 'an enum label lists its values' });
    }
  });
export type MetricSpec = z.input<typeof metricSpecSchema>;
/** A spec's reference to a metric, nearly always one of the catalog's own objects (see `validatedOnce`). */
export const metricReferenceSchema = validatedOnce(metricSpecSchema);
/** What the catalog at a pinned release adds to a family entry (see catalog-versions.ts). */
export interface PinnedView {
  /** Set when the source's pinned release predates the family: the release that adds it. */
  absentUntil?: string;
  /** The source release the entry describes, when the source pins one other than its current. */
  pinned?: string;
}
export type Metric = z.output<typeof metricSpecSchema> & PinnedView & { source: string };

/** Where a fact about an upstream release was read: the file, at a tag or commit, and the change that made it. */
export const upstreamRefSchema = z.strictObject({
  /** `owner/name` on GitHub. */
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'owner/name'),
  path: z.string().min(1),
  /** The tag or commit the file was read at. */
  at: z.string().min(1),
  /** The pull request that made the change, when there is one. */
  pr: z.number().int().positive().optional(),
});
export type UpstreamRef = z.infer<typeof upstreamRefSchema>;

const changeFields = {
  /** The first release (of the history's `releases`) with the change. */
  version: z.string().min(1),
  family: z.string().regex(METRIC_NAME, 'not a valid Prometheus metric name'),
  ref: upstreamRefSchema,
  note: z.string().optional(),
};

/**
 * One change of one family between two releases. The family's catalog entry is its shape at the history's
 * `current` release; a change at or before `current` is undone for an older pin, a later one applied.
 */
export const familyChangeSchema = z.discriminatedUnion('change', [
  z.strictObject({ change: z.literal('added'), ...changeFields }),
  z.strictObject({ change: z.literal('removed'), ...changeFields }),
  z.strictObject({ change: z.literal('renamed'), ...changeFields, to: z.string().regex(METRIC_NAME, 'not a valid Prometheus metric name') }),
  z.strictObject({
    change: z.literal('relabelled'),
    ...changeFields,
    added: z.array(labelNameSchema).default([]),
    removed: z.array(labelNameSchema).default([]),
    /** Old label name → new label name. */
    renamed: z.record(labelNameSchema, labelNameSchema).default({}),
  }),
  z.strictObject({ change: z.literal('retyped'), ...changeFields, from: metricTypeSchema, to: metricTypeSchema }),
  z.strictObject({ change: z.literal('rebucketed'), ...changeFields, from: z.array(z.number()).min(1), to: z.array(z.number()).min(1) }),
  z.strictObject({ change: z.literal('unit'), ...changeFields, from: z.string().min(1), to: z.string().min(1) }),
]);
export type FamilyChangeSpec = z.input<typeof familyChangeSchema>;
export type FamilyChange = z.output<typeof familyChangeSchema>;

/** The releases of a source the catalog knows, oldest first, and what changed in its families between them. */
export const sourceHistorySchema = z.strictObject({
  /** `owner/name` of the upstream project. */
  upstream: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'owner/name'),
  /** Release names, oldest first; `1.2` also matches a pin of `1.2.3` or `v1.2`. */
  releases: z.array(z.string().min(1)).min(1),
  /** The release the families' catalog entries describe. */
  current: z.string().min(1),
  changes: z.array(familyChangeSchema).default([]),
});
export type SourceHistorySpec = z.input<typeof sourceHistorySchema>;
export type SourceHistory = z.output<typeof sourceHistorySchema>;

export const sourceSpecSchema = z.strictObject({
  /** Short id used in file names and `job`, e.g. `kthena-router`. */
  name: z.string().regex(/^[a-z][a-z0-9-]*$/),
  /** Human name of the component. */
  component: z.string(),
  /** The `job` label Prometheus attaches to its series. */
  job: z.string(),
  port: z.strictObject({ name: z.string().regex(/^[a-z][a-z0-9-]*$/), number: z.number().int().min(1).max(65535) }),
  path: z.string().startsWith('/').default('/metrics'),
  scrapeInterval: durationSchema.default('15s'),
  /** How the component runs on Kubernetes; absent for metrics that come from elsewhere (k6 remote write). */
  kubernetes: z
    .strictObject({
      namespace: z.string(),
      /** Labels of the Service in front of the pods; absent means scrape pods directly (PodMonitor). */
      serviceLabels: z.record(z.string(), z.string()).optional(),
      podLabels: z.record(z.string(), z.string()),
      /** Keep the target's own namespace/pod labels (exporters that report other pods, such as DCGM). */
      honorLabels: z.boolean().default(false),
      /**
       * Where the `prometheus.io/*` annotations a plain Prometheus discovers by sit: on the pods, or on
       * the Service (as the NVIDIA GPU Operator sets them), which then needs `serviceLabels`.
       */
      annotationsOn: z.enum(['pod', 'service']).default('pod'),
    })
    .refine((k) => k.annotationsOn === 'pod' || k.serviceLabels !== undefined, {
      path: ['serviceLabels'],
      message: 'annotations on the Service need the Service labels to find it',
    })
    .optional(),
  /**
   * How the series reach Prometheus: `scrape` (infermon generates the scrape wiring), `remote-write`
   * (pushed, e.g. k6), `platform` (scraped by the stack's own monitors: kube-state-metrics, cAdvisor) or
   * `prometheus` (series Prometheus makes itself, such as `up`) or `probe` (blackbox exporter probes,
   * wired from `stack.probes`).
   */
  delivery: z.enum(['scrape', 'remote-write', 'platform', 'prometheus', 'probe']).default('scrape'),
  metrics: z.array(metricSpecSchema),
  /** The families' history across upstream releases; sources without one have a single version. */
  history: sourceHistorySchema.optional(),
  /** The upstream release this deployment runs (one of `history.releases`); default `history.current`. */
  version: z.string().min(1).optional(),
});
export type SourceSpec = z.input<typeof sourceSpecSchema>;
export type Source = Omit<z.output<typeof sourceSpecSchema>, 'metrics'> & { metrics: Array<z.output<typeof metricSpecSchema> & PinnedView> };

/** Declares one metric family; the returned object is what specs reference. */
export function metric<const M extends MetricSpec>(spec: M): M {
  return spec;
}

export const label = {
  enum: (values: readonly string[], description?: string): LabelSpec => ({ kind: 'enum', values: [...values], description }),
  bounded: (description?: string): LabelSpec => ({ kind: 'bounded', description }),
  unbounded: (description?: string): LabelSpec => ({ kind: 'unbounded', description }),
};
