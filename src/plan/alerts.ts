import { sloAlerts } from '../slo/alerts.ts';
import type { PlannedSloService } from '../slo/sloth-slo.ts';
import { logqlGroupingLabels } from '../logql/analyze.ts';
import { outputLabels } from '../promql/analyze.ts';
import { alertLabels, isAlertRule } from '../model/alert-rule.ts';
import type { GeneratedAlert } from '../model/generated-alert.ts';
import { logAlertLabels } from '../model/logs.ts';
import { locate, type Model } from '../model/model.ts';
import { routingLabels } from '../model/route-resolution.ts';

/** Grouping labels of a LogQL alert's outer aggregation (the labels its result keeps). */
function logAlertDynamicLabels(expr: string): string[] {
  return [...new Set(logqlGroupingLabels(expr))].sort();
}

/** A generated alert with the labels Alertmanager routes it on. */
export interface RoutedAlert extends GeneratedAlert {
  routingLabels: Readonly<Record<string, string>>;
}

/** The alerts with their routing labels under the stack's external labels. */
export function routed(alerts: readonly GeneratedAlert[], externalLabels: Record<string, string>): RoutedAlert[] {
  return alerts.map((alert) => ({ ...alert, routingLabels: routingLabels(alert, externalLabels) }));
}

/**
 * Every alert the generators emit: the alerting rules of every rule group, the SLO burn-rate alerts and
 * the log-based alerts of the log specs, each with the static labels Alertmanager routes on and the labels its expression keeps.
 */
export function planAlerts(model: Model, slos: readonly PlannedSloService[]): RoutedAlert[] {
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
  alerts.push(...sloAlerts(slos));
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
  return routed(alerts, model.stack.value.externalLabels);
}
