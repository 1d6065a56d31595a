import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { kthenaRouterSlos } from '../src/content/kthena-router.ts';
import { toYaml } from '../src/emit/serialize.ts';
import type { MetricSpec } from '../src/model/catalog.ts';
import { sloServiceSpecSchema, type Matchers, type SloServiceSpec, type SloSpec } from '../src/model/slo.ts';
import { SLO_GROUPS, sliErrorRatio } from '../src/slo/names.ts';
import { slothSlos, type SlothSlo } from '../src/slo/sloth-slo.ts';
import { sliWindows } from '../src/slo/windows.ts';
import { countsEvents, efficientPlan } from '../src/slo/efficient-windows.ts';
import { sloRuleGroups } from '../generators/slo/index.ts';
import { slothPrometheusV1 } from '../generators/slo/sloth-spec.ts';
import { sloTestCases } from '../generators/slo/unit-tests.ts';
import type { OutputRuleGroup } from '../generators/prometheus-rules/envelopes.ts';
import { findBinary } from '../test/e2e/processes.ts';
import { NEVER, PhaseTimer, prometheusOverHistory, type PrometheusOverHistory } from './slo-history.ts';
import { isBlockGroup, stagesOf } from './slo-eval-rules.ts';
import { ruleGroups, scalarAt, unixSeconds } from './prometheus-api.ts';
import { CODES, SERVER_ERROR_RE, TRAFFIC_METRIC, jobOf, trafficSeries, type TrafficShape } from './slo-eval-traffic.ts';
import { median, type BenchSection } from './stats.ts';

/**
 * Grouped SLOs against one SLO per model, in two parts. Output: the bytes the bundled router SLOs write
 * (native rules, Sloth spec, promtool tests) as the served models grow, per model (`perModel`) or grouped
 * by `model`. Evaluation: one service serving 16 models, in one real Prometheus over backfilled history,
 * with three efficient-mode rule sets side by side — 16 per-model SLOs, one SLO grouped over all 16, one
 * grouped over 8 of them — timed by Prometheus itself; then each model's grouped windows against the exact
 * event counts of that model.
 */

const MODEL_COUNT = 16;
const HALF = 8;
const MODELS = Array.from({ length: MODEL_COUNT }, (_, i) => `model-${String(i + 1).padStart(2, '0')}`);
const STEP_SECONDS = 30;
const EVAL_SECONDS = 30;
/** The 3d window's oldest tile reads three days back. */
const HISTORY_HOURS = 73;
const HANDOVER_SECONDS = 420;
const LIVE_STEPS = 60;
const WATCH_SECONDS = 150;
const OUTPUT_SIZES = [1, 2, 4, 8, 16];
const TARGET_RELATIVE_ERROR = 0.01;
const JOB = jobOf(0);

const benchCounter: MetricSpec = {
  name: TRAFFIC_METRIC,
  type: 'counter',
  help: 'Bench requests.',
  unit: 'requests',
  labels: { model: { kind: 'bounded' }, code: { kind: 'bounded' }, job: { kind: 'bounded' }, instance: { kind: 'bounded' } },
};

type RuleSet = 'per-model' | 'grouped' | 'grouped-half';
const SERVICES: Record<RuleSet, string> = { 'per-model': 'bench-per-model', grouped: 'bench-grouped', 'grouped-half': 'bench-grouped-half' };

/** The availability SLO over the models `model` matches; grouped by `model` when `grouped`. */
function availability(name: string, model: string | { re: string } | undefined, grouped: boolean): SloSpec {
  const fixed: Matchers = model === undefined ? {} : { model };
  return {
    name,
    objective: 99.5,
    ...(grouped ? { groupBy: ['model'] } : {}),
    sli: {
      kind: 'ratio',
      errors: { metric: benchCounter, matchers: { job: JOB, ...fixed, code: { re: SERVER_ERROR_RE } } },
      total: { metric: benchCounter, matchers: { job: JOB, ...fixed } },
    },
    alerting: { name: 'BenchErrorBudgetBurn' },
  };
}

