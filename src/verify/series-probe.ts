import { RECORDING_RULES_SOURCE } from '../model/catalog-index.ts';
import type { Model } from '../model/model.ts';
import { selectorsIn, toExpr, walk, type SelectorExpr } from '../promql/ast.ts';
import { parsePromQL } from '../promql/parse.ts';
import type { Severity } from './findings.ts';
import type { LoadedRule, PrometheusApi } from './prometheus-api.ts';

/**
 * Whether the series a query selects exist in Prometheus, and when they do not, why: a family that is
 * conditional, a rule group not evaluated yet, pushed series nothing has pushed, a matcher on a label the
 * series lack or a job nothing scrapes. Counts are cached by selector, since queries share selectors.
 */

export type Verdict = { severity: 'data' } | { severity: Severity; reason: string };

const RANK: Record<Verdict['severity'], number> = { data: 0, note: 1, warning: 2, problem: 3 };

function worst(verdicts: readonly Verdict[]): Verdict {
  return verdicts.reduce<Verdict>((a, b) => (RANK[b.severity] > RANK[a.severity] ? b : a), { severity: 'data' });
}

function reasonsOf(verdicts: readonly Verdict[], severity: Verdict['severity']): string[] {
  return [...new Set(verdicts.flatMap((v) => (v.severity === severity && 'reason' in v ? [v.reason] : [])))];
}

/** The worst verdict, its reason joined from every verdict as bad. */
export function combined(verdicts: readonly Verdict[]): Verdict {
  const top = worst(verdicts);
  return top.severity === 'data' ? top : { severity: top.severity, reason: reasonsOf(verdicts, top.severity).join('; ') };
}

interface Matcher {
  label: string;
  op: string;
  value: string;
}

