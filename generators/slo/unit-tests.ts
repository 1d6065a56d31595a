import { sortKeys } from '../../src/model/sort-keys.ts';
import { goFloat, leValue } from '../../src/conventions.ts';
import { formatDuration, parseDuration } from '../../src/model/duration.ts';
import type { Matchers, Slo } from '../../src/model/slo.ts';
import type { MetricSpec } from '../../src/model/catalog.ts';
import { renderAlertTemplate } from '../../src/promql/alert-template.ts';
import { SLO_LABELS, SLO_SERIES, sliErrorRatio, type SloTier } from '../../src/slo/names.ts';
import { atWindow, sliMetrics } from '../../src/slo/sli.ts';
import { alertingTiers, tieredAlerts, type SlothSlo } from '../../src/slo/sloth-slo.ts';
import { countRange, countsEvents, efficientPlan } from '../../src/slo/efficient-windows.ts';
import { sliWindows, type BurnWindow } from '../../src/slo/windows.ts';
import { selector } from '../prometheus-rules/test-series.ts';
import { idLabels, severityOf, userLabels, type Severity } from '../../src/slo/labels.ts';
import { alertAnnotations, alertErrorBudget, alertLabels, sloBurnTable, tierAlertAnnotations, tierAlertLabels, tierWindow } from './sloth-rules.ts';

/**
 * promtool unit tests for SLO alerts. After a day of healthy history, errors
 * start at a fixed burn rate; the page alert must fire within one long window at 14.4× and 6× (the
 * workbook's detection time at the threshold burn), the ticket alert at 3× and 1×; nothing fires at
 * 0.5×, and zero traffic gives neither alerts nor NaN SLI series. Scenario burns sit 5% above each
 * threshold so float rounding cannot hide a crossing. A grouped SLO's scenarios run on one group value;
 * two more put a second value beside it: a burn on one value alerts with that value's labels only, and a
 * value with no traffic stays quiet and records nothing.
 */
export const SLO_TEST_INTERVAL = '2m';
export const SLO_TEST_EVALUATION_INTERVAL = '10m';
const STEP_MS = 120_000;
const ABOVE = 1.05;

export interface PromtoolSeries {
  series: string;
  values: string;
}

/** One input phase: `rate` events/s of which `errorRatio` are errors, for `ms`. */
interface Phase {
  ms: number;
  rate: number;
  errorRatio: number;
}

/** Counter values (promtool expanding notation) growing `perStep[i]` for each phase in turn. */
function counterValues(perStep: ReadonlyArray<{ inc: number; steps: number }>): string {
  const parts: string[] = [];
  let value = 0;
  perStep.forEach(({ inc, steps }, i) => {
    if (i === 0) {
      parts.push(`0+${goFloat(inc)}x${steps}`);
      value = inc * steps;
    } else {
      parts.push(`${goFloat(value + inc)}+${goFloat(inc)}x${steps - 1}`);
      value += inc * steps;
    }
  });
  return parts.join(' ');
}

const phaseSteps = (p: Phase): number => Math.round(p.ms / STEP_MS);
const perStep = (phases: readonly Phase[], share: (p: Phase) => number) =>
  phases.map((p) => ({ inc: share(p) * (STEP_MS / 1000), steps: phaseSteps(p) }));

const CANDIDATES = ['500', '503', '502', '429', '404', '400', '200', '0', '1', 'true', 'false', 'error', 'ok', 'none', 'x', 'successful_request', 'request_failed'];

function satisfies(value: string, m: Matchers[string] | undefined): boolean {
  if (m === undefined) return true;
  if (typeof m === 'string') return value === m;
  if ('ne' in m) return value !== m.ne;
  const re = new RegExp(`^(?:${'re' in m ? m.re : m.nre})$`);
  return 're' in m ? re.test(value) : !re.test(value);
}

function labelValue(metric: MetricSpec, name: string, want: Array<Matchers[string] | undefined>, avoid?: Matchers[string]): string | undefined {
  const fromCatalog = metric.labels?.[name]?.values ?? [];
  const literals = want.flatMap((m) => (typeof m === 'string' ? [m] : []));
  for (const v of [...literals, ...fromCatalog, ...CANDIDATES]) {
    if (want.every((m) => satisfies(v, m)) && (avoid === undefined || !satisfies(v, avoid))) return v;
  }
  return undefined;
}

