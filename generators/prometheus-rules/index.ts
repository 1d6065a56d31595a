import { OUT, fileStem } from '../../src/conventions.ts';
import { fileHeader, yamlBuiltWhenWritten, type Artifact } from '../../src/model/artifact.ts';
import { logsUrl, ruleAlertStream } from '../../src/model/alert-logs.ts';
import { alertAnnotations, alertLabels, isAlertRule, type RuleGroup } from '../../src/model/alert-rule.ts';
import { locate, type Located, type Model } from '../../src/model/model.ts';
import type { Plan } from '../../src/plan/index.ts';
import { runsPrometheusOperator } from '../../src/model/targets.ts';
import { ruleEnvelopes, type OutputRuleGroup } from './envelopes.ts';
import { hasUnitTests, unitTestFile } from './unit-tests.ts';

/** One output rule group, built once and wrapped as a rules file and as a PrometheusRule. */
export function outputGroup(located: Located<RuleGroup>, model: Plan): OutputRuleGroup {
  const group = located.value;
  return {
    name: group.name,
    ...(group.interval ? { interval: group.interval } : {}),
    ...(group.queryOffset ? { query_offset: group.queryOffset } : {}),
    ...(group.limit ? { limit: group.limit } : {}),
    rules: group.rules.map((rule, i) =>
      isAlertRule(rule)
        ? {
            alert: rule.alert,
            expr: rule.expr,
            ...(rule.for !== '0s' ? { for: rule.for } : {}),
            ...(rule.keepFiringFor ? { keep_firing_for: rule.keepFiringFor } : {}),
            labels: alertLabels(rule, group),
            annotations: alertAnnotations(rule, group, model.stack.value, model.runbookPages.pageOf(locate(located, `rules[${i}]`))!, logsUrl(model, ruleAlertStream(model, rule.expr))),
          }
        : {
            record: rule.record,
            expr: rule.expr,
            ...(Object.keys(rule.labels).length > 0 ? { labels: rule.labels } : {}),
          },
    ),
  };
}

/** Rule groups by output file stem, in spec order. */
export function groupsByFile(model: Model): Map<string, Array<Located<RuleGroup>>> {
  const files = new Map<string, Array<Located<RuleGroup>>>();
  for (const g of model.specs.rules) {
    const stem = fileStem(g.value.file ?? g.value.name);
    files.set(stem, [...(files.get(stem) ?? []), g]);
  }
  return files;
}

export function prometheusRules(model: Plan): Artifact[] {
  const out: Artifact[] = [];
  for (const [stem, groups] of groupsByFile(model)) {
    const specFiles = groups.map((g) => g.file);
    const output = groups.map((g) => outputGroup(g, model));
    const { ruleFile, prometheusRules, rulerFile } = ruleEnvelopes(stem, output, model.stack.value, specFiles, groups.map((g) => locate(g)));
    out.push({ path: `${OUT.prometheusRules}/${stem}.yml`, ...ruleFile });
    if (rulerFile) out.push(rulerFile);
    if (runsPrometheusOperator(model.stack.value.targets)) out.push({ path: `${OUT.kubernetes}/prometheus-rules/${stem}.yaml`, ...prometheusRules });
    if (hasUnitTests(groups))
      out.push(yamlBuiltWhenWritten(`${OUT.prometheusTests}/${stem}.test.yml`, fileHeader(model.stack.value, specFiles), () => unitTestFile(stem, groups, model)));
  }
  return out;
}
