import { leValue } from '../conventions.ts';
import type { Matchers, Sli } from '../model/slo.ts';
import type { LabelSpec, MetricSpec } from '../model/catalog.ts';

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

/** `sum(...)`, or `sum by (<group>) (...)` for a grouped SLO. */
function sumOf(inner: string, groupBy: readonly string[]): string {
  return groupBy.length ? `sum by (${groupBy.join(', ')}) (${inner})` : `sum(${inner})`;
}

const rateSum = (sel: string, groupBy: readonly string[]): string => sumOf(`rate(${sel}[${WINDOW}])`, groupBy);

type Events = string | { metric: MetricSpec; matchers: Matchers };

function eventsQuery(e: Events, groupBy: readonly string[]): string {
  return typeof e === 'string' ? e : rateSum(selector(e.metric.name, e.matchers), groupBy);
}

/**
 * The error side of a ratio SLI. A labelled error counter (`status_code="503"`) has no series until the
 * first error happens, which would leave a healthy service without an SLI; `or vector(0)` reads it as 0.
 * Grouped, each group with traffic and no errors reads 0 the same way: `or` the total times zero.
 */
function errorEventsQuery(errors: Events, total: Events, groupBy: readonly string[]): string {
  if (typeof errors === 'string') return errors;
  const none = groupBy.length ? `${eventsQuery(total, groupBy)} * 0` : 'vector(0)';
  return `(${eventsQuery(errors, groupBy)} or ${none})`;
}

/**
 * The Sloth SLI of a normalised SLI; latency thresholds use the stack's `le` spelling. A grouped SLO's
 * queries keep its group labels (`sum by`), which Sloth's rules carry through every window unchanged.
 */
export function sliQueries(sli: Sli, prometheusMajor: 2 | 3, groupBy: readonly string[] = []): SliQueries {
  switch (sli.kind) {
    case 'ratio':
      return { kind: 'events', errorQuery: errorEventsQuery(sli.errors, sli.total, groupBy), totalQuery: eventsQuery(sli.total, groupBy) };
    case 'latency': {
      const count = selector(`${sli.histogram.name}_count`, sli.matchers);
      const fast = selector(`${sli.histogram.name}_bucket`, sli.matchers, [`le="${leValue(sli.threshold, prometheusMajor)}"`]);
      return {
        kind: 'events',
        errorQuery: `${rateSum(count, groupBy)} - ${rateSum(fast, groupBy)}`,
        totalQuery: rateSum(count, groupBy),
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

/** The catalog metrics an SLI reads; a query template has none. */
export function sliMetrics(sli: Sli): MetricSpec[] {
  if (sli.kind === 'latency') return [sli.histogram];
  if (sli.kind === 'ratio') return [sli.errors, sli.total].flatMap((e) => (typeof e === 'string' ? [] : [e.metric]));
  return [];
}

const LOOSENESS = ['enum', 'bounded', 'unbounded'];

/** The loosest of several descriptions of one label (`unbounded` over `bounded` over `enum`); undefined when one lacks it. */
export function loosestLabel(specs: ReadonlyArray<LabelSpec | undefined>): LabelSpec | undefined {
  if (specs.length === 0 || specs.some((l) => l === undefined)) return undefined;
  return specs.reduce((a, b) => (LOOSENESS.indexOf(b!.kind) > LOOSENESS.indexOf(a!.kind) ? b : a));
}

/** How a group label is described by the SLI's metrics themselves (labels a scrape adds are not among them). */
export function groupLabelSpec(sli: Sli, name: string): LabelSpec | undefined {
  return loosestLabel(sliMetrics(sli).map((m) => m.labels?.[name]));
}