/** Labels meeting every matcher in `all`; with `violate`, one that fails that label's matcher. */
function labelsFor(metric: MetricSpec, all: Matchers[], violate?: { name: string; matcher: Matchers[string] }): Record<string, string> | undefined {
  const names = [...new Set(all.flatMap((m) => Object.keys(m)))];
  const out: Record<string, string> = {};
  for (const name of names) {
    const wants = all.map((m) => m[name]);
    const v = violate?.name === name ? labelValue(metric, name, wants, violate.matcher) : labelValue(metric, name, wants);
    if (v === undefined) return undefined;
    out[name] = v;
  }
  if (violate && !(violate.name in out)) {
    const v = labelValue(metric, violate.name, [], violate.matcher);
    if (v === undefined) return undefined;
    out[violate.name] = v;
  }
  return out;
}

/** A series of the SLI's input: its selector, and the share of each phase's events it counts. */
interface SliInput {
  series: string;
  eventsPerSecond: (p: Phase) => number;
}

/**
 * The series of this SLI's input, with `group` (group label values) on every series; undefined when the
 * SLI is a query template. They are the same for every scenario: only their values follow the phases.
 */
function sliInputs(slo: Slo, prometheusMajor: 2 | 3, group: Record<string, string>): SliInput[] | undefined {
  const sli = slo.sli;
  const series = (name: string, labels: Record<string, string>, eventsPerSecond: (p: Phase) => number): SliInput => ({
    series: selector(name, { ...labels, ...group }),
    eventsPerSecond,
  });
  const total = (p: Phase) => p.rate;
  const errors = (p: Phase) => p.rate * p.errorRatio;
  const good = (p: Phase) => p.rate * (1 - p.errorRatio);
  if (sli.kind === 'latency') {
    const le = leValue(sli.threshold, prometheusMajor);
    const labels = labelsFor(sli.histogram, [sli.matchers]);
    if (!labels) return undefined;
    return [series(`${sli.histogram.name}_count`, labels, total), series(`${sli.histogram.name}_bucket`, { ...labels, le }, good)];
  }
  if (sli.kind !== 'ratio' || typeof sli.errors === 'string' || typeof sli.total === 'string') return undefined;
  const errorSelector = sli.errors;
  const totalSelector = sli.total;
  if (errorSelector.metric.name !== totalSelector.metric.name) {
    const errLabels = labelsFor(errorSelector.metric, [errorSelector.matchers]);
    const totLabels = labelsFor(totalSelector.metric, [totalSelector.matchers]);
    if (!errLabels || !totLabels) return undefined;
    return [series(errorSelector.metric.name, errLabels, errors), series(totalSelector.metric.name, totLabels, total)];
  }
  const bad = labelsFor(errorSelector.metric, [errorSelector.matchers, totalSelector.matchers]);
  const discriminator = Object.entries(errorSelector.matchers).find(
    ([k, m]) => totalSelector.matchers[k] === undefined || JSON.stringify(totalSelector.matchers[k]) !== JSON.stringify(m),
  );
  if (!bad || !discriminator) return undefined;
  const served = labelsFor(errorSelector.metric, [totalSelector.matchers], { name: discriminator[0], matcher: discriminator[1] });
  if (!served) return undefined;
  return [series(errorSelector.metric.name, bad, errors), series(errorSelector.metric.name, served, good)];
}

/** The input series of `series` producing `phases`. */
function seriesOver(series: readonly SliInput[], phases: readonly Phase[]): PromtoolSeries[] {
  return series.map((s) => ({ series: s.series, values: counterValues(perStep(phases, s.eventsPerSecond)) }));
}

/**
 * Input series producing `phases` for this SLI, with `group` (group label values) on every series;
 * undefined when the SLI is a query template.
 */
export function sliInputSeries(slo: Slo, phases: readonly Phase[], prometheusMajor: 2 | 3, group: Record<string, string> = {}): PromtoolSeries[] | undefined {
  const series = sliInputs(slo, prometheusMajor, group);
  return series && seriesOver(series, phases);
}