function service(set: RuleSet): SlothSlo[] {
  const slos: SloSpec[] =
    set === 'per-model'
      ? MODELS.map((m) => availability(m, m, false))
      : set === 'grouped'
        ? [availability('all', undefined, true)]
        : [availability('half', { re: MODELS.slice(0, HALF).join('|') }, true)];
  const spec: SloServiceSpec = { service: SERVICES[set], labels: { team: 'bench' }, options: { mode: 'efficient', scrapeInterval: `${STEP_SECONDS}s` }, slos };
  return slothSlos(sloServiceSpecSchema.parse(spec), 2);
}

/** Bytes of the native rules file, the Sloth spec and the promtool tests of one SLO service. */
function outputBytes(spec: SloServiceSpec): { rules: number; sloth: number; tests: number; alerts: number } {
  const parsed = sloServiceSpecSchema.parse(spec);
  const slos = slothSlos(parsed, 3);
  const groups = sloRuleGroups(slos);
  const tests = parsed.slos.flatMap((s, i) => sloTestCases(s, slos[i]!, 3));
  return {
    rules: Buffer.byteLength(toYaml({ groups })),
    sloth: Buffer.byteLength(toYaml(slothPrometheusV1(parsed.service, parsed.labels, slos))),
    tests: Buffer.byteLength(toYaml({ tests })),
    alerts: groups.flatMap((g) => g.rules.filter((r) => r.alert)).length,
  };
}

interface Evaluation {
  set: RuleSet;
  group: string;
  seconds: number[];
}

/** Every evaluation of the 30 s groups seen while polling `/api/v1/rules`, per group, the first one left out. */
async function watch(base: string, since: number, setOf: (file: string) => RuleSet | undefined): Promise<Evaluation[]> {
  const seen = new Map<string, Evaluation & { at: Set<string> }>();
  const deadline = Date.now() + WATCH_SECONDS * 1000;
  while (Date.now() < deadline) {
    for (const g of await ruleGroups(base)) {
      const set = setOf(g.file);
      if (!set || g.interval !== EVAL_SECONDS || g.lastEvaluation === NEVER || unixSeconds(g.lastEvaluation) < since) continue;
      const entry = seen.get(g.name) ?? { set, group: g.name, seconds: [], at: new Set<string>() };
      seen.set(g.name, entry);
      if (entry.at.has(g.lastEvaluation)) continue;
      entry.at.add(g.lastEvaluation);
      entry.seconds.push(g.evaluationTime);
    }
    await sleep(1000);
  }
  return [...seen.values()].map(({ at: _at, ...e }) => ({ ...e, seconds: e.seconds.slice(1) }));
}

/** One evaluation round of a rule set, ms: the sum over its groups of each group's median evaluation. */
function roundMs(evaluations: readonly Evaluation[], keep: (e: Evaluation) => boolean): number {
  return evaluations.filter((e) => keep(e) && e.seconds.length > 0).reduce((sum, e) => sum + median(e.seconds) * 1000, 0);
}

interface Accuracy {
  /** Per window: relative error of each model's ratio against its exact count, in each form. */
  grouped: Map<string, number[]>;
  perModel: Map<string, number[]>;
}

const countOf = (selector: string, range: string): string => `sum(${selector} - ${selector} offset ${range})`;

/** The timestamp of an SLO's latest evaluation, read from its shortest window's samples. */
async function evaluatedAt(base: string, slo: SlothSlo, window: string): Promise<number | undefined> {
  const group = (await ruleGroups(base)).find((g) => g.name === SLO_GROUPS.sli(slo.id));
  if (!group || group.lastEvaluation === NEVER) return undefined;
  return scalarAt(base, `max(timestamp(${sliErrorRatio(window)}{sloth_id="${slo.id}"}))`, unixSeconds(group.lastEvaluation));
}

/**
 * Each model's windows in both forms, each at its own SLO's latest evaluation (groups evaluate at their
 * own phase), against the exact event count of that model at that moment.
 */
