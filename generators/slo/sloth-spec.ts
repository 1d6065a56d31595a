import { sortKeys } from '../../src/model/sort-keys.ts';
import type { SlothAlert, SlothSlo } from '../../src/slo/sloth-slo.ts';

/**
 * An SLO service as Sloth input: the `prometheus/v1` spec (snake_case) and the `sloth.slok.dev/v1`
 * PrometheusServiceLevel spec (camelCase). The two differ only in key spelling.
 */
type Casing = 'snake' | 'camel';

const KEYS = {
  snake: { errorQuery: 'error_query', totalQuery: 'total_query', errorRatioQuery: 'error_ratio_query', page: 'page_alert', ticket: 'ticket_alert' },
  camel: { errorQuery: 'errorQuery', totalQuery: 'totalQuery', errorRatioQuery: 'errorRatioQuery', page: 'pageAlert', ticket: 'ticketAlert' },
} as const;

const sorted = (r: Record<string, string>): Record<string, string> | undefined =>
  Object.keys(r).length ? sortKeys(r) : undefined;

function alertBlock(a: SlothAlert): Record<string, unknown> | undefined {
  if (a.disable) return { disable: true };
  const out = { labels: sorted(a.labels), annotations: sorted(a.annotations) };
  return out.labels || out.annotations ? out : undefined;
}

function sloBlock(slo: SlothSlo, casing: Casing): Record<string, unknown> {
  const k = KEYS[casing];
  const sli =
    slo.sli.kind === 'events'
      ? { events: { [k.errorQuery]: slo.sli.errorQuery, [k.totalQuery]: slo.sli.totalQuery } }
      : { raw: { [k.errorRatioQuery]: slo.sli.errorRatioQuery } };
  const alerting: Record<string, unknown> = {
    name: slo.alerting.name,
    labels: sorted(slo.alerting.labels),
    annotations: sorted(slo.alerting.annotations),
    [k.page]: alertBlock(slo.alerting.page),
    [k.ticket]: alertBlock(slo.alerting.ticket),
  };
  return {
    name: slo.name,
    objective: slo.objective,
    description: slo.description,
    labels: sorted(slo.labels),
    sli,
    alerting,
  };
}

/** The body of a `prometheus/v1` spec for SLOs of one service and one period. */
export function slothPrometheusV1(service: string, serviceLabels: Record<string, string>, slos: readonly SlothSlo[]): Record<string, unknown> {
  return { version: 'prometheus/v1', service, labels: sorted(serviceLabels), slos: slos.map((s) => sloBlock(s, 'snake')) };
}

/** The `spec` of a PrometheusServiceLevel for SLOs of one service and one period. */
export function slothCrSpec(service: string, serviceLabels: Record<string, string>, slos: readonly SlothSlo[]): Record<string, unknown> {
  return { service, labels: sorted(serviceLabels), slos: slos.map((s) => sloBlock(s, 'camel')) };
}
