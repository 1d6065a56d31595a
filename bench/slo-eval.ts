import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { toYaml } from '../src/emit/serialize.ts';
import { parseDuration } from '../src/model/duration.ts';
import { countsEvents } from '../src/slo/efficient-windows.ts';
import { SLO_GROUPS, SLO_LABELS, blockRate, eventsRate, sliErrorRatio } from '../src/slo/names.ts';
import { PERIOD_BLOCK } from '../src/slo/windows.ts';
import { findBinary } from '../test/e2e/processes.ts';
import { ruleGroups, scalarAt, unixSeconds, type GroupState } from './prometheus-api.ts';
import { MODES, benchRules, errorQuery, errorSelector, isBlockGroup, totalQuery, totalSelector, type BenchRules, type Mode } from './slo-eval-rules.ts';
import { CODES, MODELS, trafficSeries, type TrafficShape } from './slo-eval-traffic.ts';
import { NEVER, PhaseTimer, prometheusOverHistory, type PrometheusOverHistory } from './slo-history.ts';
import { median, percentile, type BenchSection } from './stats.ts';

/**
 * Rule-evaluation cost of 50 SLOs in a real Prometheus: Sloth-identical rules against the `efficient`
 * mode, both loaded into one Prometheus over the same backfilled history, timed by Prometheus itself
 * (`/api/v1/rules` evaluation times). Then the efficient windows are compared with exact
 * `sum(increase(errors[w])) / sum(increase(total[w]))` at the same evaluation timestamps.
 *
 * Prometheus does not evaluate rules over history, so the recordings the long windows read (the 5m
 * ratios and event rates, then the efficient mode's hourly blocks) are evaluated over it first by a
 * scratch Prometheus, in two stages, and imported with the history into one TSDB, as an operator
 * backfilling either mode on existing data would. The measuring Prometheus then takes over where that
 * history ends: it scrapes the same traffic model live and evaluates both rule sets.
 */

const SLOS = 50;
const STEP_SECONDS = 30;
/** Every window but the period finds a full span of history (the 3d window's oldest tile reads 3 days back). */
const HISTORY_HOURS = 73;
/** kube-prometheus' evaluation interval, the same as the scrape interval. */
const EVAL_SECONDS = 30;
const WATCH_SECONDS = 150;
/** The first evaluation after start reads cold chunks; it is left out. */
const WARMUP_EVALUATIONS = 1;
/** How far ahead the history ends: time enough to evaluate and import the recordings before it. */
const HANDOVER_SECONDS = 420;
/** Steps the exporter can serve beyond the history (the rest of the bench must fit in them). */
const LIVE_STEPS = 60;
const TARGET = { costRatio: 0.5, relativeError: 0.01 };

interface Observed {
  group: string;
  mode: Mode;
  seconds: number;
  rules: Array<{ name: string; seconds: number }>;
}

