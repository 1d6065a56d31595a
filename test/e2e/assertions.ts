import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { dashboardQueries } from '../../generators/grafana/index.ts';
import { RECORDING_RULES_SOURCE } from '../../src/model/catalog-index.ts';
import type { Plan } from '../../src/plan/index.ts';
import { selectors } from '../../src/promql/analyze.ts';
import { substituteVariables } from '../../src/promql/parse.ts';
import { instantQuery, labelValues, metricNames, prometheusRuleGroups, prometheusTargets } from './http-api.ts';
import type { RunningStack } from './stack.ts';

/**
 * Checks against the live Prometheus: targets, loaded rules, every recording rule and every dashboard
 * query. A query without data is a failure unless it reads a source that does not run on the bench or a
 * conditional family nothing on the bench exposes; those are skipped with the reason.
 */

export type Outcome = 'pass' | 'fail' | 'skip' | 'warn';

export interface CheckResult {
  area: string;
  name: string;
  outcome: Outcome;
  detail: string;
  series?: number;
}

export interface GeneratedRule {
  file: string;
  group: string;
  /** Position in its group. */
  index: number;
  record?: string;
  alert?: string;
  expr: string;
  labels: Record<string, string>;
}

/** Every rule of the generated rule files, as written. */
export function generatedRules(ruleFiles: readonly string[]): GeneratedRule[] {
  return ruleFiles.flatMap((file) => {
    const doc = parseYaml(readFileSync(file, 'utf8')) as { groups?: Array<{ name: string; rules: Array<Omit<GeneratedRule, 'file' | 'group'>> }> };
    return (doc.groups ?? []).flatMap((g) =>
      g.rules.map((r, index) => ({ file: basename(file), group: g.name, index, record: r.record, alert: r.alert, expr: String(r.expr), labels: r.labels ?? {} })),
    );
  });
}

/** Why a query may have no data on the bench, or undefined when it should have data. */
export class Exercise {
  private readonly recording: GeneratedRule[];

  constructor(
    private readonly model: Plan,
    private readonly scrapedSources: ReadonlySet<string>,
    private readonly exposed: ReadonlySet<string>,
    rules: readonly GeneratedRule[],
    /** Why Prometheus has not evaluated a rule yet, for rules it has not. */
    readonly notEvaluated: ReadonlyMap<GeneratedRule, string>,
  ) {
    this.recording = rules.filter((r) => r.record);
  }

  /** Rules recording a selector's series: same name, static labels not contradicting its equality matchers. */
  private recordersOf(selector: ReturnType<typeof selectors>[number]): GeneratedRule[] {
    return this.recording.filter(
      (r) => r.record === selector.metric && selector.matchers.every((m) => m.op !== '=' || r.labels[m.label] === undefined || r.labels[m.label] === m.value),
    );
  }

  reasonsForNoData(expr: string, seen = new Set<GeneratedRule>()): string[] {
    const reasons = new Set<string>();
    for (const selector of selectors(expr)) {
      const name = selector.metric;
      const found = this.model.catalog.lookupSeries(name);
      if (!found) continue;
      const { metric } = found;
      if (metric.source === RECORDING_RULES_SOURCE) {
        for (const rule of this.recordersOf(selector)) {
          if (seen.has(rule)) continue;
          seen.add(rule);
          const pending = this.notEvaluated.get(rule);
          if (pending) reasons.add(`reads ${name}, recorded by group ${rule.group}, which ${pending}`);
          for (const r of this.reasonsForNoData(rule.expr, seen)) reasons.add(r);
        }
        continue;
      }
      if (metric.source && !this.scrapedSources.has(metric.source) && !this.exposed.has(name))
        reasons.add(`reads ${name} of source ${metric.source}, which does not run on the bench`);
      else if (metric.conditional && !this.exposed.has(name)) reasons.add(`reads ${name}, exposed only when ${metric.conditional}; nothing on the bench does`);
    }
    return [...reasons];
  }
}

/** Group intervals no live-loop run outlasts. */
const LONGER_THAN_A_RUN_S = 1800;

