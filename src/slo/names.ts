/**
 * Series, label and group names of generated SLO rules. Sloth's names are kept verbatim so Sloth
 * dashboards and tools read infermon's rules unchanged; the efficient mode adds event-rate series.
 */
export const SLO_SERIES = {
  /** `slo:sli_error:ratio_rate<window>`: error ratio over a window (use `sliErrorRatio(window)`). */
  sliErrorPrefix: 'slo:sli_error:ratio_rate',
  objective: 'slo:objective:ratio',
  errorBudget: 'slo:error_budget:ratio',
  periodDays: 'slo:time_period:days',
  currentBurnRate: 'slo:current_burn_rate:ratio',
  periodBurnRate: 'slo:period_burn_rate:ratio',
  periodErrorBudgetRemaining: 'slo:period_error_budget_remaining:ratio',
  info: 'sloth_slo_info',
  /** Efficient mode: error and total events per second over a window, told apart by `SLO_LABELS.events`. */
  eventsRatePrefix: 'slo:sli_events:rate',
  /** Efficient mode: a block's event rate recorded once per block (hourly), the period's building block. */
  blockSuffix: '_block',
} as const;

export const sliErrorRatio = (window: string): string => `${SLO_SERIES.sliErrorPrefix}${window}`;
export const eventsRate = (window: string): string => `${SLO_SERIES.eventsRatePrefix}${window}`;
export const blockRate = (rateSeries: string): string => `${rateSeries}${SLO_SERIES.blockSuffix}`;

export const SLO_LABELS = {
  id: 'sloth_id',
  service: 'sloth_service',
  slo: 'sloth_slo',
  window: 'sloth_window',
  severity: 'sloth_severity',
  version: 'sloth_version',
  mode: 'sloth_mode',
  spec: 'sloth_spec',
  objective: 'sloth_objective',
  /** Efficient mode: `error` or `total` on the event-rate series. */
  events: 'slo_events',
  /** The burn-rate tier of an alert (`page-fast`, ...), for routing and inhibition. */
  tier: 'slo_tier',
} as const;

/**
 * The four burn-rate tiers, named after the SRE workbook's multiwindow pairs: `page-fast` (2 % of the
 * budget in 1h, 5m short window), `page-slow` (5 % in 6h), `ticket-fast` (10 % in 1d) and `ticket-slow`
 * (10 % in 3d), at the 30d table's windows.
 */
export const SLO_TIERS = ['page-fast', 'page-slow', 'ticket-fast', 'ticket-slow'] as const;
export type SloTier = (typeof SLO_TIERS)[number];

export const EVENT_KINDS = ['error', 'total'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const SLO_GROUPS = {
  sli: (id: string) => `sloth-slo-sli-recordings-${id}`,
  meta: (id: string) => `sloth-slo-meta-recordings-${id}`,
  alerts: (id: string) => `sloth-slo-alerts-${id}`,
  /** Efficient mode: hourly blocks, evaluated once per block. */
  blocks: (id: string) => `sloth-slo-sli-blocks-${id}`,
} as const;

export const sloId = (service: string, slo: string): string => `${service}-${slo}`;

/** The Sloth release whose output the `sloth` mode reproduces. */
export const SLOTH_VERSION = 'v0.16.0';

/** How the rules were produced, as `sloth_slo_info` reports it. */
export interface SlothOrigin {
  version: string;
  /** `cli-gen-prom` for a prometheus/v1 spec, `cli-gen-k8s` for a CR, ... */
  mode: string;
  /** `prometheus/v1` or `sloth.slok.dev/v1`. */
  spec: string;
}

export const SLOTH_CLI_PROM: SlothOrigin = { version: SLOTH_VERSION, mode: 'cli-gen-prom', spec: 'prometheus/v1' };
export const SLOTH_CLI_K8S: SlothOrigin = { version: SLOTH_VERSION, mode: 'cli-gen-k8s', spec: 'sloth.slok.dev/v1' };

/** `sloth_mode` of rules infermon's efficient mode writes (not a Sloth value: Sloth never wrote them). */
export const EFFICIENT_ORIGIN: SlothOrigin = { version: SLOTH_VERSION, mode: 'infermon-efficient', spec: 'prometheus/v1' };
