import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kthenaRouter } from '../../src/catalog/kthena-router.ts';
import type { Model } from '../../src/model/model.ts';
import { selectors } from '../../src/promql/analyze.ts';
import type { Finding, Report } from '../../src/verify/findings.ts';
import { generatedQueries, type GeneratedQuery } from '../../src/verify/generated-queries.ts';
import { probedSelectors } from '../../src/verify/series-probe.ts';
import { cliAsync } from '../support/cli.ts';
import { substituted, type CheckResult, type Exercise } from './assertions.ts';
import { instantQuery } from './http-api.ts';
import { PROJECT_ROOT, type RunningStack } from './stack.ts';

/**
 * `infermon verify --prometheus <bench>` as a user runs it, in its own process, over the example specs:
 * each finding becomes a live-loop result. A finding the bench explains is a warning: its subject reads or
 * scrapes a source the bench does not run, a conditional family nothing on the bench exposes, or a rule
 * group not evaluated yet (the reasons the recording-rule and dashboard checks accept), or router series
 * that existed before the loop restarted the router and that the new process has not made again (which is
 * why the dashboard checks read before the restart). Any other finding, of any severity, fails.
 */

/** What `$__rate_interval` and the SLI windows become: a few dozen scrapes at the bench's 2 s. */
const RATE_INTERVAL = '1m';

/** Sources whose job is `job`. */
function sourcesOfJob(model: Model, job: string): string[] {
  return model.catalog.sources.filter((s) => s.job === job).map((s) => s.name);
}

/** Why an expression may read nothing on the bench: the loop's reasons, and jobs whose sources do not run. */
function reasonsForExpr(stack: RunningStack, exercise: Exercise, expr: string): string[] {
  const reasons = new Set(exercise.reasonsForNoData(expr));
  for (const { metric, matchers } of selectors(expr))
    for (const m of matchers) {
      if (m.label !== 'job' || m.op !== '=') continue;
      const sources = sourcesOfJob(stack.model, m.value);
      if (sources.length > 0 && !sources.some((s) => stack.scrapedSources.includes(s)))
        reasons.add(`reads ${metric || 'series'} of job ${m.value} (source ${sources.join(', ')}), which does not run on the bench`);
    }
  return [...reasons];
}

/** Families of a source that nothing on the bench exposes because they are conditional. */
function conditionalReasons(exercise: Exercise, families: readonly string[]): string[] | undefined {
  const reasons = families.map((f) => exercise.reasonsForNoData(f));
  return reasons.every((r) => r.length > 0) ? [...new Set(reasons.flat())] : undefined;
}