/** Rules Prometheus has not evaluated yet: groups whose interval is longer than the run so far. */
async function notEvaluatedRules(stack: Pick<RunningStack, 'prometheusUrl'>, rules: readonly GeneratedRule[]): Promise<Map<GeneratedRule, string>> {
  const groups = new Map((await prometheusRuleGroups(stack.prometheusUrl)).map((g) => [g.name, g]));
  const result = new Map<GeneratedRule, string>();
  for (const rule of rules) {
    const group = groups.get(rule.group);
    const loaded = group?.rules[rule.index];
    if (!group || !loaded) continue;
    if (Date.parse(loaded.lastEvaluation) <= 0) result.set(rule, `evaluates every ${group.interval}s and has not been evaluated yet in this run`);
    // Longer than a run: evaluated at most once, maybe before the load reached what it reads.
    else if (group.interval >= LONGER_THAN_A_RUN_S) result.set(rule, `evaluates every ${group.interval}s, so at most once in this run, maybe before the load`);
  }
  return result;
}

export async function exerciseOf(
  stack: Pick<RunningStack, 'model' | 'scrapedSources' | 'prometheusUrl'> & { pushedSources?: readonly string[] },
  rules: readonly GeneratedRule[],
): Promise<Exercise> {
  const onBench = new Set([...stack.scrapedSources, ...(stack.pushedSources ?? [])]);
  return new Exercise(stack.model, onBench, await metricNames(stack.prometheusUrl), rules, await notEvaluatedRules(stack, rules));
}

export async function checkTargets(stack: RunningStack): Promise<CheckResult[]> {
  const targets = await prometheusTargets(stack.prometheusUrl);
  const results: CheckResult[] = targets.map((t) => ({
    area: 'targets',
    name: `${t.labels.job} ${t.labels.instance}`,
    outcome: t.health === 'up' ? 'pass' : 'fail',
    detail: t.health === 'up' ? 'up' : `${t.health}: ${t.lastError}`,
  }));
  const jobs = new Set(targets.map((t) => t.labels.job));
  for (const name of stack.scrapedSources) {
    const job = stack.model.catalog.source(name)?.job;
    if (!job || !jobs.has(job)) results.push({ area: 'targets', name, outcome: 'fail', detail: `no scrape job ${job ?? '?'} for source ${name}` });
  }
  return results;
}

/** Prometheus loaded every generated rule, and none fails to evaluate. */
export async function checkRulesLoaded(stack: RunningStack, rules: readonly GeneratedRule[]): Promise<CheckResult[]> {
  const loaded = (await prometheusRuleGroups(stack.prometheusUrl)).flatMap((g) => g.rules.map((r) => ({ ...r, group: g.name })));
  const results: CheckResult[] = [
    {
      area: 'rules',
      name: 'loaded',
      outcome: loaded.length === rules.length ? 'pass' : 'fail',
      detail: `${loaded.length} of ${rules.length} generated rules loaded from ${stack.ruleFiles.length} files`,
    },
  ];
  for (const r of loaded.filter((x) => x.health === 'err'))
    results.push({ area: 'rules', name: `${r.group}/${r.name}`, outcome: 'fail', detail: `evaluation error: ${r.lastError ?? ''}` });
  return results;
}

