import { sloServiceSpecSchema, type SloServiceSpec } from '../src/model/slo.ts';
import { slothSlos, type SlothSlo } from '../src/slo/sloth-slo.ts';
import { errorEventsRate, sliErrorRatio, totalEventsRate, SLO_GROUPS } from '../src/slo/names.ts';
import { sliWindows } from '../src/slo/windows.ts';
import { sloRuleGroups } from '../generators/slo/index.ts';
import type { OutputRuleGroup } from '../generators/prometheus-rules/envelopes.ts';
import { SERVER_ERROR_RE, TRAFFIC_METRIC, jobOf } from './slo-eval-traffic.ts';

/**
 * The bench's SLOs: the same 50 SLOs twice, once per mode, under two service names so both rule sets run
 * side by side in one Prometheus without sharing a series.
 */
export type Mode = 'sloth' | 'efficient';
export const MODES: readonly Mode[] = ['sloth', 'efficient'];
export const serviceOf = (mode: Mode): string => `bench-${mode}`;

export const errorQuery = (slo: number, window: string): string =>
  `sum(rate(${TRAFFIC_METRIC}{job="${jobOf(slo)}",code=~"${SERVER_ERROR_RE}"}[${window}]))`;
export const totalQuery = (slo: number, window: string): string => `sum(rate(${TRAFFIC_METRIC}{job="${jobOf(slo)}"}[${window}]))`;

function serviceSpec(mode: Mode, count: number): SloServiceSpec {
  return {
    service: serviceOf(mode),
    labels: { team: 'bench' },
    options: { mode },
    slos: Array.from({ length: count }, (_, i) => ({
      name: jobOf(i),
      objective: 99.5,
      sli: { kind: 'ratio' as const, errors: errorQuery(i, '{{.window}}'), total: totalQuery(i, '{{.window}}') },
      alerting: { name: 'BenchErrorBudgetBurn' },
    })),
  };
}

export interface BenchRules {
  slos: Record<Mode, SlothSlo[]>;
  groups: Record<Mode, OutputRuleGroup[]>;
  /** Every SLI window, shortest first, the period last. */
  windows: string[];
  /** Recordings read over long ranges, backfilled from the raw history (evaluated at `interval`). */
  backfillShort: OutputRuleGroup[];
  /** Recordings built on the first stage's (the efficient mode's hourly blocks). */
  backfillBlocks: OutputRuleGroup[];
}

export function benchRules(count: number, interval: string): BenchRules {
  const slos = {
    sloth: slothSlos(sloServiceSpecSchema.parse(serviceSpec('sloth', count)), 2),
    efficient: slothSlos(sloServiceSpecSchema.parse(serviceSpec('efficient', count)), 2),
  };
  const groups = { sloth: sloRuleGroups(slos.sloth), efficient: sloRuleGroups(slos.efficient) };
  const first = slos.sloth[0]!;
  const windows = sliWindows(first.windows, first.period);
  const shortest = windows[0]!;
  const shortRecords: Record<Mode, string[]> = {
    sloth: [sliErrorRatio(shortest)],
    efficient: [errorEventsRate(shortest), totalEventsRate(shortest)],
  };
  const backfillShort = MODES.map((mode) => ({
    name: `backfill-${mode}-${shortest}`,
    interval,
    rules: groups[mode].flatMap((g) => g.rules.filter((r) => r.record !== undefined && shortRecords[mode].includes(r.record))),
  }));
  const blockGroups = new Set(slos.efficient.map((s) => SLO_GROUPS.blocks(s.id)));
  const backfillBlocks = groups.efficient.filter((g) => blockGroups.has(g.name));
  return { slos, groups, windows, backfillShort, backfillBlocks };
}

export function isBlockGroup(name: string): boolean {
  return name.startsWith(SLO_GROUPS.blocks(''));
}
