import { OUT, fileStem, leValue } from '../../src/conventions.ts';
import { fileHeader, type Artifact } from '../../src/model/artifact.ts';
import type { Model } from '../../src/model/model.ts';
import type { Sli, Slo, SloService } from '../../src/model/slo.ts';
import { atWindow, selector } from '../../src/slo/sli.ts';
import {
  OPENSLO_ALERTS_ANNOTATION,
  OPENSLO_ALERT_NAME_ANNOTATION,
  OPENSLO_API_VERSION,
  OPENSLO_QUERY_RANGE,
} from '../../src/slo/openslo.ts';

/**
 * Every SLO as an OpenSLO v1 `SLO` with its indicator inline, one file per service under `out/openslo/`,
 * for tools that read OpenSLO. Queries read a fixed range (`OPENSLO_QUERY_RANGE`) where infermon's rules
 * read each burn-rate window.
 */

const RANGE = OPENSLO_QUERY_RANGE;

type Events = Extract<Sli, { kind: 'ratio' }>['errors'];

const source = (query: string) => ({ metricSource: { type: 'Prometheus', spec: { query } } });
const rateSum = (sel: string): string => `sum(rate(${sel}[${RANGE}]))`;
const eventsQuery = (e: Events): string => (typeof e === 'string' ? atWindow(e, RANGE) : rateSum(selector(e.metric.name, e.matchers)));

function ratioMetric(sli: Sli, prometheusMajor: 2 | 3): Record<string, unknown> {
  switch (sli.kind) {
    case 'ratio':
      return { counter: false, bad: source(eventsQuery(sli.errors)), total: source(eventsQuery(sli.total)) };
    case 'latency':
      return {
        counter: false,
        good: source(rateSum(selector(`${sli.histogram.name}_bucket`, sli.matchers, [`le="${leValue(sli.threshold, prometheusMajor)}"`]))),
        total: source(rateSum(selector(`${sli.histogram.name}_count`, sli.matchers))),
      };
    case 'raw':
      return { counter: false, rawType: 'failure', raw: source(atWindow(sli.errorRatio, RANGE)) };
  }
}

function sloDocument(service: SloService, slo: Slo, prometheusMajor: 2 | 3): Record<string, unknown> {
  const labels = { ...service.labels, ...slo.labels };
  const alertsOff = slo.alerting.page.disable && slo.alerting.ticket.disable;
  const annotations = alertsOff ? { [OPENSLO_ALERTS_ANNOTATION]: 'disabled' } : slo.alerting.name ? { [OPENSLO_ALERT_NAME_ANNOTATION]: slo.alerting.name } : {};
  return {
    apiVersion: OPENSLO_API_VERSION,
    kind: 'SLO',
    metadata: {
      name: slo.name,
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: {
      ...(slo.description ? { description: slo.description } : {}),
      service: service.service,
      indicator: { metadata: { name: `${slo.name}-sli` }, spec: { ratioMetric: ratioMetric(slo.sli, prometheusMajor) } },
      timeWindow: [{ duration: slo.period, isRolling: true }],
      budgetingMethod: 'Occurrences',
      objectives: [{ target: Number((slo.objective / 100).toPrecision(15)) }],
    },
  };
}

export function openSloArtifacts(model: Model): Artifact[] {
  const stack = model.stack.value;
  return (model.specs.slos ?? []).map((located) => ({
    path: `${OUT.openslo}/${fileStem(located.value.service)}.yaml`,
    format: 'yaml-documents' as const,
    documents: located.value.slos.map((slo) => sloDocument(located.value, slo, stack.prometheusMajor)),
    header: fileHeader(stack, [located.file]),
  }));
}