/** Every distinct group evaluation seen while polling `/api/v1/rules` for `seconds`. */
async function watchEvaluations(
  base: string,
  seconds: number,
  since: number,
  modeOf: (g: GroupState) => Mode | undefined,
): Promise<Map<string, Observed[]>> {
  const seen = new Set<string>();
  const byGroup = new Map<string, Observed[]>();
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    for (const g of await ruleGroups(base)) {
      const mode = modeOf(g);
      if (!mode || g.lastEvaluation === NEVER || unixSeconds(g.lastEvaluation) < since) continue;
      const key = `${g.file}/${g.name}@${g.lastEvaluation}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const list = byGroup.get(g.name) ?? [];
      list.push({ group: g.name, mode, seconds: g.evaluationTime, rules: g.rules.map((r) => ({ name: r.name, seconds: r.evaluationTime })) });
      byGroup.set(g.name, list);
    }
    await sleep(1000);
  }
  return byGroup;
}

interface Cost {
  /** Sum over groups of each group's median evaluation time: one evaluation round, in ms. */
  roundMs: number;
  /** Median time per rule name, summed over the SLOs, in ms. */
  byRule: Map<string, number>;
  groups: number;
  evaluations: number;
}

function costOf(mode: Mode, observed: Map<string, Observed[]>, hourly: boolean): Cost {
  let roundMs = 0;
  let groups = 0;
  let evaluations = 0;
  const byRule = new Map<string, number>();
  for (const [name, list] of observed) {
    if (list[0]!.mode !== mode || isBlockGroup(name) !== hourly) continue;
    const kept = hourly ? list : list.slice(WARMUP_EVALUATIONS);
    if (kept.length === 0) continue;
    groups++;
    evaluations += kept.length;
    roundMs += median(kept.map((o) => o.seconds)) * 1000;
    kept[0]!.rules.forEach((rule, i) => {
      const ms = median(kept.map((o) => o.rules[i]?.seconds ?? 0)) * 1000;
      byRule.set(rule.name, (byRule.get(rule.name) ?? 0) + ms);
    });
  }
  return { roundMs, byRule, groups, evaluations };
}

interface WindowError {
  window: string;
  /** Efficient against the exact event count: counter deltas between the samples at the window's ends. */
  efficientVsCount: number[];
  /** Efficient against the raw query `sum(increase(errors[w])) / sum(increase(total[w]))`. */
  efficientVsQuery: number[];
  /** The same gap in burn-rate units (divided by the error budget). */
  efficientVsQueryBurn: number[];
  /** The same gap in error events (ratio gap × events in the window). */
  eventsApart: number[];
  /** The raw query (Sloth's window, the 30d one its average of 5m ratios) against the exact event count. */
  slothVsCount: number[];
}

const relative = (value: number | undefined, exact: number | undefined): number =>
  value === undefined || exact === undefined || exact === 0 ? Number.NaN : Math.abs(value - exact) / exact;

const inBurnRate = (value: number | undefined, exact: number | undefined, objective: number): number =>
  value === undefined || exact === undefined ? Number.NaN : Math.abs(value - exact) / ((100 - objective) / 100);

const queryRatio = (slo: number, range: string): string => `${errorQuery(slo, range).replace('rate(', 'increase(')} / ${totalQuery(slo, range).replace('rate(', 'increase(')}`;
interface Accuracy {
  rows: WindowError[];
  /** Seconds between where the first tile offset looks and the backfilled sample it finds (the bench's seam). */
  seams: number[];
}

/** Events between the latest samples at the window's ends (the bench's counters never reset). */
const countOf = (selector: string, range: string): string => `sum(${selector} - ${selector} offset ${range})`;

async function measureAccuracy(base: string, rules: BenchRules, historyStart: number): Promise<Accuracy> {
  const groups = new Map((await ruleGroups(base)).map((g) => [g.name, g]));
  const period = rules.windows[rules.windows.length - 1]!;
  const rows: WindowError[] = rules.windows.map((window) => ({ window, efficientVsCount: [], efficientVsQuery: [], efficientVsQueryBurn: [], eventsApart: [], slothVsCount: [] }));
  const seams: number[] = [];
  const tiles = rules.plan.find((p) => p.source.kind === 'tiles')?.source;
  const tileBase = tiles?.kind === 'tiles' ? tiles.base : undefined;
  const row = (w: string): WindowError => rows.find((r) => r.window === w)!;
  const record = (r: WindowError, value: number | undefined, query: number | undefined, count: number | undefined, events: number | undefined, objective: number): void => {
    r.efficientVsCount.push(relative(value, count));
    r.efficientVsQuery.push(relative(value, query));
    r.efficientVsQueryBurn.push(inBurnRate(value, query, objective));
    if (value !== undefined && query !== undefined && events !== undefined) r.eventsApart.push(Math.abs(value - query) * events);
  };
  const tasks = rules.slos.efficient.map((slo, i) => async () => {
    const group = groups.get(SLO_GROUPS.sli(slo.id));
    if (!group || group.lastEvaluation === NEVER) return;
    const sel = `{sloth_id="${slo.id}"}`;
    // Samples carry the scheduled evaluation time; lastEvaluation is when the work began, a little later.
    const at = await scalarAt(base, `timestamp(${sliErrorRatio(rules.windows[0]!)}${sel})`, unixSeconds(group.lastEvaluation));
    if (at === undefined) return;
    if (tileBase) {
      const found = await scalarAt(base, `timestamp(${eventsRate(tileBase)}{${SLO_LABELS.events}="total",sloth_id="${slo.id}"} offset ${tileBase})`, at);
      if (found !== undefined) seams.push(at - parseDuration(tileBase)! / 1000 - found);
    }
    // Counts since the history began: the counters' sums then and at `time`.
    const sinceStart = async (time: number): Promise<{ errors?: number; total?: number }> => {
      const [e0, t0, e1, t1] = await Promise.all([
        scalarAt(base, `sum(${errorSelector(i)})`, historyStart),
        scalarAt(base, `sum(${totalSelector(i)})`, historyStart),
        scalarAt(base, `sum(${errorSelector(i)})`, time),
        scalarAt(base, `sum(${totalSelector(i)})`, time),
      ]);
      return e0 === undefined || t0 === undefined || e1 === undefined || t1 === undefined ? {} : { errors: e1 - e0, total: t1 - t0 };
    };
    for (const window of rules.windows.slice(0, -1)) {
      const value = await scalarAt(base, `${sliErrorRatio(window)}${sel}`, at);
      const query = await scalarAt(base, queryRatio(i, window), at);
      // A window longer than the history counts from its first sample.
      const { errors, total } =
        parseDuration(window)! / 1000 < at - historyStart
          ? { errors: await scalarAt(base, countOf(errorSelector(i), window), at), total: await scalarAt(base, countOf(totalSelector(i), window), at) }
          : await sinceStart(at);
      const count = errors !== undefined && total ? errors / total : undefined;
      record(row(window), value, query, count, total, slo.objective);
      row(window).slothVsCount.push(relative(query, count));
    }
    // The period window adds up hourly blocks: compare it with the hours the blocks cover.
    // Blocks are an hour apart, beyond an instant query's lookback: take the newest sample's time from a subquery.
    const blocks = `${blockRate(eventsRate(PERIOD_BLOCK))}{${SLO_LABELS.events}="total",sloth_id="${slo.id}"}`;
    const lastBlock = await scalarAt(base, `max_over_time(timestamp(${blocks})[2h:1m])`, at);
    // A block evaluated live overlaps a backfilled one (a seam of the bench, not of the mode): skip those SLOs.
    const liveBlocks = groups.get(SLO_GROUPS.blocks(slo.id));
    if (lastBlock !== undefined && liveBlocks !== undefined && liveBlocks.lastEvaluation === NEVER) {
      const value = await scalarAt(base, `${sliErrorRatio(period)}${sel}`, at);
      const query = await scalarAt(base, queryRatio(i, `${Math.round(lastBlock - historyStart)}s`), lastBlock);
      const { errors, total } = await sinceStart(lastBlock);
      record(row(period), value, query, errors !== undefined && total ? errors / total : undefined, total, slo.objective);
    }

    const slothSlo = rules.slos.sloth[i]!;
    const slothGroup = groups.get(SLO_GROUPS.sli(slothSlo.id));
    if (!slothGroup || slothGroup.lastEvaluation === NEVER) return;
    const slothSel = `{sloth_id="${slothSlo.id}"}`;
    const slothAt = await scalarAt(base, `timestamp(${sliErrorRatio(period)}${slothSel})`, unixSeconds(slothGroup.lastEvaluation));
    if (slothAt === undefined) return;
    const slothValue = await scalarAt(base, `${sliErrorRatio(period)}${slothSel}`, slothAt);
    const { errors, total } = await sinceStart(slothAt);
    row(period).slothVsCount.push(relative(slothValue, errors !== undefined && total ? errors / total : undefined));
  });
  // A few queries at a time: enough to finish quickly, few enough not to disturb the timings already taken.
  const queue = [...tasks];
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let task = queue.shift(); task; task = queue.shift()) await task();
  }));
  return { rows, seams };
}

const pct = (x: number): string => (Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(3)} %`);
const burn = (values: readonly number[]): string => {
  const ok = values.filter((v) => !Number.isNaN(v));
  return ok.length ? Math.max(...ok).toFixed(4) : 'n/a';
};
const ms = (x: number): string => `${x.toFixed(1)} ms`;

function errorStats(values: readonly number[]): { median: number; p95: number; max: number; n: number } {
  const ok = values.filter((v) => !Number.isNaN(v));
  if (ok.length === 0) return { median: Number.NaN, p95: Number.NaN, max: Number.NaN, n: 0 };
  return { median: median(ok), p95: percentile(ok, 95), max: Math.max(...ok), n: ok.length };
}

export async function benchSloEval(): Promise<BenchSection> {
  const prometheusBinary = findBinary(['prometheus']);
  const promtool = findBinary(['promtool']);
  if (!prometheusBinary || !promtool) throw new Error('prometheus and promtool are needed: apt-get install -y prometheus');
  const work = mkdtempSync(join(tmpdir(), 'infermon-slo-eval-'));
  const timer = new PhaseTimer('slo-eval');
  let prometheus: PrometheusOverHistory | undefined;
  let succeeded = false;
  try {
    // History runs up to a moment shortly ahead: the measuring Prometheus starts before it and takes over
    // (scrapes and rule evaluations) from there, so the recordings have no seam.
    const handover = Math.ceil((Date.now() / 1000 + HANDOVER_SECONDS) / STEP_SECONDS) * STEP_SECONDS;
    const historySteps = (HISTORY_HOURS * 3600) / STEP_SECONDS + 1;
    const shape: TrafficShape = { slos: SLOS, stepSeconds: STEP_SECONDS, startSeconds: handover - HISTORY_HOURS * 3600, steps: historySteps + LIVE_STEPS };
    const series = trafficSeries(shape);
    const rules = benchRules(SLOS, `${EVAL_SECONDS}s`);
    const files = { sloth: join(work, 'rules-sloth.yml'), efficient: join(work, 'rules-efficient.yml') };
    for (const mode of MODES) writeFileSync(files[mode], toYaml({ groups: rules.groups[mode] }));
    prometheus = await prometheusOverHistory({
      prometheusBinary,
      promtool,
      work,
      timer,
      series,
      shape,
      historySteps,
      handover,
      evalSeconds: EVAL_SECONDS,
      ruleFiles: [files.sloth, files.efficient],
      stages: rules.backfillStages,
    });
    const modeOf = (g: GroupState): Mode | undefined => MODES.find((m) => basename(g.file) === basename(files[m]));
    const observed = await timer.timed('watching rule evaluations', () => watchEvaluations(prometheus!.url, WATCH_SECONDS, handover, modeOf));
    const accuracy = await timer.timed('accuracy queries', () => measureAccuracy(prometheus!.url, rules, shape.startSeconds));
    succeeded = true;
    return section({
      rules,
      observed,
      accuracy,
      samples: prometheus.samples,
      series: series.length,
      phases: timer.phases,
      totalPhases: timer.total(),
      seamSeconds: prometheus.seamSeconds,
    });
  } finally {
    await prometheus?.stop();
    if (succeeded) rmSync(work, { recursive: true, force: true });
    else process.stderr.write(`  slo-eval: work directory kept for inspection: ${work}\n`);
  }
}

interface Results {
  rules: BenchRules;
  observed: Map<string, Observed[]>;
  accuracy: Accuracy;
  samples: number;
  series: number;
  phases: Array<[string, number]>;
  totalPhases: number;
  /** Seconds between the end of the history and the measuring Prometheus' start (0: no gap). */
  seamSeconds: number;
}

/** How the efficient mode builds a window: `raw query`, `raw counts`, `3 × 2h`, `1h blocks` (the period). */
function sourceOf(rules: BenchRules, window: string): string {
  const plan = rules.plan.find((p) => p.window === window);
  if (!plan) return `${PERIOD_BLOCK} blocks`;
  if (plan.source.kind === 'tiles') return `${plan.source.count} × ${plan.source.base}`;
  return countsEvents(plan) ? 'raw counts' : 'raw query';
}

function section(r: Results): BenchSection {
  const sloth = costOf('sloth', r.observed, false);
  const efficient = costOf('efficient', r.observed, false);
  const hourly = costOf('efficient', r.observed, true);
  const ratio = efficient.roundMs / sloth.roundMs;
  const period = r.rules.windows[r.rules.windows.length - 1]!;
  const errorRows = r.accuracy.rows.map((w) => ({
    w,
    count: errorStats(w.efficientVsCount),
    query: errorStats(w.efficientVsQuery),
    sloth: errorStats(w.slothVsCount),
    events: errorStats(w.eventsApart),
  }));
  const counted = new Set([...r.rules.plan.filter(countsEvents).map((p) => p.window), period]);
  const derived = errorRows.filter((x) => counted.has(x.w.window));
  const worst = Math.max(...derived.map((x) => x.count.max).filter((x) => !Number.isNaN(x)));
  const worstQuery = derived.reduce((a, b) => (b.query.max > a.query.max ? b : a));
  const ruleNames = [...new Set([...sloth.byRule.keys(), ...efficient.byRule.keys()])].filter((n) => n.startsWith('slo:sli_'));
  const costPass = ratio <= TARGET.costRatio;
  const errorPass = worst < TARGET.relativeError;
  const lines = [
    `${SLOS} SLOs × 2 modes in one Prometheus 2.42 (\`prometheus\` from Debian). Each SLO counts requests on ${MODELS.length} models × ${CODES.length} status codes ` +
      `(${r.series} counter series in all, ${HISTORY_HOURS} h of history at a ${STEP_SECONDS} s scrape interval); traffic follows a daily cycle with per-minute noise, ` +
      'and 5xx incidents of 10–40 min hit some 3-hour slots, at high or at low traffic.',
    '',
    'Setup: the history is evaluated by a scratch Prometheus for the recordings rules read back in time (Sloth\'s 5m ratios; the efficient event rates of the ' +
      `windows that tile longer ones, stage by stage, and its hourly blocks), every rule as a range query at its group's interval and at the timestamps a live ` +
      `Prometheus gives that group; history and recordings (${(r.samples / 1e6).toFixed(2)} M samples) go through ` +
      '`promtool tsdb create-blocks-from openmetrics` into one TSDB. The measuring Prometheus starts on it with both rule sets — Sloth-identical (service `bench-sloth`) and ' +
      `efficient (service \`bench-efficient\`), the same SLIs — evaluating every ${EVAL_SECONDS} s, and scrapes the same traffic model live from where the history ends` +
      `${r.seamSeconds > 0 ? ` (it started ${r.seamSeconds.toFixed(0)} s after that point: a gap in the recordings)` : ' (no gap)'}. ` +
      `Cost is Prometheus' own \`evaluationTime\` per group from \`/api/v1/rules\`, polled every second for ${WATCH_SECONDS} s: per group the median of its evaluations ` +
      `after the first, summed per mode. With ${HISTORY_HOURS} h of data the 30d windows scan the whole history: Sloth's reads ${HISTORY_HOURS} h of 5m ratios, ` +
      'less than 30 days would.',
    '',
    '| rule set | groups | evaluations | cost per evaluation round (median) |',
    '| --- | ---: | ---: | ---: |',
    `| Sloth-identical | ${sloth.groups} | ${sloth.evaluations} | ${ms(sloth.roundMs)} |`,
    `| efficient | ${efficient.groups} | ${efficient.evaluations} | ${ms(efficient.roundMs)} |`,
    `| efficient hourly blocks (1h interval) | ${hourly.groups} | ${hourly.evaluations} | ${
      hourly.groups ? `${ms((hourly.roundMs / hourly.groups) * SLOS)} per hour for all ${SLOS} (from the ${hourly.groups} due during the watch)` : 'none due during the watch'
    } |`,
    '',
    `**efficient / Sloth = ${ratio.toFixed(3)}** (target ≤ ${TARGET.costRatio}): ${costPass ? 'met' : 'NOT met'}.`,
    '',
    'Where the time goes (median per rule, summed over the 50 SLOs):',
    '',
    '| recording | Sloth-identical | efficient |',
    '| --- | ---: | ---: |',
    ...ruleNames.map((n) => `| \`${n}\` | ${sloth.byRule.has(n) ? ms(sloth.byRule.get(n)!) : '—'} | ${efficient.byRule.has(n) ? ms(efficient.byRule.get(n)!) : '—'} |`),
    '',
    'Accuracy: each efficient window at an evaluation timestamp, per SLO, as relative error of the error ratio, against two references: the exact count ' +
      '(`sum(c - c offset w)` of the error and total counters: every event between the latest samples at the window\'s two ends; the bench\'s counters never ' +
      'reset) and the raw query `sum(increase(errors[w])) / sum(increase(total[w]))` that Sloth evaluates for every window but the period. ' +
      `The ${period} window is compared over the hours its blocks cover (it trails by at most one ${PERIOD_BLOCK} block by design); ` +
      `Sloth's ${period} (a time average of 5m ratios) is shown against the exact count in the last column.`,
    '',
    '| window | built from | SLOs | efficient vs exact count: median | max | efficient vs raw query: median | p95 | max | max in burn rate | max in error events | raw query vs exact count: max |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...errorRows.map(
      ({ w, count, query, sloth, events }) =>
        `| ${w.window} | ${sourceOf(r.rules, w.window)} | ${count.n} | ${pct(count.median)} | ${pct(count.max)} | ${pct(query.median)} | ${pct(query.p95)} | ${pct(query.max)} | ` +
        `${burn(w.efficientVsQueryBurn)} | ${Number.isNaN(events.max) ? 'n/a' : events.max.toFixed(1)} | ${pct(sloth.max)} |`,
    ),
    '',
    `**Largest error of an efficient window built from counts against the exact count: ${pct(worst)}** (target < ${(TARGET.relativeError * 100).toFixed(0)} %): ${errorPass ? 'met' : 'NOT met'}. ` +
      `Raw counts read one scrape interval (${STEP_SECONDS} s) further back than their window, so they start on the sample the window starts from, and tiles meet ` +
      'at evaluation timestamps: together they count exactly the events between the samples at the ends of their span. The raw query estimates instead: `increase()` extrapolates from its first sample to the start of the range at the average rate, ' +
      'so it misses or adds part of the scrape interval at the window\'s start (last column); when that interval falls on the edge of an incident it holds ' +
      `hundreds of errors. Against that query the windows built from counts differ by at most ${pct(worstQuery.query.max)} ` +
      `(${worstQuery.w.window}; ${Number.isNaN(worstQuery.events.max) ? 'n/a' : worstQuery.events.max.toFixed(0)} error events), ` +
      `by ${pct(Math.max(...derived.map((x) => x.query.p95).filter((x) => !Number.isNaN(x))))} at most at the 95th percentile. ` +
      'The other windows are the raw query itself. The burn-rate column sets the gap against the alert thresholds (14.4 and 6 for ' +
      'pages, 3 and 1 for tickets). ' +
      (r.accuracy.seams.length
        ? `The first tile offset of each SLO found its backfilled sample ${(median(r.accuracy.seams) * 1000).toFixed(0)} ms (median; ` +
          `${(Math.min(...r.accuracy.seams) * 1000).toFixed(0)}–${(Math.max(...r.accuracy.seams) * 1000).toFixed(0)} ms) before the live timestamp it looks for: ` +
          'live and backfilled tiles overlap by that much.'
        : ''),
    '',
    `Bench phases (${(r.totalPhases / 1000).toFixed(0)} s in all): ${r.phases.map(([p, t]) => `${p} ${(t / 1000).toFixed(1)} s`).join('; ')}.`,
  ];
  return { title: 'SLO rule evaluation: Sloth-identical vs efficient', body: lines.join('\n') };
}
