import { formatDuration, parseDuration } from '../../src/model/duration.ts';
import { logsUrl, ruleAlertStream } from '../../src/model/alert-logs.ts';
import { alertAnnotations, alertLabels, isAlertRule, type AlertRule, type RuleGroup } from '../../src/model/alert-rule.ts';
import { locate, type Located, type Model } from '../../src/model/model.ts';
import type { Plan } from '../../src/plan/index.ts';
import { outputLabels } from '../../src/promql/analyze.ts';
import { renderAlertTemplate } from '../../src/promql/alert-template.ts';
import { OUT } from '../../src/conventions.ts';
import { TEST_INTERVAL_SECONDS, synthesiseSeries, type PromtoolSeries } from './test-series.ts';

type Scenario = AlertRule['tests']['firing'][number];

interface ExpectedAlert {
  exp_labels: Record<string, string>;
  exp_annotations: Record<string, string>;
}

interface AlertRuleTest {
  eval_time: string;
  alertname: string;
  exp_alerts: ExpectedAlert[];
}

interface PromtoolTestCase {
  name: string;
  interval: string;
  input_series: PromtoolSeries[];
  alert_rule_test: AlertRuleTest[];
}

/** True when some alert of the groups has a scenario, so that `unitTestFile` has a test to write. */
export function hasUnitTests(groups: ReadonlyArray<Located<RuleGroup>>): boolean {
  return groups.some(({ value: group }) => group.rules.some((rule) => isAlertRule(rule) && rule.tests.firing.length + rule.tests.quiet.length > 0));
}

/** A promtool unit-test file with one case per firing and quiet scenario of every alert in the file. */
export function unitTestFile(stem: string, groups: ReadonlyArray<Located<RuleGroup>>, model: Plan) {
  const tests: PromtoolTestCase[] = [];
  for (const located of groups) {
    const group = located.value;
    group.rules.forEach((rule, r) => {
      if (!isAlertRule(rule)) return;
      const runbookPage = model.runbookPages.pageOf(locate(located, `rules[${r}]`))!;
      rule.tests.firing.forEach((s, i) => tests.push(testCase(rule, group, runbookPage, s, `fires #${i + 1}`, true, model)));
      rule.tests.quiet.forEach((s, i) => tests.push(testCase(rule, group, runbookPage, s, `quiet #${i + 1}`, false, model)));
    });
  }
  return {
    rule_files: [`../${OUT.prometheusRules.split('/').pop()}/${stem}.yml`],
    evaluation_interval: '1m',
    tests,
  };
}

/** When a scenario is evaluated unless it says: after `for` plus ten minutes of data. */
export function evalAfterMs(rule: AlertRule, scenario: Scenario): number {
  return scenario.evalAfter ? parseDuration(scenario.evalAfter)! : parseDuration(rule.for)! + 10 * 60_000;
}

function testCase(rule: AlertRule, group: RuleGroup, runbookPage: string, scenario: Scenario, kind: string, firing: boolean, model: Model): PromtoolTestCase {
  // A group evaluating in the past reads the scenario's data that much later.
  const evalMs = evalAfterMs(rule, scenario) + (group.queryOffset ? parseDuration(group.queryOffset)! : 0);
  const samples = Math.ceil(evalMs / 1000 / TEST_INTERVAL_SECONDS) + 1;
  const input = scenario.series.flatMap((s) => {
    const found = model.catalog.lookupSeries(s.metric.name);
    if (!found) throw new Error(`test series metric ${s.metric.name} is not in the catalog`);
    return synthesiseSeries(s, found.metric, samples, model.stack.value.prometheusMajor);
  });
  return {
    name: `${rule.alert} ${kind}${scenario.description ? `: ${scenario.description}` : ''}`,
    interval: `${TEST_INTERVAL_SECONDS}s`,
    input_series: input,
    alert_rule_test: [
      {
        eval_time: formatDuration(evalMs),
        alertname: rule.alert,
        exp_alerts: firing ? [expectedAlert(rule, group, runbookPage, scenario, model)] : [],
      },
    ],
  };
}

/** The alert a firing scenario expects: its labels, and its annotations rendered with them. */
function expectedAlert(rule: AlertRule, group: RuleGroup, runbookPage: string, scenario: Scenario, model: Model): ExpectedAlert {
  const labels = { ...expressionLabels(rule, scenario, model), ...alertLabels(rule, group) };
  const annotations = alertAnnotations(rule, group, model.stack.value, runbookPage, logsUrl(model, ruleAlertStream(model, rule.expr)));
  const value = scenario.value ?? Number.NaN;
  const rendered = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k, renderAlertTemplate(v, labels, value)]));
  return { exp_labels: labels, exp_annotations: rendered };
}

/**
 * The labels the alert's expression keeps, with their values taken from the scenario's input series;
 * labels the scenario states explicitly win.
 */
function expressionLabels(rule: AlertRule, scenario: Scenario, model: Model): Record<string, string> {
  const kept = outputLabels(rule.expr, model.catalog).labels;
  const fromSeries: Record<string, string> = {};
  for (const name of kept) {
    const values = new Set(scenario.series.map((s) => s.labels[name]).filter((v) => v !== undefined));
    if (values.size === 1) fromSeries[name] = [...values][0]!;
  }
  return { ...fromSeries, ...scenario.labels };
}