/** `metric{matchers}` as a selector. */
function selectorText(s: ReturnType<typeof probedSelectors>[number]): string {
  return `${s.metric ?? ''}{${s.matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`).join(', ')}}`;
}

/**
 * Series the query reads that are missing now, all of them the router's, and all present in the minutes
 * before the loop restarted it: the restarted process has not done again what made them.
 */
async function missingSinceRestart(stack: RunningStack, query: GeneratedQuery, beforeRestart: number): Promise<string[] | undefined> {
  const expr = query.kind === 'dashboard' ? await substituted(query.expr, stack.prometheusUrl) : query.expr;
  const missing: string[] = [];
  for (const s of probedSelectors(expr)) {
    const text = selectorText(s);
    if ((await instantQuery(stack.prometheusUrl, `count(${text})`)).length > 0) continue;
    if (stack.model.catalog.lookupSeries(s.metric ?? '')?.metric.source !== kthenaRouter.spec.name) return undefined;
    if ((await instantQuery(stack.prometheusUrl, `count(last_over_time(${text}[5m]))`, beforeRestart)).length === 0) return undefined;
    missing.push(text);
  }
  return missing.length > 0 ? [`${missing.join(', ')} had series before the loop restarted the router; the new process has not made them again`] : undefined;
}

/** The generated queries a finding is about: those of its subject, narrowed to the ones reading a series its message names. */
function queriesOf(model: Model, finding: Finding, queries: readonly GeneratedQuery[]): GeneratedQuery[] {
  const own = queries.filter((q) => `${q.kind} ${q.name}` === finding.subject);
  const names = (metric: string) => [metric, model.catalog.lookupSeries(metric)?.metric.name ?? metric];
  const named = own.filter((q) => selectors(q.expr).some((s) => s.metric !== '' && names(s.metric).some((n) => finding.message.includes(n))));
  return named.length > 0 ? named : own;
}

/** The bench's explanation of a finding, or undefined when it has none. */
async function explain(
  stack: RunningStack,
  exercise: Exercise,
  finding: Finding,
  queries: readonly GeneratedQuery[],
  beforeRestart: number,
): Promise<string[] | undefined> {
  const benchMajor = stack.model.stack.value.prometheusMajor;
  const specsMajor = stack.specsPrometheusMajor;
  // Prometheus 3 stores classic histogram bounds as floats (`le="1.0"`), Prometheus 2 as the exporter wrote them.
  if (finding.check === 'queries' && benchMajor !== specsMajor && /matches le="/.test(finding.message))
    return [`the specs target Prometheus ${specsMajor}, whose bucket bounds are spelled otherwise than on the bench's Prometheus ${benchMajor}`];
  const job = /^job (\S+)/.exec(finding.subject)?.[1];
  if (finding.check === 'targets' && job) {
    const sources = sourcesOfJob(stack.model, job);
    const running = sources.some((s) => stack.scrapedSources.includes(s));
    return !running && /^no target discovered/.test(finding.message) ? [`source ${sources.join(', ')} of job ${job} does not run on the bench`] : undefined;
  }
  if (finding.check === 'queries') {
    const candidates = queriesOf(stack.model, finding, queries);
    if (candidates.length === 0) return undefined;
    const reasons = candidates.map((q) => reasonsForExpr(stack, exercise, q.expr));
    if (reasons.every((r) => r.length > 0)) return [...new Set(reasons.flat())];
    const restarted = await Promise.all(candidates.map((q) => missingSinceRestart(stack, q, beforeRestart)));
    return restarted.every((r) => r !== undefined) ? [...new Set(restarted.flat())] : undefined;
  }
  if (finding.check === 'families' && job && finding.message.includes(' not exposed: ')) {
    const families = finding.message.slice(finding.message.indexOf(' not exposed: ') + ' not exposed: '.length).split(', ');
    return conditionalReasons(exercise, families);
  }
  return undefined;
}

/** `beforeRestart`: a moment (epoch milliseconds) before the loop stopped the router, when every source had served for minutes. */
export async function checkVerifyOnline(stack: RunningStack, exercise: Exercise, beforeRestart: number): Promise<CheckResult[]> {
  const args = ['verify', '--prometheus', stack.prometheusUrl, '--specs', join(PROJECT_ROOT, 'specs'), '--rate-interval', RATE_INTERVAL, '--format', 'json'];
  const run = await cliAsync(args, PROJECT_ROOT);
  writeFileSync(join(stack.workDir, 'verify.json'), run.stdout);
  let report: Report;
  try {
    if (run.status !== 0 && run.status !== 1) throw new Error(`exited ${run.status}`);
    report = JSON.parse(run.stdout) as Report;
  } catch (err) {
    return [{ area: 'verify', name: 'infermon verify', outcome: 'fail', detail: `${(err as Error).message}: ${run.stderr.trim().split('\n').slice(-10).join('\n')}` }];
  }
  const queries = generatedQueries(stack.model, RATE_INTERVAL);
  const results: CheckResult[] = [];
  const explained = new Map<string, number>();
  for (const f of report.findings) {
    const reasons = await explain(stack, exercise, f, queries, beforeRestart);
    if (reasons) {
      const key = `${f.check}: ${reasons.join('; ')}`;
      explained.set(key, (explained.get(key) ?? 0) + 1);
      continue;
    }
    const where = f.at ? ` (${f.at.file}: ${f.at.path})` : '';
    results.push({ area: 'verify', name: `${f.check} ${f.subject}${where}`, outcome: 'fail', detail: `${f.severity}: ${f.message}` });
  }
  for (const [why, count] of explained) results.push({ area: 'verify', name: `${count} finding(s) explained by the bench`, outcome: 'warn', detail: why });
  const failed = results.filter((r) => r.outcome === 'fail').length;
  const checked = Object.entries(report.checked).map(([what, n]) => `${n} ${what}`).join(', ');
  results.push({
    area: 'verify',
    name: 'infermon verify',
    outcome: failed > 0 ? 'fail' : 'pass',
    detail: `exit ${run.status}; checked ${checked} against ${report.against}: ${report.findings.length} finding(s), ${report.findings.length - failed} explained by the bench; report in verify.json`,
  });
  return results;
}
