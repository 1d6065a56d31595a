import { z } from 'zod';
import { durationSchema, parseDuration } from './duration.ts';
import { LABEL_NAME, labelNameSchema } from './label-name.ts';
import { metricReferenceSchema, type MetricSpec } from './catalog.ts';
import { SLO_TIERS } from '../slo/names.ts';

/**
 * Service level objectives as authors write them. One `defineSlos` per service; every SLO becomes a
 * Sloth `prometheus/v1` spec, a Sloth `PrometheusServiceLevel` CR and native multi-window multi-burn-rate
 * rules (Sloth-identical, or the cheaper `efficient` form).
 */

/** Sloth's name rule for services and SLOs. */
export const SLO_NAME = /^[A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9]$/;
/** Sloth's `{{.window}}` placeholder, with the spacing Go templates accept. */
export const WINDOW_PLACEHOLDER = /\{\{ *\.window *\}\}/;

const labelValues = z.record(
  labelNameSchema.refine((k) => !k.startsWith('sloth_'), {
    message: '`sloth_*` labels are reserved: the generated rules select on them',
  }),
  z.string().min(1, 'label values must not be empty'),
);
const annotationValues = z.record(z.string().regex(LABEL_NAME, 'not a valid annotation name'), z.string().min(1));

/** A label matcher value: a string means equality; the object forms give the other three operators. */
export const matcherSchema = z.union([
  z.string(),
  z.strictObject({ ne: z.string() }),
  z.strictObject({ re: z.string() }),
  z.strictObject({ nre: z.string() }),
]);
export type Matcher = z.infer<typeof matcherSchema>;
export const matchersSchema = z.record(labelNameSchema, matcherSchema);
export type Matchers = z.infer<typeof matchersSchema>;

/** A PromQL query template: must contain `{{.window}}`, which becomes each alert window. */
export const windowTemplateSchema = z.string().min(1).refine((q) => WINDOW_PLACEHOLDER.test(q), {
  message: 'the query needs `{{.window}}` where the range goes, e.g. `rate(x[{{.window}}])`',
});

/** Events counted from a catalog counter: `sum(rate(<metric>{<matchers>}[window]))`. */
export const counterSelectorSchema = z.strictObject({
  metric: metricReferenceSchema,
  matchers: matchersSchema.default({}),
});
export type CounterSelectorSpec = z.input<typeof counterSelectorSchema>;

const eventsSchema = z.union([windowTemplateSchema, counterSelectorSchema]);

export const ratioSliSchema = z.strictObject({
  kind: z.literal('ratio'),
  /** Bad events. */
  errors: eventsSchema,
  /** All events. */
  total: eventsSchema,
});

export const latencySliSchema = z.strictObject({
  kind: z.literal('latency'),
  /** A catalog histogram; requests slower than `threshold` are the errors. */
  histogram: metricReferenceSchema,
  matchers: matchersSchema.default({}),
  /** In the histogram's unit; must be one of its bucket boundaries (`slo/threshold-not-a-bucket`). */
  threshold: z.number(),
});

export const rawSliSchema = z.strictObject({
  kind: z.literal('raw'),
  /** An error-ratio query (0..1) with `{{.window}}`. */
  errorRatio: windowTemplateSchema,
});

export const sliSchema = z.discriminatedUnion('kind', [ratioSliSchema, latencySliSchema, rawSliSchema]);
export type SliSpec = z.input<typeof sliSchema>;
export type Sli = z.output<typeof sliSchema>;

const alertOverrideSchema = z.strictObject({
  disable: z.boolean().default(false),
  labels: labelValues.default({}),
  annotations: annotationValues.default({}),
});

export const PAGE_SEVERITY_LABELS = { severity: 'critical' } as const;
export const TICKET_SEVERITY_LABELS = { severity: 'warning' } as const;

export const sloAlertingSchema = z.strictObject({
  /** Alert name of both the page and the ticket alert (Sloth emits two rules with this name). */
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'not a valid alert name').optional(),
  labels: labelValues.default({}),
  annotations: annotationValues.default({}),
  /** Defaults to `severity: critical`. */
  page: alertOverrideSchema.default({ disable: false, labels: {}, annotations: {} }),
  /** Defaults to `severity: warning`. */
  ticket: alertOverrideSchema.default({ disable: false, labels: {}, annotations: {} }),
  /**
   * The burn-rate tiers that alert, each as its own alert labelled `slo_tier` (`page-fast`, `page-slow`,
   * `ticket-fast`, `ticket-slow`). Left out: every tier of an enabled page or ticket alert; the Sloth
   * mode then keeps Sloth's two alerts (page and ticket, each the OR of its two tiers), the efficient
   * mode writes one alert per tier.
   */
  tiers: z
    .array(z.enum(SLO_TIERS))
    .refine((t) => new Set(t).size === t.length, { message: 'a tier is listed twice' })
    .optional(),
});