async function measureAccuracy(base: string, grouped: SlothSlo, perModel: readonly SlothSlo[], windows: readonly string[]): Promise<Accuracy> {
  const result: Accuracy = { grouped: new Map(windows.map((w) => [w, []])), perModel: new Map(windows.map((w) => [w, []])) };
  const groupedAt = await evaluatedAt(base, grouped, windows[0]!);
  for (const [i, model] of MODELS.entries()) {
    const errors = `${TRAFFIC_METRIC}{job="${JOB}",model="${model}",code=~"${SERVER_ERROR_RE}"}`;
    const total = `${TRAFFIC_METRIC}{job="${JOB}",model="${model}"}`;
    const own = perModel[i]!;
    const ownAt = await evaluatedAt(base, own, windows[0]!);
    const forms: Array<[Map<string, number[]>, string, number | undefined]> = [
      [result.grouped, `{sloth_id="${grouped.id}",model="${model}"}`, groupedAt],
      [result.perModel, `{sloth_id="${own.id}"}`, ownAt],
    ];
    for (const [errorsOf, selector, at] of forms) {
      if (at === undefined) continue;
      for (const w of windows) {
        const [value, e, t] = await Promise.all([scalarAt(base, `${sliErrorRatio(w)}${selector}`, at), scalarAt(base, countOf(errors, w), at), scalarAt(base, countOf(total, w), at)]);
        if (value === undefined || e === undefined || !t) continue;
        errorsOf.get(w)!.push(Math.abs(value - e / t) / (e / t));
      }
    }
  }
  return result;
}

export async function benchSloGrouped(): Promise<BenchSection> {
  // Output bytes first: pure functions, no Prometheus.
  const outputs = OUTPUT_SIZES.map((n) => {
    const names = MODELS.slice(0, n);
    const perModel = outputBytes(kthenaRouterSlos({ perModel: Object.fromEntries(names.map((m) => [m, {}])) }).spec);
    const grouped = outputBytes(kthenaRouterSlos().spec);
    return { n, perModel, grouped };
  });

  const prometheusBinary = findBinary(['prometheus']);
  const promtool = findBinary(['promtool']);
  if (!prometheusBinary || !promtool) throw new Error('prometheus and promtool are needed: apt-get install -y prometheus');
  const work = mkdtempSync(join(tmpdir(), 'infermon-slo-grouped-'));
  const timer = new PhaseTimer('slo-grouped');
  let prometheus: PrometheusOverHistory | undefined;
  let succeeded = false;
  try {
    const handover = Math.ceil((Date.now() / 1000 + HANDOVER_SECONDS) / STEP_SECONDS) * STEP_SECONDS;
    const historySteps = (HISTORY_HOURS * 3600) / STEP_SECONDS + 1;
    const shape: TrafficShape = { slos: 1, models: MODELS, stepSeconds: STEP_SECONDS, startSeconds: handover - HISTORY_HOURS * 3600, steps: historySteps + LIVE_STEPS };
    const series = trafficSeries(shape);
    const sets: RuleSet[] = ['per-model', 'grouped', 'grouped-half'];
    const slos = Object.fromEntries(sets.map((s) => [s, service(s)])) as Record<RuleSet, SlothSlo[]>;
    const groups = Object.fromEntries(sets.map((s) => [s, sloRuleGroups(slos[s])])) as Record<RuleSet, OutputRuleGroup[]>;
    const files = Object.fromEntries(sets.map((s) => [s, join(work, `rules-${s}.yml`)])) as Record<RuleSet, string>;
    for (const s of sets) writeFileSync(files[s], toYaml({ groups: groups[s] }));
    const perSet = sets.map((s) => stagesOf(groups[s], `${EVAL_SECONDS}s`));
    const stages = Array.from({ length: Math.max(...perSet.map((p) => p.length)) }, (_, i) => perSet.flatMap((p) => p[i] ?? []));
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
      ruleFiles: sets.map((s) => files[s]),
      stages,
    });
    const base = prometheus.url;
    const setOf = (file: string): RuleSet | undefined => sets.find((s) => basename(file) === basename(files[s]));
    const evaluations = await timer.timed('watching rule evaluations', () => watch(base, handover, setOf));
    const windows = sliWindows(slos.grouped[0]!.windows, slos.grouped[0]!.period).slice(0, -1);
    const accuracy = await timer.timed('accuracy queries', () => measureAccuracy(base, slos.grouped[0]!, slos['per-model'], windows));
    succeeded = true;
    return section({ outputs, evaluations, slos, groups, accuracy, windows, phases: timer.phases, seamSeconds: prometheus.seamSeconds });
  } finally {
    await prometheus?.stop();
    if (succeeded) rmSync(work, { recursive: true, force: true });
    else process.stderr.write(`  slo-grouped: work directory kept for inspection: ${work}\n`);
  }
}

