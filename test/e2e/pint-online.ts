import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { LineCounter, isMap, isSeq, parseDocument } from 'yaml';
import { OUT } from '../../src/conventions.ts';
import { selectors } from '../../src/promql/analyze.ts';
import { runToolAsync } from '../support/tools.ts';
import type { CheckResult, Exercise, GeneratedRule } from './assertions.ts';
import { PROJECT_ROOT, type RunningStack } from './stack.ts';

/**
 * pint over the rule files the bench loaded, online: the project's .pint.hcl plus the bench Prometheus,
 * so the checks that ask a server (series present, metric types, ranges against retention, the server's
 * features) judge the rules on live data. Every problem, of any severity, fails, except one the bench
 * explains: `promql/series` on a rule that reads a source the bench does not run, or a recording whose
 * group has not been evaluated yet in this run (the same reasons the recording-rule checks accept).
 */

interface PintProblem {
  path: string;
  reporter: string;
  problem: string;
  details?: string;
  severity: string;
  lines?: number[];
}

interface RuleSpan {
  file: string;
  group: string;
  index: number;
  first: number;
  last: number;
}

/** Line span of every rule in a rule file, 1-based, as pint reports lines. */
function ruleSpans(path: string): RuleSpan[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(readFileSync(path, 'utf8'), { lineCounter });
  const spans: RuleSpan[] = [];
  const groups = doc.get('groups', true);
  if (!isSeq(groups)) return spans;
  for (const group of groups.items) {
    if (!isMap(group)) continue;
    const rules = group.get('rules', true);
    if (!isSeq(rules)) continue;
    rules.items.forEach((rule, index) => {
      const range = (rule as { range?: [number, number, number] }).range;
      if (!range) return;
      spans.push({
        file: basename(path),
        group: String(group.get('name')),
        index,
        first: lineCounter.linePos(range[0]).line,
        last: lineCounter.linePos(Math.max(range[0], range[2] - 1)).line,
      });
    });
  }
  return spans;
}

/** Series Prometheus writes for every scrape of a target, labelled with the target's job. */
const SCRAPE_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added']);

/**
 * Why a rule may read no series on the bench: the recording-rule checks' reasons, scrape series of a job
 * whose source the bench does not run, and recordings it reads that are not evaluated yet.
 */
function noDataReasons(stack: RunningStack, rule: GeneratedRule, rules: readonly GeneratedRule[], exercise: Exercise): string[] {
  const reasons = new Set(exercise.reasonsForNoData(rule.expr));
  const sourceOfJob = new Map(stack.model.scrapeTargets.map((t) => [t.job, t.source.name]));
  for (const { metric, matchers } of selectors(rule.expr)) {
    if (SCRAPE_SERIES.has(metric))
      for (const m of matchers) {
        const source = m.label === 'job' && m.op === '=' ? sourceOfJob.get(m.value) : undefined;
        if (source && !stack.scrapedSources.includes(source))
          reasons.add(`reads ${metric} of job ${m.value} (source ${source}), which does not run on the bench`);
      }
    for (const recorder of rules.filter((r) => r.record === metric)) {
      const pending = exercise.notEvaluated.get(recorder);
      if (pending) reasons.add(`reads ${metric}, recorded by group ${recorder.group}, which ${pending}`);
    }
  }
  return [...reasons];
}

/** Async: the simulators and the router live in this process and must keep answering scrapes meanwhile. */
export async function checkPintOnline(stack: RunningStack, rules: readonly GeneratedRule[], exercise: Exercise): Promise<CheckResult[]> {
  const config = join(stack.workDir, 'pint.hcl');
  const server = `\nprometheus "bench" {\n  uri      = "${stack.prometheusUrl}"\n  timeout  = "60s"\n  required = true\n}\n`;
  writeFileSync(config, readFileSync(join(PROJECT_ROOT, '.pint.hcl'), 'utf8') + server);
  const report = join(stack.workDir, 'pint.json');
  const r = await runToolAsync(
    'pint',
    ['--config', config, '--no-color', '--show-duplicates', 'lint', '--min-severity=info', '--fail-on=info', '--json', report, OUT.prometheusRules],
    { cwd: stack.artifactsDir },
  );
  const log = `${r.stdout}${r.stderr}`;
  writeFileSync(join(stack.workDir, 'pint.txt'), log);
  if ((r.status !== 0 && r.status !== 1) || !existsSync(report) || !/online=true/.test(log))
    return [{ area: 'pint', name: 'pint lint online', outcome: 'fail', detail: `pint exited ${r.status}:\n${log.trim().split('\n').slice(-10).join('\n')}` }];
  const problems = JSON.parse(readFileSync(report, 'utf8')) as PintProblem[];
  const checked = /entries=(\d+)/.exec(log)?.[1] ?? '?';
  const spans = new Map(stack.ruleFiles.map((f) => [basename(f), ruleSpans(f)]));
  const ruleOf = (p: PintProblem): GeneratedRule | undefined => {
    const line = p.lines?.[0];
    const span = line === undefined ? undefined : spans.get(basename(p.path))?.find((s) => s.first <= line && line <= s.last);
    return span && rules.find((x) => x.file === span.file && x.group === span.group && x.index === span.index);
  };
  const results: CheckResult[] = [];
  const explained = new Map<string, number>();
  for (const p of problems) {
    const rule = ruleOf(p);
    const reasons = p.reporter === 'promql/series' && rule ? noDataReasons(stack, rule, rules, exercise) : [];
    const where = `${p.path}:${p.lines?.[0] ?? '?'}${rule ? ` (${rule.record ?? rule.alert})` : ''}`;
    if (reasons.length > 0) {
      const key = `${p.reporter}: ${reasons.join('; ')}`;
      explained.set(key, (explained.get(key) ?? 0) + 1);
      continue;
    }
    results.push({ area: 'pint', name: `${p.reporter} ${where}`, outcome: 'fail', detail: `${p.severity}: ${p.problem}` });
  }
  for (const [why, count] of explained)
    results.push({ area: 'pint', name: `${count} report(s) explained by the bench`, outcome: 'warn', detail: why });
  results.push({
    area: 'pint',
    name: 'pint lint online',
    outcome: results.some((x) => x.outcome === 'fail') ? 'fail' : 'pass',
    detail: `${checked} rules against ${stack.prometheusUrl}: ${problems.length} report(s), ${problems.length - results.filter((x) => x.outcome === 'fail').length} explained by the bench; full report in pint.txt`,
  });
  return results;
}
