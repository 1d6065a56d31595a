import { alertDashboard, alertLabels, isAlertRule } from './alert-rule.ts';
import { logAlertStream, ruleAlertStream } from './alert-logs.ts';
import { logAlertLabels } from './logs.ts';
import type { LogStream } from './logs.ts';
import type { Model } from './model.ts';
import type { Runbook } from './runbook.ts';

/**
 * Every alert that gets a runbook page, whichever spec kind declared it: the generator writes the pages,
 * the runbook check holds links against the same list.
 */

/** An alert as its runbook page describes it, whichever spec kind declared it. */
export interface RunbookSubject {
  alert: string;
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

export function runbookSubjects(model: Model): RunbookSubject[] {
  const found: RunbookSubject[] = [];
  for (const item of model.specs.rules)
    for (const rule of item.value.rules) {
      if (!isAlertRule(rule)) continue;
      found.push({
        alert: rule.alert,
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
    }
  for (const logs of model.specs.logs)
    for (const alert of logs.value.alerts)
      found.push({
        alert: alert.alert,
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
      });
  const first = new Map<string, RunbookSubject>();
  for (const s of found) if (!first.has(s.alert)) first.set(s.alert, s);
  return [...first.values()];
}

/** Names of every alert that gets a runbook page. */
export function runbookAlertNames(model: Model): Set<string> {
  return new Set(runbookSubjects(model).map((s) => s.alert));
}