/** Two values of each group label that every matcher of the SLI accepts; fewer when the matchers pin it. */
function groupValues(slo: Slo): Array<Record<string, string>> {
  const matchers: Matchers[] =
    slo.sli.kind === 'latency' ? [slo.sli.matchers] : slo.sli.kind === 'ratio' ? [slo.sli.errors, slo.sli.total].flatMap((e) => (typeof e === 'string' ? [] : [e.matchers])) : [];
  const metrics = sliMetrics(slo.sli);
  const perLabel = slo.groupBy.map((label) => {
    const catalog = metrics.flatMap((m) => m.labels?.[label]?.values ?? []);
    const candidates = [...catalog, `${label}-a`, `${label}-b`];
    return candidates.filter((v, i) => candidates.indexOf(v) === i && matchers.every((m) => satisfies(v, m[label]))).slice(0, 2);
  });
  if (perLabel.some((values) => values.length === 0)) return [];
  const pick = (k: number) => Object.fromEntries(slo.groupBy.map((label, i) => [label, perLabel[i]![Math.min(k, perLabel[i]!.length - 1)]!]));
  return perLabel.every((values) => values.length === 2) ? [pick(0), pick(1)] : [pick(0)];
}

interface ExpectedAlert {
  exp_labels: Record<string, string>;
  exp_annotations: Record<string, string>;
}

export interface PromtoolCase {
  name: string;
  interval: string;
  input_series: PromtoolSeries[];
  alert_rule_test: Array<{ eval_time: string; alertname: string; exp_alerts: ExpectedAlert[] }>;
  promql_expr_test?: Array<{ expr: string; eval_time: string; exp_samples: unknown[] }>;
}

/**
 * Error ratio of window `w` (ms) at `d` ms after errors at `burn` × budget started on top of `history` ms
 * of healthy traffic, relative to the budget.
 */
function windowBurn(burn: number, w: number, d: number, history: number): number {
  return (burn * Math.min(d, w)) / Math.min(w, history + d);
}

/** Whether a window pair fires; undefined when a window sits within 10% of the threshold. */
function pairFires(pair: BurnWindow, burn: number, d: number, history: number): boolean | undefined {
  const results = [pair.short, pair.long].map((w) => windowBurn(burn, parseDuration(w)!, d, history) / pair.factor);
  if (results.some((r) => r > 0.9 && r < 1.03)) return undefined;
  return results.every((r) => r > 1);
}

/** The alert Alertmanager gets from Sloth's page or ticket alert, or from one tier's, for one group. */
function expectedAlert(slo: SlothSlo, alert: Severity | SloTier, group: Record<string, string>): ExpectedAlert {
  const own = alert === 'page' || alert === 'ticket' ? alertLabels(slo, alert) : tierAlertLabels(slo, alert);
  const labels = { ...idLabels(slo), ...userLabels(slo), ...own, ...group, alertname: slo.alerting.name! };
  const templates = alert === 'page' || alert === 'ticket' ? alertAnnotations(slo, alert) : tierAlertAnnotations(slo, alert);
  const annotations = Object.fromEntries(Object.entries(templates).map(([k, v]) => [k, renderAlertTemplate(v, labels, Number.NaN)]));
  const { alertname: _omit, ...expLabels } = labels;
  return { exp_labels: sortKeys(expLabels), exp_annotations: sortKeys(annotations) };
}

/**
 * The alert an SLO's scenarios test and the group values they run on (one empty group when ungrouped);
 * undefined when it raises no alert.
 */
function scenarioSubject(spec: Slo, slo: SlothSlo): { alertname: string; groups: Array<Record<string, string>> } | undefined {
  const alertname = slo.alerting.name;
  if (!alertname || (slo.alerting.page.disable && slo.alerting.ticket.disable)) return undefined;
  const groups = slo.groupBy.length ? groupValues(spec) : [{}];
  return groups.length > 0 ? { alertname, groups } : undefined;
}

/** True when `sloTestCases` has a case for the SLO: it alerts, and its SLI's input series can be made up (then its zero-traffic case exists). */
export function hasSloTestCases(spec: Slo, slo: SlothSlo, prometheusMajor: 2 | 3): boolean {
  const subject = scenarioSubject(spec, slo);
  return subject !== undefined && sliInputs(spec, prometheusMajor, subject.groups[0]!) !== undefined;
}

