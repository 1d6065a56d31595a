import { SLO_LABELS } from './names.ts';
import type { SlothSlo } from './sloth-slo.ts';

/** The labels every series of an SLO carries, whichever rules write it. */

export type Severity = 'page' | 'ticket';

export function idLabels(slo: SlothSlo): Record<string, string> {
  return { [SLO_LABELS.id]: slo.id, [SLO_LABELS.service]: slo.service, [SLO_LABELS.slo]: slo.name };
}

export function userLabels(slo: SlothSlo): Record<string, string> {
  return { ...slo.serviceLabels, ...slo.labels };
}

/** The labels a page or ticket alert adds: the alerting labels, the severity's own, then `sloth_severity`. */
export function severityLabels(slo: SlothSlo, severity: Severity): Record<string, string> {
  return { ...slo.alerting.labels, ...slo.alerting[severity].labels, [SLO_LABELS.severity]: severity };
}
