import { SLO_LABELS, type SloTier } from './names.ts';
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

export function severityOf(tier: SloTier): Severity {
  return tier.startsWith('page-') ? 'page' : 'ticket';
}

/** The labels a tier's alert adds: its severity's labels, then `slo_tier`. */
export function tierLabels(slo: SlothSlo, tier: SloTier): Record<string, string> {
  return { ...severityLabels(slo, severityOf(tier)), [SLO_LABELS.tier]: tier };
}
