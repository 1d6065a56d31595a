import { sortKeys } from '../model/sort-keys.ts';
import type { GeneratedAlert } from '../model/generated-alert.ts';
import { locate } from '../model/model.ts';
import { idLabels, severityLabels, tierLabels, userLabels } from './labels.ts';
import { alertingTiers, tieredAlerts, type PlannedSloService } from './sloth-slo.ts';

/**
 * Every SLO alert with the labels Alertmanager sees: rule labels plus the SLI series' static labels. A
 * grouped SLO's alerts also carry its group labels, whose values come with each firing group.
 */
export function sloAlerts(services: readonly PlannedSloService[]): GeneratedAlert[] {
  const out: GeneratedAlert[] = [];
  for (const { located, slos } of services) {
    slos.forEach((slo, i) => {
      if (!slo.alerting.name) return;
      const alert = (labels: Record<string, string>): GeneratedAlert => ({
        alertname: slo.alerting.name!,
        labels: sortKeys({ ...idLabels(slo), ...userLabels(slo), ...labels }),
        dynamicLabels: [...slo.groupBy],
        origin: locate(located, `slos[${i}].alerting`),
      });
      if (tieredAlerts(slo)) {
        for (const tier of alertingTiers(slo)) out.push(alert(tierLabels(slo, tier)));
        return;
      }
      for (const severity of ['page', 'ticket'] as const) if (!slo.alerting[severity].disable) out.push(alert(severityLabels(slo, severity)));
    });
  }
  return out;
}
