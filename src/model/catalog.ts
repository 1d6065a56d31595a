import { z } from 'zod';
import { durationSchema } from './duration.ts';

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
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const metricSpecSchema = z
  .strictObject({
    /** The family name as exposed (counters with `_total`, histograms without `_bucket`). */
    name: z.string().regex(METRIC_NAME, 'not a valid Prometheus metric name'),
    type: metricTypeSchema,
    help: z.string().min(1),
    /** Unit of the value: `seconds`, `bytes`, `tokens`, `requests`, `ratio`, `percent`, `celsius`, ... */
    unit: z.string().min(1),
    labels: z.record(z.string().regex(LABEL_NAME, 'not a valid label name'), labelSpecSchema).default({}),
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
export type Metric = z.output<typeof metricSpecSchema> & { source: string };

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
});
export type SourceSpec = z.input<typeof sourceSpecSchema>;
export type Source = z.output<typeof sourceSpecSchema>;

/** Declares one metric family; the returned object is what specs reference. */
export function metric<const M extends MetricSpec>(spec: M): M {
  return spec;
}

export const label = {
  enum: (values: readonly string[], description?: string): LabelSpec => ({ kind: 'enum', values: [...values], description }),
  bounded: (description?: string): LabelSpec => ({ kind: 'bounded', description }),
  unbounded: (description?: string): LabelSpec => ({ kind: 'unbounded', description }),
};