function selectorText(metric: string, matchers: readonly Matcher[]): string {
  return `${metric}{${matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`).join(', ')}}`;
}

/**
 * The selectors whose series must exist for the query to mean anything. Selectors inside `absent()` are
 * left out: their absence is what such an alert reports.
 */
export function probedSelectors(expr: string): SelectorExpr[] {
  const parsed = parsePromQL(expr);
  if (parsed.error) throw new Error(`does not parse: ${parsed.error.reason}`);
  const root = toExpr(parsed);
  const insideAbsent = new Set(
    walk(root).flatMap((n) => (n.kind === 'call' && (n.fn === 'absent' || n.fn === 'absent_over_time') ? selectorsIn(n) : [])),
  );
  return selectorsIn(root).filter((s) => !insideAbsent.has(s));
}

const MAX_RULE_DEPTH = 4;

export class SeriesProbe {
  private readonly counts = new Map<string, Promise<number>>();
  private recordingRules?: Promise<Map<string, Array<LoadedRule & { group: string; interval: number }>>>;

  constructor(
    private readonly api: PrometheusApi,
    private readonly model: Model,
  ) {}

  private count(selector: string): Promise<number> {
    let n = this.counts.get(selector);
    if (!n) {
      n = this.api.count(selector);
      this.counts.set(selector, n);
    }
    return n;
  }

  private rulesRecording(name: string) {
    this.recordingRules ??= this.api.ruleGroups().then((groups) => {
      const byName = new Map<string, Array<LoadedRule & { group: string; interval: number }>>();
      for (const g of groups)
        for (const r of g.rules)
          if (r.type === 'recording') byName.set(r.name, [...(byName.get(r.name) ?? []), { ...r, group: g.name, interval: g.interval }]);
      return byName;
    });
    return this.recordingRules.then((byName) => byName.get(name) ?? []);
  }

  /** Verdict on every probed selector of the query, combined. */
  async query(expr: string, depth = 0): Promise<Verdict> {
    const verdicts = await Promise.all(probedSelectors(expr).map((s) => this.selector(s, depth)));
    return combined(verdicts);
  }

  async selector(s: SelectorExpr, depth = 0): Promise<Verdict> {
    const matchers = s.matchers.map(({ label, op, value }) => ({ label, op, value }));
    if (!s.metric) {
      const text = selectorText('', matchers);
      return (await this.count(text)) > 0 ? { severity: 'data' } : { severity: 'warning', reason: `no series match ${text}` };
    }
    if ((await this.count(selectorText(s.metric, matchers))) > 0) return { severity: 'data' };
    if ((await this.count(selectorText(s.metric, []))) === 0) return this.missingSeries(s.metric, depth);
    return this.unmatched(s.metric, matchers);
  }

  /** Why a series name has no data at all. */
  private async missingSeries(name: string, depth: number): Promise<Verdict> {
    const found = this.model.catalog.lookupSeries(name);
    if (!found) return { severity: 'problem', reason: `no series of ${name}, which the catalog does not know either` };
    const { metric } = found;
    if (metric.removedIn)
      return { severity: 'problem', reason: `${metric.name} was removed in ${metric.removedIn}${metric.renamedTo ? `; use ${metric.renamedTo}` : ''}` };
    if (metric.source === RECORDING_RULES_SOURCE) return this.missingRecording(name, depth);
    if (metric.conditional) return { severity: 'note', reason: `${metric.name} is exposed only when ${metric.conditional}, which is not the case here` };
    const source = this.model.catalog.source(metric.source);
    if (source?.delivery === 'remote-write')
      return { severity: 'note', reason: `${metric.name} is pushed by ${source.component}, and nothing has been pushed yet` };
    const jobs = this.model.catalog.sources.filter((s) => s.metrics.some((m) => m.name === metric.name)).map((s) => s.job);
    return { severity: 'problem', reason: `no series of ${metric.name} under any job of its source (${[...new Set(jobs)].sort().join(', ')})` };
  }

  private async missingRecording(name: string, depth: number): Promise<Verdict> {
    const rules = await this.rulesRecording(name);
    if (rules.length === 0) return { severity: 'problem', reason: `no rule loaded in Prometheus records ${name}; are the generated rule files loaded?` };
    const failing = rules.find((r) => r.health === 'err');
    if (failing) return { severity: 'problem', reason: `rule ${failing.group}/${name} fails to evaluate: ${failing.lastError ?? ''}` };
    const pending = rules.find((r) => Date.parse(r.lastEvaluation) <= 0);
    if (pending) return { severity: 'note', reason: `${name} is recorded by group ${pending.group}, which evaluates every ${pending.interval}s and has not run yet` };
    if (depth >= MAX_RULE_DEPTH) return { severity: 'warning', reason: `${name} is recorded from other recordings more than ${MAX_RULE_DEPTH} deep, all empty` };
    const inputs = combined(await Promise.all(rules.map((r) => this.query(r.query, depth + 1))));
    if (inputs.severity === 'data') return { severity: 'note', reason: `${name} is recorded by ${rules[0]!.group}, whose inputs have data but whose expression yields nothing now` };
    return { severity: inputs.severity, reason: `${name} is recorded by ${rules[0]!.group}, but ${inputs.reason}` };
  }

  /** The family has series, but none with all the query's matchers: which matcher fails, and why. */
  private async unmatched(metric: string, matchers: readonly Matcher[]): Promise<Verdict> {
    const failing: Matcher[] = [];
    for (const m of matchers) if ((await this.count(selectorText(metric, [m]))) === 0) failing.push(m);
    if (failing.length === 0)
      return { severity: 'warning', reason: `series of ${metric} match each of ${selectorText(metric, matchers)}'s matchers, but none matches all of them` };
    return combined(await Promise.all(failing.map((m) => this.failingMatcher(metric, m))));
  }

  private async failingMatcher(metric: string, m: Matcher): Promise<Verdict> {
    const withLabel = await this.count(selectorText(metric, [{ label: m.label, op: '!=', value: '' }]));
    const found = this.model.catalog.lookupSeries(metric);
    if (withLabel === 0) {
      const declared = found ? this.model.catalog.labelOf(found.metric, m.label, found.suffix) !== undefined : false;
      return {
        severity: 'problem',
        reason: `no series of ${metric} carries the label ${m.label}${declared ? ', though the catalog declares it' : ', and the catalog does not declare it'}`,
      };
    }
    const seen = await this.api.labelValues(m.label, selectorText(metric, []));
    const shown = `${seen.slice(0, 10).join(', ')}${seen.length > 10 ? ', ...' : ''}`;
    if (m.label === 'job') return { severity: 'problem', reason: `no series of ${metric} under ${m.label}${m.op}"${m.value}"; its jobs: ${shown}` };
    const spec = found ? this.model.catalog.labelOf(found.metric, m.label, found.suffix) : undefined;
    if (m.op === '=' && spec?.kind === 'enum' && spec.values?.includes(m.value))
      return { severity: 'note', reason: `no series of ${metric} with ${m.label}="${m.value}" yet; the catalog lists the value, which appears once it happens` };
    return { severity: 'warning', reason: `no series of ${metric} matches ${m.label}${m.op}"${m.value}"; values seen: ${shown}` };
  }
}
