import type { MetricSpec } from '../model/catalog.ts';
import type { Diagnostics, SpecLocation } from '../model/diagnostics.ts';
import { locate, type Located, type Model } from '../model/model.ts';
import { resolveOptions, type Sli, type SloService } from '../model/slo.ts';
import { runsSlothOperator } from '../model/targets.ts';
import { checkPromQL } from '../promql/check.ts';
import { sloId } from '../slo/names.ts';
import { atWindow, loosestLabel, sliMetrics, sliQueries } from '../slo/sli.ts';
import { alertWindowsOf, promDuration, BUILTIN_WINDOWS } from '../slo/windows.ts';
import { parseDuration } from '../model/duration.ts';

/**
 * SLO checks: objectives and thresholds that cannot work, SLIs on the wrong metric type, options a mode
 * cannot honour, and every SLI query through the catalog-aware PromQL check.
 */
export function checkSlos(model: Model, diagnostics: Diagnostics): void {
  const ids = new Map<string, string>();
  for (const located of model.specs.slos ?? []) {
    checkService(located, model, diagnostics);
    located.value.slos.forEach((slo, i) => {
      const id = sloId(located.value.service, slo.name);
      const previous = ids.get(id);
      if (previous)
        diagnostics.error('slo/duplicate-id', locate(located, `slos[${i}].name`), `SLO ID \`${id}\` is already declared in ${previous}`, 'rename the SLO or the service so every `<service>-<slo>` is unique');
      else ids.set(id, located.file);
    });
  }
  // The valid SLOs of a service that failed its schema have their SLIs checked at their places; the rest of
  // an SLO's checks read the service, which waits for its schema.
  for (const located of model.salvaged?.slos ?? [])
    for (const { index, slo } of located.value.slos) {
      checkSliMetrics(slo.sli, sloAt(located, index), model, diagnostics);
      checkSliQueries(slo.sli, sloAt(located, index), model, diagnostics);
    }
}

/** Places a field of the SLO at `index` in its service's `slos`. */
function sloAt(located: Located<unknown>, index: number): (path: string) => SpecLocation {
  return (path) => locate(located, `slos[${index}]${path ? `.${path}` : ''}`);
}

function metricIn(model: Model, metric: MetricSpec): boolean {
  return model.catalog.family(metric.name) !== undefined;
}

function checkService(located: Located<SloService>, model: Model, d: Diagnostics): void {
  const service = located.value;
  service.slos.forEach((slo, i) => {
    const at = sloAt(located, i);
    if (!(slo.objective > 0 && slo.objective < 100))
      d.error(
        'slo/objective-out-of-range',
        at('objective'),
        `objective ${slo.objective} is outside 0 < objective < 100 (${slo.objective >= 100 ? 'no error budget is left, every burn rate divides by zero' : 'it is a percentage'})`,
        'write the objective as a percentage such as 99.9',
      );
    if (!alertWindowsOf(slo))
      d.error(
        'slo/no-alert-windows',
        at('period'),
        `no burn-rate table for a ${slo.period} period (built in: ${[...BUILTIN_WINDOWS.keys()].map(promDuration).join(', ')})`,
        'add `windows: { page: { quick, slow }, ticket: { quick, slow } }` with errorBudgetPercent, shortWindow and longWindow',
      );
    else {
      const w = alertWindowsOf(slo)!;
      for (const [sev, pair] of [['page', w.page], ['ticket', w.ticket]] as const)
        for (const [speed, win] of [['quick', pair.quick], ['slow', pair.slow]] as const)
          if (parseDuration(win.shortWindow)! >= parseDuration(win.longWindow)!)
            d.error('slo/window-order', at(`windows.${sev}.${speed}`), `short window ${win.shortWindow} is not shorter than long window ${win.longWindow}`, 'make the short window about 1/12 of the long one');
    }

    const sli = slo.sli;
    checkSliMetrics(sli, at, model, d);

    checkGroupBy(located, i, model, d);

    const options = resolveOptions(service, slo);
    if (sli.kind === 'raw' && options.mode === 'efficient')
      d.error('slo/efficient-needs-events', at('options.mode'), 'the efficient mode sums error and total events; a raw SLI has only a ratio', 'give the SLI as a ratio or latency SLI, or use mode `sloth`');
    if (options.mode === 'efficient' && runsSlothOperator(model.stack.value.targets))
      d.error(
        'slo/efficient-needs-native',
        slo.options.mode === 'efficient' ? at('options.mode') : locate(located, 'options.mode'),
        'the Sloth operator writes its own rules from the PrometheusServiceLevel, so the efficient mode would not run',
        `use targets.slo \`native\` in ${model.stack.file}, or mode \`sloth\``,
      );
    if (sli.kind === 'raw' && options.minEventRate !== undefined)
      d.error('slo/min-event-rate-needs-events', at('options.minEventRate'), 'a minimum event rate needs the total events; a raw SLI has only a ratio', 'give the SLI as a ratio or latency SLI, or drop minEventRate');
    if (sli.kind === 'raw' || (sli.kind === 'ratio' && (typeof sli.errors === 'string' || typeof sli.total === 'string')))
      if (slo.alerting.name && !(slo.alerting.page.disable && slo.alerting.ticket.disable))
        d.warning('slo/untested-sli', at('sli'), 'SLI given as a query template: no promtool tests can be synthesised for its alerts', 'give the SLI as catalog metric objects with matchers');

    checkSliQueries(sli, at, model, d);
  });
}