interface Results {
  outputs: Array<{ n: number; perModel: ReturnType<typeof outputBytes>; grouped: ReturnType<typeof outputBytes> }>;
  evaluations: Evaluation[];
  slos: Record<RuleSet, SlothSlo[]>;
  groups: Record<RuleSet, OutputRuleGroup[]>;
  accuracy: Accuracy;
  windows: string[];
  phases: Array<[string, number]>;
  seamSeconds: number;
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const ms = (x: number): string => `${x.toFixed(2)} ms`;
const pct = (x: number): string => (Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(3)} %`);

function section(r: Results): BenchSection {
  const total = (b: ReturnType<typeof outputBytes>): number => b.rules + b.sloth + b.tests;
  const first = r.outputs[0]!;
  const last = r.outputs[r.outputs.length - 1]!;
  const slope = (pick: (o: Results['outputs'][number]) => number): number => (pick(last) - pick(first)) / (last.n - first.n);

  const ofSlos = (ids: ReadonlySet<string>) => (e: Evaluation) => [...ids].some((id) => e.group.endsWith(`-${id}`) && !isBlockGroup(e.group));
  const ids = (slos: readonly SlothSlo[]) => new Set(slos.map((s) => s.id));
  const perModelAll = roundMs(r.evaluations, ofSlos(ids(r.slos['per-model'])));
  const perModelHalf = roundMs(r.evaluations, ofSlos(ids(r.slos['per-model'].slice(0, HALF))));
  const groupedAll = roundMs(r.evaluations, ofSlos(ids(r.slos.grouped)));
  const groupedHalf = roundMs(r.evaluations, ofSlos(ids(r.slos['grouped-half'])));
  const rules = (set: RuleSet) => r.groups[set].filter((g) => !isBlockGroup(g.name)).reduce((n, g) => n + g.rules.length, 0);
  const perModelSlope = (perModelAll - perModelHalf) / (MODEL_COUNT - HALF);
  const groupedSlope = (groupedAll - groupedHalf) / (MODEL_COUNT - HALF);
  const evaluationsSeen = r.evaluations.reduce((n, e) => n + e.seconds.length, 0);

  const stats = (values: readonly number[]) => ({ n: values.length, median: values.length ? median(values) : Number.NaN, max: values.length ? Math.max(...values) : Number.NaN });
  const counted = new Set(efficientPlan(r.slos.grouped[0]!).filter(countsEvents).map((p) => p.window));
  const errors = r.windows.map((w) => ({ w, counted: counted.has(w), grouped: stats(r.accuracy.grouped.get(w)!), perModel: stats(r.accuracy.perModel.get(w)!) }));
  const worst = Math.max(...errors.filter((e) => e.counted).map((e) => e.grouped.max).filter((x) => !Number.isNaN(x)));
  const lines = [
    `Output: the bundled router SLOs (\`kthenaRouterSlos\`: availability and latency, efficient mode) for 1 to ${MODEL_COUNT} served models, each model with its own SLOs ` +
      '(`perModel`, the former per-model copies) or the grouped SLOs alone (`groupBy: [\'model\']`). Bytes are the native rules file, the Sloth spec and the promtool ' +
      'tests as generated (the PrometheusRule copy of the rules adds about the rules\' size again).',
    '',
    '| models | per-model: rules | Sloth spec | tests | alerts | grouped: rules | Sloth spec | tests | alerts |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.outputs.map(
      (o) =>
        `| ${o.n} | ${kib(o.perModel.rules)} | ${kib(o.perModel.sloth)} | ${kib(o.perModel.tests)} | ${o.perModel.alerts} | ${kib(o.grouped.rules)} | ${kib(o.grouped.sloth)} | ${kib(o.grouped.tests)} | ${o.grouped.alerts} |`,
    ),
    '',
    `**Output per added model: per-model ${kib(slope((o) => total(o.perModel)))} (${(slope((o) => o.perModel.alerts)).toFixed(0)} alert rules), grouped ${kib(slope((o) => total(o.grouped)))} (${slope((o) => o.grouped.alerts).toFixed(0)}).**`,
    '',
    `Evaluation: one service serving ${MODEL_COUNT} models × ${CODES.length} status codes (${HISTORY_HOURS} h of history at a ${STEP_SECONDS} s scrape interval, the traffic model of the ` +
      'SLO evaluation bench below), one availability SLO in the efficient mode written three ways and loaded side by side into one Prometheus 2.42: ' +
      `${MODEL_COUNT} per-model SLOs (\`model="…"\`), one SLO grouped by \`model\` over all ${MODEL_COUNT} models, one grouped over ${HALF} of them (\`model=~"…"\`). The recordings the ` +
      'rules read back are evaluated over the history first and imported with it (as in the bench below); the measuring Prometheus then scrapes the traffic live' +
      `${r.seamSeconds > 0 ? ` (started ${r.seamSeconds.toFixed(0)} s late: a gap in the recordings)` : ''} and evaluates every ${EVAL_SECONDS} s. Cost is Prometheus' own ` +
      `\`evaluationTime\` per group, polled for ${WATCH_SECONDS} s (${evaluationsSeen} evaluations): per group the median after its first evaluation, summed over the ` +
      'groups of the SLOs (hourly block groups aside). Per added model: per-model, the SLOs of 16 models against those of the first 8; grouped, the SLO over 16 against the one over 8.',
    '',
    `| rule set | SLOs | rules (30 s groups) | cost per round, ${HALF} models | cost per round, ${MODEL_COUNT} models | cost per added model |`,
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    `| per-model SLOs | ${MODEL_COUNT} | ${rules('per-model')} | ${ms(perModelHalf)} | ${ms(perModelAll)} | ${ms(perModelSlope)} |`,
    `| grouped by model | 1 | ${rules('grouped')} | ${ms(groupedHalf)} | ${ms(groupedAll)} | ${ms(groupedSlope)} |`,
    '',
    `**Grouped / per-model at ${MODEL_COUNT} models = ${(groupedAll / perModelAll).toFixed(3)}**; per added model ${ms(groupedSlope)} against ${ms(perModelSlope)}.`,
    '',
    'Accuracy: every window but the period, for each of the 16 models, in both forms, each at its own SLO\'s latest evaluation, as relative error of the ' +
      'error ratio against the exact event count of that model at that moment (`sum(c - c offset w)` of its error and total counters). The 5m and 30m windows ' +
      'are Sloth\'s raw `rate()` queries in both forms (extrapolated, not counted); the longer ones are built from counts. The period adds up hourly blocks ' +
      'and is compared in the next section.',
    '',
    '| window | built from | models | grouped: median | max | per-model: median | max |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...errors.map(
      (e) => `| ${e.w} | ${e.counted ? 'counts' : 'raw query'} | ${e.grouped.n} | ${pct(e.grouped.median)} | ${pct(e.grouped.max)} | ${pct(e.perModel.median)} | ${pct(e.perModel.max)} |`,
    ),
    '',
    `**Largest error of a grouped window built from counts against its model's exact count: ${pct(worst)}** (target < ${(TARGET_RELATIVE_ERROR * 100).toFixed(0)} %): ` +
      `${worst < TARGET_RELATIVE_ERROR ? 'met' : 'NOT met'}.`,
    '',
    `Bench phases: ${r.phases.map(([p, t]) => `${p} ${(t / 1000).toFixed(1)} s`).join('; ')}.`,
  ];
  return { title: 'Grouped SLOs against per-model SLOs', body: lines.join('\n') };
}
