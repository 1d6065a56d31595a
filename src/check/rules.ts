import type { Check } from './index.ts';
import { locate } from '../model/model.ts';
import { isAlertRule } from '../model/alert-rule.ts';
import { checkPromQL } from '../promql/check.ts';
import { unsupportedTemplateParts } from '../promql/alert-template.ts';

/** Every rule expression against the catalog, plus what promtool and Alertmanager would trip over later. */
export const checkRules: Check = (model, diagnostics) => {
  const alertNames = new Map<string, string>();
  const groupNames = new Map<string, string>();
  const prometheusMajor = model.stack.value.prometheusMajor;
  for (const item of model.specs.rules) {
    const group = item.value;
    const groupAt = locate(item, 'name');
    const previousGroup = groupNames.get(group.name);
    if (previousGroup)
      diagnostics.error('rule/duplicate-group', groupAt, `rule group \`${group.name}\` is also declared in ${previousGroup}`, 'give every rule group a unique name');
    groupNames.set(group.name, `${item.file}`);

    group.rules.forEach((rule, i) => {
      const path = `rules[${i}]`;
      for (const p of checkPromQL(rule.expr, { catalog: model.catalog, prometheusMajor, evaluationInterval: model.stack.value.evaluationInterval })) {
        const report = p.severity === 'error' ? diagnostics.error : diagnostics.warning;
        report.call(diagnostics, p.code, locate(item, `${path}.expr`), p.message, p.fix);
      }
      if (!isAlertRule(rule)) return;
      const previous = alertNames.get(rule.alert);
      if (previous)
        diagnostics.error('rule/duplicate-alert', locate(item, `${path}.alert`), `alert \`${rule.alert}\` is already defined at ${previous}`, 'rename one of the alerts, or merge them into one rule');
      alertNames.set(rule.alert, `${item.file}: ${locate(item, path).path}`);

      for (const [field, text] of [['summary', rule.summary], ['description', rule.description], ...Object.entries(rule.annotations).map(([k, v]) => [`annotations.${k}`, v])] as const) {
        for (const part of unsupportedTemplateParts(text))
          diagnostics.error('rule/unsupported-template', locate(item, `${path}.${field}`), `template action ${part} cannot be rendered for unit tests`, 'use {{ $labels.name }}, {{ $value }}, or $value piped to humanize, humanizePercentage or humanize1024');
      }
      const printsValue = [rule.summary, rule.description, ...Object.values(rule.annotations)].some((t) => t.includes('$value'));
      rule.tests.firing.forEach((scenario, s) => {
        if (printsValue && scenario.value === undefined)
          diagnostics.error('rule/test-value-missing', locate(item, `${path}.tests.firing[${s}].value`), `the annotations print $value, so the firing case must state the value the expression has`, 'add `value: <expected result>` to the firing scenario');
      });
      for (const [kind, scenarios] of [['firing', rule.tests.firing], ['quiet', rule.tests.quiet]] as const) {
        scenarios.forEach((scenario, s) =>
          scenario.series.forEach((series, k) => {
            const at = locate(item, `${path}.tests.${kind}[${s}].series[${k}]`);
            const found = model.catalog.lookupSeries(series.metric.name);
            if (!found) {
              diagnostics.error('rule/test-unknown-metric', at, `test series metric \`${series.metric.name}\` is not in the catalog`, 'use a metric exported from specs/catalog/');
              return;
            }
            const shape = series.values !== undefined ? 'values' : series.observe ? 'observe' : series.rate !== undefined ? 'rate' : series.value !== undefined ? 'value' : undefined;
            const expected = { counter: 'rate', gauge: 'value', info: 'value', histogram: 'observe', summary: 'values' }[found.metric.type];
            if (shape !== 'values' && shape !== expected)
              diagnostics.error('rule/test-series-shape', at, `\`${series.metric.name}\` is a ${found.metric.type}; its test series is given as \`${shape ?? 'nothing'}\``, `describe a ${found.metric.type} with \`${expected}\` (or raw \`values\`)`);
          }),
        );
      }
    });
  }
};