const windowSchema = z.strictObject({
  errorBudgetPercent: z.number().positive().max(100),
  shortWindow: durationSchema,
  longWindow: durationSchema,
});
/** Sloth's `AlertWindows` table for one period. */
export const alertWindowsSchema = z.strictObject({
  page: z.strictObject({ quick: windowSchema, slow: windowSchema }),
  ticket: z.strictObject({ quick: windowSchema, slow: windowSchema }),
});
export type AlertWindowsSpec = z.input<typeof alertWindowsSchema>;
export type AlertWindows = z.output<typeof alertWindowsSchema>;

export const sloOptionsSchema = z.strictObject({
  /**
   * `sloth`: rules byte-identical to Sloth v0.16 (unless a low-traffic guard is set).
   * `efficient`: every window derived from short-window recordings of error and total counts.
   */
  mode: z.enum(['sloth', 'efficient']).optional(),
  /** Events per second the SLI must see over the page's long window before a page fires. */
  minEventRate: z.number().positive().optional(),
  /** Drop SLI samples at zero traffic instead of recording NaN (0/0). On by default in `efficient` mode. */
  zeroTrafficGuard: z.boolean().optional(),
  /**
   * How often the SLI's series are scraped (use the catalog source's `scrapeInterval`). Efficient tiles
   * then reach back one interval more, to the sample their neighbour ends on, and add up to the exact
   * event count; without it each seam between tiles is estimated from the average rate.
   */
  scrapeInterval: durationSchema.optional(),
});
export type SloOptionsSpec = z.input<typeof sloOptionsSchema>;

export const sloSchema = z.strictObject({
  name: z.string().regex(SLO_NAME, 'SLO names are letters, digits, `-`, `_` and `.`').max(128),
  /** Percent of good events, 0 < objective < 100 (e.g. 99.9). */
  /** Range (0 < objective < 100) is checked by `slo/objective-out-of-range`. */
  objective: z.number(),
  description: z.string().optional(),
  period: durationSchema.default('30d'),
  /** The burn-rate table; required for periods other than 30d, 28d and 7d. */
  windows: alertWindowsSchema.optional(),
  labels: labelValues.default({}),
  sli: sliSchema,
  /**
   * Labels the SLO is kept per value of, e.g. `['model']`: one set of rules records every window `sum by`
   * these labels and the burn-rate alerts fire per value, carrying them. Each must be an enum or bounded
   * label of the SLI's metrics in the catalog (`slo/unbounded-group-label`).
   */
  groupBy: z
    .array(
      labelNameSchema.refine((k) => !k.startsWith('sloth_') && k !== 'slo_events' && k !== 'le', { message: '`sloth_*`, `slo_events` and `le` are the rules\' own labels' }),
    )
    .refine((g) => new Set(g).size === g.length, { message: 'a group label is listed twice' })
    .default([]),
  alerting: sloAlertingSchema.default({
    labels: {},
    annotations: {},
    page: { disable: false, labels: {}, annotations: {} },
    ticket: { disable: false, labels: {}, annotations: {} },
  }),
  options: sloOptionsSchema.default({}),
});
export type SloSpec = z.input<typeof sloSchema>;

export const sloServiceSpecSchema = z
  .strictObject({
    service: z.string().regex(SLO_NAME, 'service names are letters, digits, `-`, `_` and `.`'),
    /** Labels on every rule of every SLO (`team`, `service`, ...). */
    labels: labelValues.default({}),
    /** Defaults for every SLO; an SLO's own options win. */
    options: sloOptionsSchema.default({}),
    slos: z.array(sloSchema).min(1),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.slos.forEach((slo, i) => {
      if (seen.has(slo.name)) ctx.addIssue({ code: 'custom', path: ['slos', i, 'name'], message: `duplicate SLO name \`${slo.name}\`` });
      seen.add(slo.name);
      const period = parseDuration(slo.period);
      if (period !== undefined && period < 24 * 3600_000)
        ctx.addIssue({ code: 'custom', path: ['slos', i, 'period'], message: 'an SLO period is at least one day' });
      if (slo.alerting.name === undefined && !(slo.alerting.page.disable && slo.alerting.ticket.disable))
        ctx.addIssue({ code: 'custom', path: ['slos', i, 'alerting', 'name'], message: 'alerting.name is required unless both alerts are disabled' });
    });
  });
export type SloServiceSpec = z.input<typeof sloServiceSpecSchema>;
export type SloService = z.output<typeof sloServiceSpecSchema>;
export type Slo = SloService['slos'][number];

/** The options in force for one SLO: its own over the service's, then the mode defaults. */
export interface ResolvedSloOptions {
  mode: 'sloth' | 'efficient';
  minEventRate?: number;
  zeroTrafficGuard: boolean;
  scrapeInterval?: string;
}

export function resolveOptions(service: SloService, slo: Slo): ResolvedSloOptions {
  const merged = { ...service.options, ...slo.options };
  const mode = merged.mode ?? 'sloth';
  return {
    mode,
    minEventRate: merged.minEventRate,
    zeroTrafficGuard: merged.zeroTrafficGuard ?? mode === 'efficient',
    scrapeInterval: merged.scrapeInterval,
  };
}

/** Metric reference used in SLI selectors (re-exported for spec authors). */
export type SloMetric = MetricSpec;
