import { sortKeys } from '../model/sort-keys.ts';
import type { GeneratedAlert } from '../model/generated-alert.ts';
import { locate, type Model } from '../model/model.ts';
import { idLabels, severityLabels, userLabels } from './labels.ts';
import { slothSlos } from './sloth-slo.ts';

/** Every SLO alert with the labels Alertmanager sees: rule labels plus the SLI series' static labels. */
export function sloAlerts(model: Model): GeneratedAlert[] {
  const out: GeneratedAlert[] = [];
  for (const located of model.specs.slos ?? []) {
    const slos = slothSlos(located.value, model.stack.value.prometheusMajor);
    slos.forEach((slo, i) => {
      if (!slo.alerting.name) return;
      for (const severity of ['page', 'ticket'] as const) {
        if (slo.alerting[severity].disable) continue;
        out.push({
          alertname: slo.alerting.name,
          labels: sortKeys({ ...idLabels(slo), ...userLabels(slo), ...severityLabels(slo, severity) }),
          dynamicLabels: [],
          origin: locate(located, `slos[${i}].alerting`),
        });
      }
    });
  }
  return out;
}
