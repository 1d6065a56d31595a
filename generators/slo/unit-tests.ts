import { sortKeys } from '../../src/model/sort-keys.ts';
import { goFloat, leValue } from '../../src/conventions.ts';
import { formatDuration, parseDuration } from '../../src/model/duration.ts';
import type { Matchers, Slo } from '../../src/model/slo.ts';
import type { MetricSpec } from '../../src/model/catalog.ts';
import { renderAlertTemplate } from '../../src/promql/alert-template.ts';
import { SLO_LABELS, SLO_SERIES, sliErrorRatio } from '../../src/slo/names.ts';
import { atWindow } from '../../src/slo/sli.ts';
import type { SlothSlo } from '../../src/slo/sloth-slo.ts';
import { countRange, countsEvents, efficientPlan } from '../../src/slo/efficient-windows.ts';
import { sliWindows, type BurnWindow } from '../../src/slo/windows.ts';
import { selector } from '../prometheus-rules/test-series.ts';
import { idLabels, userLabels, type Severity } from '../../src/slo/labels.ts';
import { alertAnnotations, alertErrorBudget, alertLabels, sloBurnTable } from './sloth-rules.ts';

/**
 * promtool unit tests for SLO alerts. After a day of healthy history, errors
 * start at a fixed burn rate; the page alert must fire within one long window at 14.4× and 6× (the
 * workbook's detection time at the threshold burn), the ticket alert at 3× and 1×; nothing fires at
 * 0.5×, and zero traffic gives neither alerts nor NaN SLI series. Scenario burns sit 5% above each
 * threshold so float rounding cannot hide a crossing.
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

/** Input series producing `phases` for this SLI; undefined when the SLI is a query template. */
export function sliInputSeries(slo: Slo, phases: readonly Phase[], prometheusMajor: 2 | 3): PromtoolSeries[] | undefined {
  const sli = slo.sli;
  if (sli.kind === 'latency') {
    const le = leValue(sli.threshold, prometheusMajor);
    const labels = labelsFor(sli.histogram, [sli.matchers]);
    if (!labels) return undefined;
    return [
      { series: selector(`${sli.histogram.name}_count`, labels), values: counterValues(perStep(phases, (p) => p.rate)) },
      {
        series: selector(`${sli.histogram.name}_bucket`, { ...labels, le }),
        values: counterValues(perStep(phases, (p) => p.rate * (1 - p.errorRatio))),
      },
    ];
  }
  if (sli.kind !== 'ratio' || typeof sli.errors === 'string' || typeof sli.total === 'string') return undefined;
  const errors = sli.errors;
  const total = sli.total;
  if (errors.metric.name !== total.metric.name) {
    const errLabels = labelsFor(errors.metric, [errors.matchers]);
    const totLabels = labelsFor(total.metric, [total.matchers]);
    if (!errLabels || !totLabels) return undefined;
    return [
      { series: selector(errors.metric.name, errLabels), values: counterValues(perStep(phases, (p) => p.rate * p.errorRatio)) },
      { series: selector(total.metric.name, totLabels), values: counterValues(perStep(phases, (p) => p.rate)) },
    ];
  }
  const bad = labelsFor(errors.metric, [errors.matchers, total.matchers]);
  const discriminator = Object.entries(errors.matchers).find(([k, m]) => total.matchers[k] === undefined || JSON.stringify(total.matchers[k]) !== JSON.stringify(m));
  if (!bad || !discriminator) return undefined;
  const good = labelsFor(errors.metric, [total.matchers], { name: discriminator[0], matcher: discriminator[1] });
  if (!good) return undefined;
  return [
    { series: selector(errors.metric.name, bad), values: counterValues(perStep(phases, (p) => p.rate * p.errorRatio)) },
    { series: selector(errors.metric.name, good), values: counterValues(perStep(phases, (p) => p.rate * (1 - p.errorRatio))) },
  ];
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

function expectedAlert(slo: SlothSlo, severity: Severity): ExpectedAlert {
  const labels = { ...idLabels(slo), ...userLabels(slo), ...alertLabels(slo, severity), alertname: slo.alerting.name! };
  const annotations = Object.fromEntries(
    Object.entries(alertAnnotations(slo, severity)).map(([k, v]) => [k, renderAlertTemplate(v, labels, Number.NaN)]),
  );
  const { alertname: _omit, ...expLabels } = labels;
  return { exp_labels: sortKeys(expLabels), exp_annotations: sortKeys(annotations) };
}

/** Every promtool case for one SLO; empty when its SLI is a query template (no series can be synthesised). */
export function sloTestCases(spec: Slo, slo: SlothSlo, prometheusMajor: 2 | 3): PromtoolCase[] {
  if (!slo.alerting.name || (slo.alerting.page.disable && slo.alerting.ticket.disable)) return [];
  const table = sloBurnTable(slo);
  // A day of healthy traffic before errors start: long enough for every page window, short enough to keep
  // promtool fast; the expected alerts account for the shorter history of the longer windows.
  const history = Math.max(parseDuration(table.pageSlow.long)!, parseDuration(table.ticketQuick.long)!);
  const rate = Math.max(10, (slo.options.minEventRate ?? 0) * 4);
  const budget = alertErrorBudget(slo);
  const alertname = slo.alerting.name;
  const cases: PromtoolCase[] = [];

  /** The alerts firing `d` after errors at `burn` started; undefined when a window is too close to call. */
  const expectedAlerts = (burn: number, d: number, pageAllowed: boolean): ExpectedAlert[] | undefined => {
    const expected: ExpectedAlert[] = [];
    for (const sev of ['page', 'ticket'] as const) {
      if (slo.alerting[sev].disable || (sev === 'page' && !pageAllowed)) continue;
      const pairs = sev === 'page' ? [table.pageQuick, table.pageSlow] : [table.ticketQuick, table.ticketSlow];
      const fires = pairs.map((p) => pairFires(p, burn, d, history));
      if (fires.some((f) => f === true)) expected.push(expectedAlert(slo, sev));
      else if (fires.some((f) => f === undefined)) return undefined;
    }
    return expected;
  };

  const firing = (pair: BurnWindow, severity: Severity, label: string): void => {
    if (slo.alerting[severity].disable) return;
    const burn = pair.factor * ABOVE;
    const d = parseDuration(pair.long)!;
    const phases: Phase[] = [
      { ms: history, rate, errorRatio: 0 },
      { ms: d + STEP_MS + parseDuration(SLO_TEST_EVALUATION_INTERVAL)!, rate, errorRatio: burn * budget },
    ];
    const input = sliInputSeries(spec, phases, prometheusMajor);
    if (!input) return;
    const expected = expectedAlerts(burn, d, true);
    if (!expected) return;
    cases.push({
      name: `${slo.id}: ${severity} alert fires within ${formatDuration(d)} at ${label} burn`,
      interval: SLO_TEST_INTERVAL,
      input_series: input,
      alert_rule_test: [
        { eval_time: formatDuration(history), alertname, exp_alerts: [] },
        { eval_time: formatDuration(history + d), alertname, exp_alerts: expected },
      ],
    });
  };
  const idle = sliInputSeries(spec, [{ ms: parseDuration(table.pageSlow.long)! + STEP_MS, rate: 0, errorRatio: 0 }], prometheusMajor);
  if (idle) {
    const at = formatDuration(parseDuration(table.pageSlow.long)!);
    const sliSeries = `{__name__=~"${SLO_SERIES.sliErrorPrefix}.+|${SLO_SERIES.currentBurnRate}", ${SLO_LABELS.id}="${slo.id}"}`;
    cases.push({
      name: `${slo.id}: zero traffic raises no alert${slo.options.zeroTrafficGuard ? ' and records no NaN' : ''}`,
      interval: SLO_TEST_INTERVAL,
      input_series: idle,
      alert_rule_test: [{ eval_time: at, alertname, exp_alerts: [] }],
      ...(slo.options.zeroTrafficGuard
        ? { promql_expr_test: [{ expr: `count(${sliSeries})`, eval_time: at, exp_samples: [] }] }
        : {}),
    });
  }

  firing(table.pageQuick, 'page', `${goFloat(table.pageQuick.factor)}×`);
  firing(table.pageSlow, 'page', `${goFloat(table.pageSlow.factor)}×`);
  firing(table.ticketQuick, 'ticket', `${goFloat(table.ticketQuick.factor)}×`);
  firing(table.ticketSlow, 'ticket', `${goFloat(table.ticketSlow.factor)}×`);

  const slowBurn = sliInputSeries(
    spec,
    [
      { ms: history, rate, errorRatio: 0 },
      { ms: history + STEP_MS, rate, errorRatio: 0.5 * budget },
    ],
    prometheusMajor,
  );
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
    const lowTraffic = sliInputSeries(
      spec,
      [
        { ms: history, rate: quiet, errorRatio: 0 },
        { ms: parseDuration(table.pageQuick.long)! + STEP_MS, rate: quiet, errorRatio: 1 },
      ],
      prometheusMajor,
    );
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
  const accuracy = efficientAccuracyCase(spec, slo, history, rate, prometheusMajor);
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
function efficientAccuracyCase(spec: Slo, slo: SlothSlo, history: number, rate: number, prometheusMajor: 2 | 3): PromtoolCase | undefined {
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
