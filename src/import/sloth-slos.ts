import type { ParsedSlothService } from './sloth-parse.ts';
import type { SlothSlo } from '../slo/sloth-slo.ts';
import { BUILTIN_WINDOWS } from '../slo/windows.ts';
import { sloId } from '../slo/names.ts';

/** SLOs of a parsed Sloth file exactly as Sloth would see them (its defaults, none of infermon's). */
export function slothSlosFromParsed(service: ParsedSlothService, periodMs = 30 * 24 * 3600_000): SlothSlo[] {
  const windows = BUILTIN_WINDOWS.get(periodMs);
  if (!windows) throw new Error(`no built-in alert windows for a period of ${periodMs} ms`);
  return service.slos.map((slo) => ({
    service: service.service,
    name: slo.name,
    id: sloId(service.service, slo.name),
    objective: slo.objective,
    description: slo.description,
    period: periodMs,
    windows,
    serviceLabels: service.labels,
    labels: slo.labels,
    groupBy: [],
    sli: slo.sli,
    alerting: slo.alerting,
    options: { mode: 'sloth', zeroTrafficGuard: false },
  }));
}
