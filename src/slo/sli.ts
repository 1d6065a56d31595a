import { leValue } from '../conventions.ts';
import type { Matchers, Sli } from '../model/slo.ts';
import type { MetricSpec } from '../model/catalog.ts';

/** The placeholder Sloth replaces with each window. */
export const WINDOW = '{{.window}}';

/** An SLI as Sloth consumes it: an events pair (error and total queries) or a raw error-ratio query. */
export type SliQueries =
  | { kind: 'events'; errorQuery: string; totalQuery: string }
  | { kind: 'raw'; errorRatioQuery: string };

function matcherText(name: string, m: Matchers[string]): string {
  if (typeof m === 'string') return `${name}=${JSON.stringify(m)}`;
  if ('ne' in m) return `${name}!=${JSON.stringify(m.ne)}`;
  if ('re' in m) return `${name}=~${JSON.stringify(m.re)}`;
  return `${name}!~${JSON.stringify(m.nre)}`;
}

/** `name{a="x",b=~"y"}`, matchers in authored order, extra ones appended. */
export function selector(name: string, matchers: Matchers, extra: readonly string[] = []): string {
  const parts = [...Object.entries(matchers).map(([k, v]) => matcherText(k, v)), ...extra];
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}

const rateSum = (sel: string): string => `sum(rate(${sel}[${WINDOW}]))`;

function eventsQuery(e: string | { metric: MetricSpec; matchers: Matchers }): string {
  return typeof e === 'string' ? e : rateSum(selector(e.metric.name, e.matchers));
}

/**
 * The error side of a ratio SLI. A labelled error counter (`status_code="503"`) has no series until the
 * first error happens, which would leave a healthy service without an SLI; `or vector(0)` reads it as 0.
 */
function errorEventsQuery(e: string | { metric: MetricSpec; matchers: Matchers }): string {
  return typeof e === 'string' ? e : `(${eventsQuery(e)} or vector(0))`;
}

/** The Sloth SLI of a normalised SLI; latency thresholds use the stack's `le` spelling. */
export function sliQueries(sli: Sli, prometheusMajor: 2 | 3): SliQueries {
  switch (sli.kind) {
    case 'ratio':
      return { kind: 'events', errorQuery: errorEventsQuery(sli.errors), totalQuery: eventsQuery(sli.total) };
    case 'latency': {
      const count = selector(`${sli.histogram.name}_count`, sli.matchers);
      const fast = selector(`${sli.histogram.name}_bucket`, sli.matchers, [`le="${leValue(sli.threshold, prometheusMajor)}"`]);
      return {
        kind: 'events',
        errorQuery: `${rateSum(count)} - ${rateSum(fast)}`,
        totalQuery: rateSum(count),
      };
    }
    case 'raw':
      return { kind: 'raw', errorRatioQuery: sli.errorRatio };
  }
}

/** A query template with every `{{.window}}` replaced. */
export function atWindow(template: string, window: string): string {
  return template.replace(/\{\{ *\.window *\}\}/g, window);
}
