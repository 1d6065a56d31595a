import type { AlertWindows, SloService } from '../model/slo.ts';
import { PAGE_SEVERITY_LABELS, TICKET_SEVERITY_LABELS, resolveOptions, type ResolvedSloOptions } from '../model/slo.ts';
import { sliQueries, type SliQueries } from './sli.ts';
import { BUILTIN_WINDOWS, alertWindowsOf, periodMs } from './windows.ts';
import { sloId } from './names.ts';

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
  sli: SliQueries;
  alerting: {
    name?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    page: SlothAlert;
    ticket: SlothAlert;
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

/** Every SLO of a service spec, with infermon's defaults (page `severity: critical`, ticket `warning`). */
export function slothSlos(service: SloService, prometheusMajor: 2 | 3): SlothSlo[] {
  return service.slos.map((slo) => {
    // A period without a table is reported by the SLO check (slo/no-alert-windows); the workbook table
    // stands in so the model stays usable until then.
    const windows = alertWindowsOf(slo) ?? BUILTIN_WINDOWS.get(30 * 24 * 3600_000)!;
    const a = slo.alerting;
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
      sli: sliQueries(slo.sli, prometheusMajor),
      alerting: {
        name: a.name,
        labels: a.labels,
        annotations: a.annotations,
        page: { ...a.page, labels: withDefaultSeverity(a.labels, a.page.labels, PAGE_SEVERITY_LABELS) },
        ticket: { ...a.ticket, labels: withDefaultSeverity(a.labels, a.ticket.labels, TICKET_SEVERITY_LABELS) },
      },
      options: resolveOptions(service, slo),
    };
  });
}

/** True when the rules of this SLO are exactly Sloth's (no infermon guard changes them). */
export function isSlothIdentical(slo: SlothSlo): boolean {
  return slo.options.mode === 'sloth' && !slo.options.zeroTrafficGuard && slo.options.minEventRate === undefined;
}
