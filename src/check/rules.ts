import type { Check } from './check.ts';
import { locate } from '../model/model.ts';
import type { Diagnostics, SpecLocation } from '../model/diagnostics.ts';
import { isAlertRule, type RuleGroup } from '../model/alert-rule.ts';
import type { Plan } from '../plan/index.ts';
import { checkPromQL } from '../promql/check.ts';
import { unsupportedTemplateParts } from '../promql/alert-template.ts';

type Rule = RuleGroup['rules'][number];

/** Every rule expression against the catalog, plus what promtool and Alertmanager would trip over later. */
export const checkRules: Check = (model, diagnostics) => {
  const groupNames = new Map<string, string>();
  for (const item of model.specs.rules) {
    const group = item.value;
    const groupAt = locate(item, 'name');
    const previousGroup = groupNames.get(group.name);
    if (previousGroup)
      diagnostics.error('rule/duplicate-group', groupAt, `rule group \`${group.name}\` is also declared in ${previousGroup}`, 'give every rule group a unique name');
    groupNames.set(group.name, `${item.file}`);
    if (group.queryOffset && model.stack.value.prometheusMajor === 2)
      diagnostics.warning(
        'rule/query-offset-needs-2.53',
        locate(item, 'queryOffset'),
        `rule group \`${group.name}\` sets a query offset, which Prometheus reads from 2.53 on; earlier releases refuse the whole rule file`,
        'run Prometheus 2.53 or later (or 3), or leave `queryOffset` out',
      );

    group.rules.forEach((rule, i) => checkRule(rule, (field) => locate(item, `rules[${i}]${field}`), model, diagnostics));
  }
  // A group that failed its schema still has its valid rules checked, at their places in the group.
  for (const salvaged of model.salvaged?.rules ?? [])
    for (const { index, rule } of salvaged.value) checkRule(rule, (field) => locate(salvaged, `rules[${index}]${field}`), model, diagnostics);
};

/** One rule's expression against the catalog, its annotation templates and its unit tests; `at` places a field of it. */
function checkRule(rule: Rule, at: (field: string) => SpecLocation, model: Plan, diagnostics: Diagnostics): void {
  const prometheusMajor = model.stack.value.prometheusMajor;
  for (const p of checkPromQL(rule.expr, { catalog: model.catalog, prometheusMajor, evaluationInterval: model.stack.value.evaluationInterval })) {
    const report = p.severity === 'error' ? diagnostics.error : diagnostics.warning;
    report.call(diagnostics, p.code, at('.expr'), p.message, p.fix, p.subject);
  }
  // One alert name in several groups is fine (one per deployment) while their labels tell them apart:
  // checkAlertIdentity below holds name and labels together.
  if (!isAlertRule(rule)) return;

  for (const [field, text] of [['summary', rule.summary], ['description', rule.description], ...Object.entries(rule.annotations).map(([k, v]) => [`annotations.${k}`, v])] as const) {
    for (const part of unsupportedTemplateParts(text))
      diagnostics.error('rule/unsupported-template', at(`.${field}`), `template action ${part} cannot be rendered for unit tests`, 'use {{ $labels.name }}, {{ $value }}, or $value piped to humanize, humanizePercentage or humanize1024');
  }
  const printsValue = [rule.summary, rule.description, ...Object.values(rule.annotations)].some((t) => t.includes('$value'));
  rule.tests.firing.forEach((scenario, s) => {
    if (printsValue && scenario.value === undefined)
      diagnostics.error('rule/test-value-missing', at(`.tests.firing[${s}].value`), `the annotations print $value, so the firing case must state the value the expression has`, 'add `value: <expected result>` to the firing scenario');
  });
  for (const [kind, scenarios] of [['firing', rule.tests.firing], ['quiet', rule.tests.quiet]] as const) {
    scenarios.forEach((scenario, s) =>
      scenario.series.forEach((series, k) => {
        const where = at(`.tests.${kind}[${s}].series[${k}]`);
        const found = model.catalog.lookupSeries(series.metric.name);
        if (!found) {
          diagnostics.error('rule/test-unknown-metric', where, `test series metric \`${series.metric.name}\` is not in the catalog`, 'use a metric exported from `infermon/catalog`');
          return;
        }
        const shape = series.values !== undefined ? 'values' : series.observe ? 'observe' : series.rate !== undefined ? 'rate' : series.value !== undefined ? 'value' : undefined;
        const expected = { counter: 'rate', gauge: 'value', info: 'value', histogram: 'observe', summary: 'values' }[found.metric.type];
        if (shape !== 'values' && shape !== expected)
          diagnostics.error('rule/test-series-shape', where, `\`${series.metric.name}\` is a ${found.metric.type}; its test series is given as \`${shape ?? 'nothing'}\``, `describe a ${found.metric.type} with \`${expected}\` (or raw \`values\`)`);
      }),
    );
  }
}

/**
 * Two alerts with one name and the same static labels are indistinguishable to Alertmanager and promtool
 * lints them as duplicates, wherever they come from (rule groups, SLOs, log rules).
 */
export const checkAlertIdentity: Check = (model, diagnostics) => {
  const seen = new Map<string, SpecLocation>();
  for (const alert of model.alerts) {
    const key = `${alert.alertname}${JSON.stringify(alert.labels)}`;
    const previous = seen.get(key);
    if (!previous) seen.set(key, alert.origin);
    else if (previous.file !== alert.origin.file || previous.path !== alert.origin.path)
      diagnostics.error(
        'rule/duplicate-alert',
        alert.origin,
        `alert \`${alert.alertname}\` with labels ${JSON.stringify(alert.labels)} is also generated by ${previous.file}: ${previous.path}`,
        'rename one of the alerts or give them a distinguishing label',
      );
  }
};