/** Every promtool case for one SLO; empty when its SLI is a query template (no series can be synthesised). */
export function sloTestCases(spec: Slo, slo: SlothSlo, prometheusMajor: 2 | 3): PromtoolCase[] {
  const subject = scenarioSubject(spec, slo);
  if (!subject) return [];
  const { alertname, groups } = subject;
  const table = sloBurnTable(slo);
  // A day of healthy traffic before errors start: long enough for every page window, short enough to keep
  // promtool fast; the expected alerts account for the shorter history of the longer windows.
  const history = Math.max(parseDuration(table.pageSlow.long)!, parseDuration(table.ticketQuick.long)!);
  const rate = Math.max(10, (slo.options.minEventRate ?? 0) * 4);
  const budget = alertErrorBudget(slo);
  const tiers = alertingTiers(slo);
  // A grouped SLO's scenarios run on its first group value; ungrouped, there is one empty group.
  const [group = {}, other] = groups;
  // The SLI's series of each group are worked out once; each scenario only gives them values.
  const seriesOf = new Map<Record<string, string>, SliInput[] | undefined>();
  const input = (phases: readonly Phase[], on: Record<string, string> = group): PromtoolSeries[] | undefined => {
    if (!seriesOf.has(on)) seriesOf.set(on, sliInputs(spec, prometheusMajor, on));
    const series = seriesOf.get(on);
    return series && seriesOver(series, phases);
  };
  const cases: PromtoolCase[] = [];
  // Scenarios expect the same few alerts over and over: each is worked out once.
  const alertsWorkedOut = new Map<string, ExpectedAlert>();
  const alertOf = (alert: Severity | SloTier, on: Record<string, string>): ExpectedAlert => {
    const key = `${alert}\n${JSON.stringify(on)}`;
    let expected = alertsWorkedOut.get(key);
    if (!expected) {
      expected = expectedAlert(slo, alert, on);
      alertsWorkedOut.set(key, expected);
    }
    return expected;
  };

  /**
   * The alerts of `group` firing `d` after errors at `burn` started; undefined when a window is too close
   * to call. Sloth's page and ticket alerts fire when either of their tiers does.
   */
  const expectedAlerts = (burn: number, d: number, pageAllowed: boolean, on: Record<string, string> = group): ExpectedAlert[] | undefined => {
    const expected: ExpectedAlert[] = [];
    const allowed = tiers.filter((t) => pageAllowed || severityOf(t) !== 'page');
    if (tieredAlerts(slo)) {
      for (const tier of allowed) {
        const fires = pairFires(tierWindow(table, tier), burn, d, history);
        if (fires === undefined) return undefined;
        if (fires) expected.push(alertOf(tier, on));
      }
      return expected;
    }
    for (const sev of ['page', 'ticket'] as const) {
      const fires = allowed.filter((t) => severityOf(t) === sev).map((t) => pairFires(tierWindow(table, t), burn, d, history));
      if (fires.some((f) => f === true)) expected.push(alertOf(sev, on));
      else if (fires.some((f) => f === undefined)) return undefined;
    }
    return expected;
  };

  /** Errors at the tier's threshold burn from the end of the history: the expected alerts within its long window. */
  const firing = (tier: SloTier): void => {
    const pair = tierWindow(table, tier);
    const burn = pair.factor * ABOVE;
    const d = parseDuration(pair.long)!;
    const series = input([
      { ms: history, rate, errorRatio: 0 },
      { ms: d + STEP_MS + parseDuration(SLO_TEST_EVALUATION_INTERVAL)!, rate, errorRatio: burn * budget },
    ]);
    const expected = expectedAlerts(burn, d, true);
    if (!series || !expected) return;
    const what = tieredAlerts(slo) ? tier : severityOf(tier);
    cases.push({
      name: `${slo.id}: ${what} alert fires within ${formatDuration(d)} at ${goFloat(pair.factor)}× burn`,
      interval: SLO_TEST_INTERVAL,
      input_series: series,
      alert_rule_test: [
        { eval_time: formatDuration(history), alertname, exp_alerts: [] },
        { eval_time: formatDuration(history + d), alertname, exp_alerts: expected },
      ],
    });
  };
  /** The SLO's series of one group: `sloth_id="…", model="…"`. */
  const ofGroup = (on: Record<string, string>): string => [[SLO_LABELS.id, slo.id], ...Object.entries(on)].map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
  const sliSeries = (on: Record<string, string>): string => `{__name__=~"${SLO_SERIES.sliErrorPrefix}.+|${SLO_SERIES.currentBurnRate}", ${ofGroup(on)}}`;
  const idle = input([{ ms: parseDuration(table.pageSlow.long)! + STEP_MS, rate: 0, errorRatio: 0 }]);
  if (idle) {
    const at = formatDuration(parseDuration(table.pageSlow.long)!);
    cases.push({
      name: `${slo.id}: zero traffic raises no alert${slo.options.zeroTrafficGuard ? ' and records no NaN' : ''}`,
      interval: SLO_TEST_INTERVAL,
      input_series: idle,
      alert_rule_test: [{ eval_time: at, alertname, exp_alerts: [] }],
      ...(slo.options.zeroTrafficGuard
        ? { promql_expr_test: [{ expr: `count(${sliSeries({})})`, eval_time: at, exp_samples: [] }] }
        : {}),
    });
  }

  // In table order, so a tiered SLO's cases read like its alerts; Sloth's alerts are told by severity.
  const order = tieredAlerts(slo) ? tiers : (['page-fast', 'page-slow', 'ticket-fast', 'ticket-slow'] as const).filter((t) => !slo.alerting[severityOf(t)].disable);
  for (const tier of order) firing(tier);

  const slowBurn = input([
    { ms: history, rate, errorRatio: 0 },
    { ms: history + STEP_MS, rate, errorRatio: 0.5 * budget },
  ]);
  if (slowBurn) {
    const checkpoints = [table.pageQuick, table.pageSlow, table.ticketQuick, table.ticketSlow].map((p) => history + parseDuration(p.long)!);
    cases.push({
      name: `${slo.id}: no alert at 0.5× burn`,
      interval: SLO_TEST_INTERVAL,
      input_series: slowBurn,
      alert_rule_test: [...new Set(checkpoints)].map((t) => ({ eval_time: formatDuration(t), alertname, exp_alerts: [] })),
    });
  }

  if (slo.options.minEventRate !== undefined && !slo.alerting.page.disable) {
    const quiet = slo.options.minEventRate / 2;
    const lowTraffic = input([
      { ms: history, rate: quiet, errorRatio: 0 },
      { ms: parseDuration(table.pageQuick.long)! + STEP_MS, rate: quiet, errorRatio: 1 },
    ]);
    const d = parseDuration(table.pageQuick.long)!;
    const expected = expectedAlerts(1 / budget, d, false);
    if (lowTraffic && expected)
      cases.push({
        name: `${slo.id}: no page below ${goFloat(slo.options.minEventRate)} events/s even at 100% errors`,
        interval: SLO_TEST_INTERVAL,
        input_series: lowTraffic,
        alert_rule_test: [{ eval_time: formatDuration(history + d), alertname, exp_alerts: expected }],
      });
  }

  if (other) cases.push(...groupCases(group, other));

  /**
   * Two group values side by side: errors at the fastest tier's burn on `burning` alert with its labels
   * only while `healthy` serves the same traffic without errors; then `idle` has no traffic at all while
   * `busy` is healthy, and nothing alerts or records a ratio for `idle`.
   */
  function groupCases(burning: Record<string, string>, healthy: Record<string, string>): PromtoolCase[] {
    const out: PromtoolCase[] = [];
    const names = (g: Record<string, string>): string => Object.values(g).join('/');
    const first = order[0];
    if (first) {
      const pair = tierWindow(table, first);
      const burn = pair.factor * ABOVE;
      const d = parseDuration(pair.long)!;
      const phases = (errorRatio: number): Phase[] => [
        { ms: history, rate, errorRatio: 0 },
        { ms: d + STEP_MS + parseDuration(SLO_TEST_EVALUATION_INTERVAL)!, rate, errorRatio },
      ];
      const bad = input(phases(burn * budget), burning);
      const good = input(phases(0), healthy);
      const expected = expectedAlerts(burn, d, true, burning);
      if (bad && good && expected && expected.length > 0)
        out.push({
          name: `${slo.id}: a ${goFloat(pair.factor)}× burn on ${names(burning)} alerts for ${names(burning)} only, not for ${names(healthy)}`,
          interval: SLO_TEST_INTERVAL,
          input_series: [...bad, ...good],
          alert_rule_test: [
            { eval_time: formatDuration(history), alertname, exp_alerts: [] },
            { eval_time: formatDuration(history + d), alertname, exp_alerts: expected },
          ],
        });
    }
    const span = history + parseDuration(table.pageSlow.long)!;
    const busy = input([{ ms: span + STEP_MS, rate, errorRatio: 0 }], burning);
    const idle = input([{ ms: span + STEP_MS, rate: 0, errorRatio: 0 }], healthy);
    if (busy && idle) {
      const at = formatDuration(span);
      out.push({
        name: `${slo.id}: no traffic on ${names(healthy)} raises no alert${slo.options.zeroTrafficGuard ? ' and records no NaN for it' : ''} while ${names(burning)} is served`,
        interval: SLO_TEST_INTERVAL,
        input_series: [...busy, ...idle],
        alert_rule_test: [{ eval_time: at, alertname, exp_alerts: [] }],
        promql_expr_test: [
          // The served group keeps its SLI, so the quiet one is quiet for want of traffic, not of rules.
          { expr: `count(${sliErrorRatio(table.pageQuick.short)}{${ofGroup(burning)}})`, eval_time: at, exp_samples: [{ labels: '{}', value: 1 }] },
          ...(slo.options.zeroTrafficGuard ? [{ expr: `count(${sliSeries(healthy)})`, eval_time: at, exp_samples: [] }] : []),
        ],
      });
    }
    return out;
  }

  const accuracy = efficientAccuracyCase(spec, slo, history, rate, prometheusMajor, group);
  if (accuracy) cases.push(accuracy);
  return cases;
}

