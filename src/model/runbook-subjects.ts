import { alertDashboard, alertLabels, isAlertRule } from './alert-rule.ts';
import { logAlertStream, ruleAlertStream } from './alert-logs.ts';
import { logAlertLabels } from './logs.ts';
import type { LogStream } from './logs.ts';
import type { SpecLocation } from './diagnostics.ts';
import { locate, type Model } from './model.ts';
import type { Runbook } from './runbook.ts';

/**
 * Every alert that gets a runbook page, whichever spec kind declared it: the plan assigns their pages, the
 * generator writes them, the runbook check holds links against the same list.
 */

/** An alert as its runbook page describes it, whichever spec kind declared it. */
export interface RunbookSubject {
  alert: string;
  /** Where the alert is declared: a rule group's `rules[i]` or a log spec's `alerts[i]`. */
  origin: SpecLocation;
  /** Its rule group, or Loki ruler group. */
  group: string;
  labels: Record<string, string>;
  summary: string;
  description: string;
  expr: string;
  language: 'promql' | 'logql';
  for: string;
  file: string;
  /** Where in the file, in words. */
  where: string;
  runbook?: Runbook;
  dashboard?: string;
  /** The log stream of the alert's target, when one collects it. */
  logs?: LogStream;
}

/** Every alert instance, in declaration order: rule alerts, then log alerts. */
export function runbookSubjects(model: Model): RunbookSubject[] {
  const found: RunbookSubject[] = [];
  for (const item of model.specs.rules)
    item.value.rules.forEach((rule, i) => {
      if (!isAlertRule(rule)) return;
      found.push({
        alert: rule.alert,
        origin: locate(item, `rules[${i}]`),
        group: item.value.name,
        labels: alertLabels(rule, item.value),
        summary: rule.summary,
        description: rule.description,
        expr: rule.expr,
        language: 'promql',
        for: rule.for,
        file: item.file,
        where: `group \`${item.value.name}\``,
        runbook: rule.runbook,
        dashboard: alertDashboard(rule, item.value),
        logs: ruleAlertStream(model, rule.expr),
      });
    });
  for (const logs of model.specs.logs)
    logs.value.alerts.forEach((alert, i) =>
      found.push({
        alert: alert.alert,
        origin: locate(logs, `alerts[${i}]`),
        group: logs.value.ruleGroup,
        labels: logAlertLabels(alert),
        summary: alert.summary,
        description: alert.description,
        expr: alert.expr,
        language: 'logql',
        for: alert.for,
        file: logs.file,
        where: `Loki ruler group \`${logs.value.ruleGroup}\``,
        runbook: alert.runbook,
        dashboard: alert.dashboard,
        logs: logAlertStream(model, alert.expr),
      }),
    );
  return found;
}
