import { sloServiceSpecSchema, type SloServiceSpec } from '../src/model/slo.ts';
import { slothSlos, type SlothSlo } from '../src/slo/sloth-slo.ts';
import { efficientPlan, type EfficientWindow } from '../src/slo/efficient-windows.ts';
import { SLO_GROUPS } from '../src/slo/names.ts';
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

export const errorSelector = (slo: number): string => `${TRAFFIC_METRIC}{job="${jobOf(slo)}",code=~"${SERVER_ERROR_RE}"}`;
export const totalSelector = (slo: number): string => `${TRAFFIC_METRIC}{job="${jobOf(slo)}"}`;
export const errorQuery = (slo: number, window: string): string => `sum(rate(${errorSelector(slo)}[${window}]))`;
export const totalQuery = (slo: number, window: string): string => `sum(rate(${totalSelector(slo)}[${window}]))`;

function serviceSpec(mode: Mode, count: number, scrapeInterval: string): SloServiceSpec {
  return {
    service: serviceOf(mode),
    labels: { team: 'bench' },
    options: mode === 'efficient' ? { mode, scrapeInterval } : { mode },
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
  /** How the efficient mode builds each window but the period (the same for every bench SLO). */
  plan: EfficientWindow[];
  /**
   * The recordings rules read back in time (over a range or at an offset), to evaluate over the history
   * stage by stage: each stage reads only raw series and earlier stages. Groups keep their names, so
   * each can be evaluated at its own group's timestamps.
   */
  backfillStages: OutputRuleGroup[][];
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Recorded names some expression reads over a range (`name{...}[w]`) or at an offset (`name{...} offset w`). */
function readBackInTime(groups: readonly OutputRuleGroup[]): Set<string> {
  const exprs = groups.flatMap((g) => g.rules.map((r) => r.expr));
  const records = new Set(groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : []))));
  return new Set([...records].filter((name) => exprs.some((e) => new RegExp(`${escapeRe(name)}\\{[^}]*\\}(\\[| offset )`).test(e))));
}

/**
 * The recordings read back in time, in stages: each stage reads only raw series and earlier stages, so
 * the stages can be evaluated over a history one after another.
 */
export function stagesOf(groups: readonly OutputRuleGroup[], interval: string): OutputRuleGroup[][] {
  const wanted = readBackInTime(groups);
  const reads = (expr: string, name: string): boolean => expr.includes(`${name}{`);
  const done = new Set<string>();
  const stages: OutputRuleGroup[][] = [];
  for (;;) {
    const stage = groups
      .map((g) => ({
        ...g,
        interval: g.interval ?? interval,
        rules: g.rules.filter(
          (r) => r.record && wanted.has(r.record) && !done.has(r.record) && [...wanted].every((n) => done.has(n) || !reads(r.expr, n)),
        ),
      }))
      .filter((g) => g.rules.length > 0);
    if (stage.length === 0) break;
    for (const g of stage) for (const r of g.rules) done.add(r.record!);
    stages.push(stage);
  }
  const missing = [...wanted].filter((n) => !done.has(n));
  if (missing.length > 0) throw new Error(`recordings that read each other in a cycle: ${missing.join(', ')}`);
  return stages;
}

/** `interval`: the evaluation interval, which the bench also scrapes at. */
export function benchRules(count: number, interval: string): BenchRules {
  const slos = {
    sloth: slothSlos(sloServiceSpecSchema.parse(serviceSpec('sloth', count, interval)), 2),
    efficient: slothSlos(sloServiceSpecSchema.parse(serviceSpec('efficient', count, interval)), 2),
  };
  const groups = { sloth: sloRuleGroups(slos.sloth), efficient: sloRuleGroups(slos.efficient) };
  const first = slos.sloth[0]!;
  const windows = sliWindows(first.windows, first.period);
  // Per mode: both record some of the same names (the 5m ratio), which only Sloth's rules read back.
  const [sloth, efficient] = MODES.map((mode) => stagesOf(groups[mode], interval));
  const backfillStages = Array.from({ length: Math.max(sloth!.length, efficient!.length) }, (_, i) => [...(sloth![i] ?? []), ...(efficient![i] ?? [])]);
  return { slos, groups, windows, plan: efficientPlan(slos.efficient[0]!), backfillStages };
}

export function isBlockGroup(name: string): boolean {
  return name.startsWith(SLO_GROUPS.blocks(''));
}
