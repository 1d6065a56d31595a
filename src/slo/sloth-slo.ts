import type { Located } from '../model/model.ts';
import type { AlertWindows, SloService } from '../model/slo.ts';
import { PAGE_SEVERITY_LABELS, TICKET_SEVERITY_LABELS, resolveOptions, type ResolvedSloOptions } from '../model/slo.ts';
import { sliQueries, type SliQueries } from './sli.ts';
import { BUILTIN_WINDOWS, alertWindowsOf, periodMs } from './windows.ts';
import { SLO_TIERS, sloId, type SloTier } from './names.ts';

/**
 * One SLO at the level Sloth sees it: queries already rendered, labels merged, defaults applied. Sloth
 * specs, CRs and native rules are all produced from this one value.
 */
export interface SlothAlert {
  disable: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface SlothSlo {
  service: string;
  name: string;
  id: string;
  objective: number;
  description?: string;
  /** Period in milliseconds. */
  period: number;
  windows: AlertWindows;
  /** Labels declared on the service (every SLO of the file). */
  serviceLabels: Record<string, string>;
  /** Labels declared on the SLO itself. */
  labels: Record<string, string>;
  /** Labels the SLO is kept per value of; the SLI queries already `sum by` them. */
  groupBy: string[];
  sli: SliQueries;
  alerting: {
    name?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    /** Disabled when none of its tiers alerts. */
    page: SlothAlert;
    ticket: SlothAlert;
    /** The tiers chosen in the spec; undefined keeps every tier of the enabled alerts. */
    tiers?: SloTier[];
  };
  options: ResolvedSloOptions;
}

function withDefaultSeverity(
  alertingLabels: Record<string, string>,
  own: Record<string, string>,
  defaults: Record<string, string>,
): Record<string, string> {
  const missing = Object.fromEntries(Object.entries(defaults).filter(([k]) => !(k in alertingLabels) && !(k in own)));
  return { ...missing, ...own };
}

/** An SLO service spec and its SLOs as every output renders them. */
export interface PlannedSloService {
  located: Located<SloService>;
  slos: SlothSlo[];
}

/** Every SLO service of the specs, normalised once for the catalog, the checks and every generator. */
export function planSloServices(services: ReadonlyArray<Located<SloService>>, prometheusMajor: 2 | 3): PlannedSloService[] {
  return services.map((located) => ({ located, slos: slothSlos(located.value, prometheusMajor) }));
}

/** Every SLO of a service spec, with infermon's defaults (page `severity: critical`, ticket `warning`). */
export function slothSlos(service: SloService, prometheusMajor: 2 | 3): SlothSlo[] {
  return service.slos.map((slo) => {
    // A period without a table is reported by the SLO check (slo/no-alert-windows); the workbook table
    // stands in so the model stays usable until then.
    const windows = alertWindowsOf(slo) ?? BUILTIN_WINDOWS.get(30 * 24 * 3600_000)!;
    const a = slo.alerting;
    const chosen = (severity: 'page' | 'ticket'): boolean => a.tiers === undefined || a.tiers.some((t) => t.startsWith(`${severity}-`));
    return {
      service: service.service,
      name: slo.name,
      id: sloId(service.service, slo.name),
      objective: slo.objective,
      description: slo.description,
      period: periodMs(slo),
      windows,
      serviceLabels: service.labels,
      labels: slo.labels,
      groupBy: slo.groupBy,
      sli: sliQueries(slo.sli, prometheusMajor, slo.groupBy),
      alerting: {
        name: a.name,
        labels: a.labels,
        annotations: a.annotations,
        page: { ...a.page, disable: a.page.disable || !chosen('page'), labels: withDefaultSeverity(a.labels, a.page.labels, PAGE_SEVERITY_LABELS) },
        ticket: { ...a.ticket, disable: a.ticket.disable || !chosen('ticket'), labels: withDefaultSeverity(a.labels, a.ticket.labels, TICKET_SEVERITY_LABELS) },
        ...(a.tiers === undefined ? {} : { tiers: a.tiers }),
      },
      options: resolveOptions(service, slo),
    };
  });
}

/** True when the rules of this SLO are exactly Sloth's (no infermon guard changes them). */
export function isSlothIdentical(slo: SlothSlo): boolean {
  return slo.options.mode === 'sloth' && !slo.options.zeroTrafficGuard && slo.options.minEventRate === undefined && !tieredAlerts(slo);
}

/**
 * Whether the burn-rate alerts are one per tier (labelled `slo_tier`) rather than Sloth's page and ticket
 * alerts: always in the efficient mode, and in the Sloth mode once the spec chooses tiers.
 */
export function tieredAlerts(slo: Pick<SlothSlo, 'options' | 'alerting'>): boolean {
  return slo.options.mode === 'efficient' || slo.alerting.tiers !== undefined;
}

/** The tiers that alert, in table order. */
export function alertingTiers(slo: Pick<SlothSlo, 'alerting'>): SloTier[] {
  return SLO_TIERS.filter((tier) => {
    const severity = tier.startsWith('page-') ? 'page' : 'ticket';
    return !slo.alerting[severity].disable && (slo.alerting.tiers === undefined || slo.alerting.tiers.includes(tier));
  });
}
