import { sortKeys } from './sort-keys.ts';
import { alertLinks } from './runbook.ts';
import type { Stack } from './stack.ts';
import type { SpecOutput } from './spec.ts';

export type RuleGroup = SpecOutput<'rules'>;
export type AlertRule = Extract<RuleGroup['rules'][number], { alert: string }>;
export type RecordingRule = Extract<RuleGroup['rules'][number], { record: string }>;

export function isAlertRule(rule: RuleGroup['rules'][number]): rule is AlertRule {
  return 'alert' in rule;
}

/** The static labels an alert carries: severity, team and service (inherited from its group), then its own. */
export function alertLabels(alert: AlertRule, group: RuleGroup): Record<string, string> {
  const labels: Record<string, string> = { severity: alert.severity };
  const team = alert.team ?? group.team;
  const service = alert.service ?? group.service;
  if (team) labels.team = team;
  if (service) labels.service = service;
  return sortKeys({ ...labels, ...alert.labels });
}

/** The dashboard an alert links: its own, else its group's. */
export function alertDashboard(alert: AlertRule, group: RuleGroup): string | undefined {
  return alert.dashboard ?? group.dashboard;
}

/**
 * Annotations: summary, description, runbook_url (defaulting to the generated `runbookPage`),
 * dashboard_url when the alert or its group names a dashboard, logs_url when given, then extras.
 */
export function alertAnnotations(alert: AlertRule, group: RuleGroup, stack: Stack, runbookPage: string, logsUrl?: string): Record<string, string> {
  return sortKeys({
    summary: alert.summary,
    description: alert.description,
    ...alertLinks(stack, { runbookPage, runbookUrl: alert.runbookUrl, dashboard: alertDashboard(alert, group) }, logsUrl),
    ...alert.annotations,
  });
}