/** An SLI's catalog metrics: each in the catalog and of the type the SLI counts with, a latency threshold on a bucket. */
function checkSliMetrics(sli: Sli, at: (path: string) => SpecLocation, model: Model, d: Diagnostics): void {
  if (sli.kind === 'ratio') {
    for (const side of ['errors', 'total'] as const) {
      const e = sli[side];
      if (typeof e === 'string') continue;
      if (!metricIn(model, e.metric))
        d.error('slo/unknown-metric', at(`sli.${side}.metric`), `\`${e.metric.name}\` is not in the catalog`, 'import the metric object from `infermon/catalog`');
      else if (e.metric.type !== 'counter')
        d.error('slo/not-a-counter', at(`sli.${side}.metric`), `\`${e.metric.name}\` is a ${e.metric.type}; a ratio SLI counts events with counters`, 'use a counter (`*_total`), or a latency SLI for a histogram');
    }
  }
  if (sli.kind === 'latency') {
    const h = sli.histogram;
    if (!metricIn(model, h)) d.error('slo/unknown-metric', at('sli.histogram'), `\`${h.name}\` is not in the catalog`, 'import the histogram from `infermon/catalog`');
    else if (h.type !== 'histogram')
      d.error('slo/not-a-histogram', at('sli.histogram'), `\`${h.name}\` is a ${h.type}; a latency SLI needs a histogram`, 'pick the histogram that measures this latency');
    else {
      const buckets = h.buckets ?? [];
      if (!buckets.includes(sli.threshold))
        d.error(
          'slo/threshold-not-a-bucket',
          at('sli.threshold'),
          `threshold ${sli.threshold} is not a bucket boundary of \`${h.name}\`; valid boundaries: ${buckets.join(', ')}`,
          `use one of ${buckets.join(', ')} (a threshold between buckets cannot be counted exactly)`,
        );
    }
  }
}

/** Every query the SLI makes, through the catalog-aware PromQL check at the field it comes from. */
function checkSliQueries(sli: Sli, at: (path: string) => SpecLocation, model: Model, d: Diagnostics): void {
  const major = model.stack.value.prometheusMajor;
  const queries = sliQueries(sli, major);
  const texts: Array<[string, string]> =
    queries.kind === 'events'
      ? [
          ['sli.errors', queries.errorQuery],
          ['sli.total', queries.totalQuery],
        ]
      : [['sli.errorRatio', queries.errorRatioQuery]];
  for (const [path, template] of texts) {
    for (const p of checkPromQL(atWindow(template, '5m'), { catalog: model.catalog, prometheusMajor: major }))
      d[p.severity](p.code, at(path), p.message, p.fix, p.subject);
  }
}

/**
 * Group labels: the SLI must be catalog metrics (infermon writes the `sum by`), each label one those
 * metrics carry with a bounded set of values (every value is a set of recorded series and an alert), and
 * none a static label of the rules, which would overwrite every group's value.
 */
function checkGroupBy(located: Located<SloService>, i: number, model: Model, d: Diagnostics): void {
  const service = located.value;
  const slo = service.slos[i]!;
  if (slo.groupBy.length === 0) return;
  const at = (path: string) => locate(located, `slos[${i}].${path}`);
  const metrics = sliMetrics(slo.sli);
  const templated = slo.sli.kind === 'raw' || (slo.sli.kind === 'ratio' && (typeof slo.sli.errors === 'string' || typeof slo.sli.total === 'string'));
  if (templated || metrics.length === 0) {
    d.error(
      'slo/group-needs-metrics',
      at('groupBy'),
      'a grouped SLO needs its SLI as catalog metrics: infermon writes the `sum by` of every window, which a query template or raw ratio already fixes',
      'give the SLI as a ratio of catalog counters or a latency SLI on a catalog histogram, or drop groupBy',
    );
    return;
  }
  const families = metrics.flatMap((m) => model.catalog.family(m.name) ?? []);
  // An SLI metric outside the catalog is reported as such; its labels cannot be judged.
  if (families.length < metrics.length) return;
  const names = metrics.map((m) => `\`${m.name}\``).join(' and ');
  const statics = { ...service.labels, ...slo.labels, ...slo.alerting.labels, ...slo.alerting.page.labels, ...slo.alerting.ticket.labels };
  slo.groupBy.forEach((label, j) => {
    const spec = loosestLabel(families.map((f) => model.catalog.labelOf(f, label)));
    if (!spec)
      d.error(
        'slo/unknown-group-label',
        at(`groupBy[${j}]`),
        `\`${label}\` is not a label of ${names} in the catalog, so every window would be one group without it`,
        `group by labels of the SLI's metrics (${[...new Set(metrics.flatMap((m) => Object.keys(m.labels ?? {})))].sort().join(', ')}) or the labels their scrape adds`,
      );
    else if (spec.kind === 'unbounded')
      d.error(
        'slo/unbounded-group-label',
        at(`groupBy[${j}]`),
        `\`${label}\` is an unbounded label of ${names}: every value would record its own series in every window and fire its own alerts, without limit`,
        'group by an enum or bounded label (such as `model`), or declare the label bounded in the catalog if its values are limited',
      );
    if (label in statics)
      d.error(
        'slo/group-label-conflict',
        at(`groupBy[${j}]`),
        `\`${label}\` is also a static label of the SLO's rules (\`${label}: ${statics[label]}\`), which would overwrite every group's value`,
        `drop the static \`${label}\` label; the grouped series and alerts carry each group's own`,
      );
  });
}
