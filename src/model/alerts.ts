import { sortKeys } from './sort-keys.ts';
import { sloAlerts } from '../slo/alerts.ts';
import { logqlGroupingLabels } from '../logql/analyze.ts';
import { outputLabels } from '../promql/analyze.ts';
import { alertLabels, isAlertRule } from './alert-rule.ts';
import type { GeneratedAlert } from './generated-alert.ts';
import type { LogAlert } from './logs.ts';
import { locate, type Model } from './model.ts';

export type { GeneratedAlert } from './generated-alert.ts';

/** Static labels of a log-based alert: severity, team, service, then its own. */
export function logAlertLabels(alert: LogAlert): Record<string, string> {
  const labels: Record<string, string> = { severity: alert.severity };
  if (alert.team) labels.team = alert.team;
  if (alert.service) labels.service = alert.service;
  return sortKeys({ ...labels, ...alert.labels });
}

/** Grouping labels of a LogQL alert's outer aggregation (the labels its result keeps). */
function logAlertDynamicLabels(expr: string): string[] {
  return [...new Set(logqlGroupingLabels(expr))].sort();
}

/**
 * Every alert the generators emit: the alerting rules of every rule group, the SLO burn-rate alerts and
 * the log-based alerts of the log specs, each with the static labels Alertmanager routes on and the labels its expression keeps.
 */
export function collectAlerts(model: Model): GeneratedAlert[] {
  let alerts = collected.get(model);
  if (!alerts) {
    alerts = gatherAlerts(model);
    collected.set(model, alerts);
  }
  return alerts;
}

// The model is never changed once built, so its alert list is computed once for checks and generators.
const collected = new WeakMap<Model, GeneratedAlert[]>();

function gatherAlerts(model: Model): GeneratedAlert[] {
  const alerts: GeneratedAlert[] = [];
  for (const group of model.specs.rules) {
    group.value.rules.forEach((rule, i) => {
      if (!isAlertRule(rule)) return;
      alerts.push({
        alertname: rule.alert,
        labels: alertLabels(rule, group.value),
        dynamicLabels: outputLabels(rule.expr, model.catalog).labels,
        origin: locate(group, `rules[${i}]`),
      });
    });
  }
  alerts.push(...sloAlerts(model));
  for (const logs of model.specs.logs) {
    logs.value.alerts.forEach((alert, i) => {
      alerts.push({
        alertname: alert.alert,
        labels: logAlertLabels(alert),
        dynamicLabels: logAlertDynamicLabels(alert.expr),
        origin: locate(logs, `alerts[${i}]`),
      });
    });
  }
  return alerts;
}