/**
 * How far (relative) an efficient window may stray from the exact ratio over the same span. Tiles meet
 * exactly; what differs is where a window reaches back before the test's first sample, whose start the raw
 * query and the oldest tile extrapolate differently (0.01 % here; a real series has samples before it).
 */
const EFFICIENT_TOLERANCE = 1e-3;

/**
 * An incident whose edges fall between evaluation steps, then every efficient window but the period (whose
 * blocks trail it by design) compared with the exact ratio of the raw series at steps across both edges and
 * across the tile seams that follow: any window off by more than the tolerance comes back as a sample and
 * fails the case. A tiled window counts from the sample at its start, so its raw counterpart reads one scrape
 * interval further back, as the tiles do.
 */
function efficientAccuracyCase(spec: Slo, slo: SlothSlo, history: number, rate: number, prometheusMajor: 2 | 3, group: Record<string, string>): PromtoolCase | undefined {
  if (slo.options.mode !== 'efficient' || slo.sli.kind !== 'events') return undefined;
  const budget = alertErrorBudget(slo);
  const lead = history + 7 * STEP_MS;
  const incident = 19 * STEP_MS;
  const windows = sliWindows(slo.windows, slo.period).slice(0, -1);
  const longest = parseDuration(windows[windows.length - 1]!)!;
  const input = sliInputSeries(
    spec,
    [
      { ms: lead, rate, errorRatio: 0.2 * budget },
      { ms: incident, rate, errorRatio: 20 * budget },
      { ms: longest + STEP_MS, rate, errorRatio: 0.2 * budget },
    ],
    prometheusMajor,
    group,
  );
  if (!input) return undefined;
  const f = `{${SLO_LABELS.id}="${slo.id}"}`;
  const sli = slo.sli;
  // Windows read from recorded counts start on the sample at or before the window's start (one scrape interval
  // further back).
  const counted = new Set(efficientPlan(slo).filter(countsEvents).map((p) => p.window));
  const off = windows
    .map((w) => {
      const range = counted.has(w) ? countRange(slo, w) : w;
      const exact = `(${atWindow(sli.errorQuery, range)}) / (${atWindow(sli.totalQuery, range)})`;
      return `abs(${sliErrorRatio(w)}${f} - on() group_left() (${exact})) > on() group_left() (${goFloat(EFFICIENT_TOLERANCE)} * ${exact})`;
    })
    .join('\nor\n');
  const step = parseDuration(SLO_TEST_EVALUATION_INTERVAL)!;
  const checkpoints = new Set<number>();
  for (let t = lead; t <= lead + incident + 3 * 3600_000; t += step) checkpoints.add(Math.ceil(t / step) * step);
  for (const w of windows) checkpoints.add(Math.ceil((lead + parseDuration(w)!) / step) * step);
  return {
    name: `${slo.id}: every efficient window within ${goFloat(EFFICIENT_TOLERANCE * 100)} % of the exact ratio across an incident`,
    interval: SLO_TEST_INTERVAL,
    input_series: input,
    alert_rule_test: [],
    promql_expr_test: [...checkpoints].sort((a, b) => a - b).map((t) => ({ expr: off, eval_time: formatDuration(t), exp_samples: [] })),
  };
}