function selectorFor(rule: GeneratedRule): string {
  const matchers = Object.entries(rule.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${rule.record}{${matchers.join(',')}}`;
}

export async function checkRecordingRules(stack: RunningStack, rules: readonly GeneratedRule[], exercise: Exercise): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const rule of rules.filter((r) => r.record)) {
    const stored = selectorFor(rule);
    const name = `${rule.file} ${rule.group} ${stored}`;
    // What the rule yields now, and what Prometheus recorded under its name and labels.
    const series = (await instantQuery(stack.prometheusUrl, rule.expr)).length;
    // A group evaluated once long ago (an hourly one) holds a sample older than the lookback: read the run's hour.
    const recorded = (await instantQuery(stack.prometheusUrl, `last_over_time(${stored}[1h])`)).length;
    const pending = exercise.notEvaluated.get(rule);
    if (pending && recorded === 0) {
      results.push({ area: 'recording rule', name, outcome: 'skip', detail: `its group ${pending} (its expression yields ${series} series now)`, series });
      continue;
    }
    if (series > 0 && recorded > 0) {
      results.push({ area: 'recording rule', name, outcome: 'pass', detail: `${series} series`, series });
      continue;
    }
    if (series > 0) {
      results.push({ area: 'recording rule', name, outcome: 'fail', detail: `its expression yields ${series} series, but none is stored as ${stored}`, series });
      continue;
    }
    const reasons = exercise.reasonsForNoData(rule.expr);
    results.push(
      reasons.length > 0
        ? { area: 'recording rule', name, outcome: 'skip', detail: reasons.join('; '), series }
        : { area: 'recording rule', name, outcome: 'fail', detail: `no series, though every metric it reads is on the bench: ${rule.expr}`, series },
    );
  }
  return results;
}

/** Values Grafana gives its own variables, chosen for a 2 s scrape interval. */
const GRAFANA_GLOBALS: Record<string, string> = {
  __rate_interval: '1m',
  __rate_interval_ms: '60000',
  __interval: '30s',
  __interval_ms: '30000',
  __range: '5m',
  __range_s: '300',
  __range_ms: '300000',
};

/**
 * The query as Grafana would send it: its own variables by their values, a dashboard variable inside a
 * regex matcher by `.*` (the "All" value), inside an equality matcher by a real value of that label.
 */
export async function substituted(expr: string, prometheusUrl: string): Promise<string> {
  const { variables } = substituteVariables(expr);
  let text = expr;
  for (const v of [...variables].sort((a, b) => b.from - a.from)) {
    let value = GRAFANA_GLOBALS[v.name];
    if (value === undefined) {
      if (!v.inString) throw new Error(`no value for $${v.name} outside a label matcher`);
      const matcher = /([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*"[^"]*$/.exec(expr.slice(0, v.from));
      if (!matcher) throw new Error(`$${v.name} is in a string that is no label matcher`);
      if (matcher[2] === '=~' || matcher[2] === '!~') value = '.*';
      else value = (await labelValues(prometheusUrl, matcher[1]!))[0] ?? '';
    }
    text = text.slice(0, v.from) + value + text.slice(v.to);
  }
  return text;
}

/** Every panel query at `at` (epoch milliseconds, now when left out) has data, unless the bench explains why not. */
export async function checkDashboards(stack: Pick<RunningStack, 'model' | 'prometheusUrl'>, exercise: Exercise, at?: number): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const q of dashboardQueries(stack.model)) {
    const name = `${q.dashboard} / ${q.panel}: ${q.expr}`;
    let query: string;
    try {
      query = await substituted(q.expr, stack.prometheusUrl);
    } catch (err) {
      results.push({ area: 'dashboard', name, outcome: 'fail', detail: (err as Error).message });
      continue;
    }
    let series: number;
    try {
      series = (await instantQuery(stack.prometheusUrl, query, at)).length;
    } catch (err) {
      results.push({ area: 'dashboard', name, outcome: 'fail', detail: `query rejected: ${(err as Error).message}` });
      continue;
    }
    if (series > 0) {
      results.push({ area: 'dashboard', name, outcome: 'pass', detail: `${series} series`, series });
      continue;
    }
    const reasons = exercise.reasonsForNoData(q.expr);
    results.push(
      reasons.length > 0
        ? { area: 'dashboard', name, outcome: 'skip', detail: reasons.join('; '), series }
        : { area: 'dashboard', name, outcome: 'fail', detail: `no data, though every metric it reads is on the bench (sent: ${query})`, series },
    );
  }
  return results;
}

/** The conditional families the bench means to exercise are really scraped. */
export async function checkExposed(stack: RunningStack, families: ReadonlyArray<{ name: string; type: string; why: string }>): Promise<CheckResult[]> {
  const names = await metricNames(stack.prometheusUrl);
  return families.map((m) => {
    const series = m.type === 'histogram' ? `${m.name}_bucket` : m.name;
    return {
      area: 'conditional families',
      name: series,
      outcome: names.has(series) ? 'pass' : 'fail',
      detail: names.has(series) ? `scraped (${m.why})` : `not scraped, though ${m.why}`,
    };
  });
}
