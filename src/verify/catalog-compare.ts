import type { Catalog, SeriesLookup } from '../model/catalog-index.ts';
import type { Source } from '../model/catalog.ts';
import { POD_MONITOR_TARGET_LABELS, SERVICE_MONITOR_TARGET_LABELS, STATIC_TARGET_LABELS } from '../model/target-labels.ts';
import type { Finding, Severity } from './findings.ts';

/**
 * What a source really exposes against what its catalog entry says: families the catalog lacks, labels it
 * does not declare, catalog labels never seen, catalog families that never appear. Pure: the series come
 * from a scrape (`catalog diff`) or from Prometheus (`verify`).
 */

export interface ObservedSeries {
  /** Series name as exposed: `x_total`, `x_bucket`, `x_created`. */
  name: string;
  /** Label names seen on its samples. */
  labels: ReadonlySet<string>;
  /** False for a family that is declared (HELP/TYPE) but has no sample yet. */
  sampled: boolean;
}

export interface CompareSeverities {
  /** `ignore` where the catalog deliberately lists only some of a source's families. */
  unknownFamily: Severity | 'ignore';
  unknownLabel: Severity;
  missingFamily: Severity;
}

const HISTOGRAM_OR_SUMMARY_LABELS = { le: 'histogram', quantile: 'summary' } as const;

/** The catalog family a series belongs to; a Python client's `x_created` belongs to counter `x_total`. */
export function resolveSeries(catalog: Catalog, name: string): SeriesLookup | undefined {
  const direct = catalog.lookupSeries(name);
  if (direct) return direct;
  if (!name.endsWith('_created')) return undefined;
  const found = catalog.lookupSeries(`${name.slice(0, -'_created'.length)}_total`);
  return found && found.suffix === '' ? { metric: found.metric, suffix: '_created' } : undefined;
}

/** Labels Prometheus may attach to the source's series besides the family's own. */
function attachedLabels(source: Source, catalog: Catalog): Set<string> {
  const k8s = source.kubernetes;
  const target = !k8s ? STATIC_TARGET_LABELS : k8s.serviceLabels ? SERVICE_MONITOR_TARGET_LABELS : POD_MONITOR_TARGET_LABELS;
  return new Set([...catalog.extraLabels, ...target]);
}

function allowedLabel(label: string, lookup: SeriesLookup, attached: ReadonlySet<string>): boolean {
  if (label === '__name__' || label in lookup.metric.labels || attached.has(label)) return true;
  const kind = HISTOGRAM_OR_SUMMARY_LABELS[label as keyof typeof HISTOGRAM_OR_SUMMARY_LABELS];
  return kind !== undefined && lookup.metric.type === kind;
}

function listed(names: Iterable<string>, limit = 20): string {
  const all = [...names].sort();
  return `${all.slice(0, limit).join(', ')}${all.length > limit ? `, ... (${all.length} in all)` : ''}`;
}

export function compareWithSource(
  observed: readonly ObservedSeries[],
  catalog: Catalog,
  source: Source,
  severities: CompareSeverities,
  /** Names what was compared (a job, a source), first word of every finding's subject. */
  subject: string,
): Finding[] {
  const own = new Set(source.metrics.map((m) => m.name));
  const attached = attachedLabels(source, catalog);
  const unknownFamilies = new Set<string>();
  const seen = new Map<string, { lookup: SeriesLookup; labels: Set<string>; sampled: boolean; unknown: Set<string> }>();
  for (const series of observed) {
    const lookup = resolveSeries(catalog, series.name);
    if (!lookup || !own.has(lookup.metric.name)) {
      unknownFamilies.add(series.name);
      continue;
    }
    const entry = seen.get(lookup.metric.name) ?? { lookup, labels: new Set<string>(), sampled: false, unknown: new Set<string>() };
    entry.sampled ||= series.sampled;
    for (const label of series.labels) {
      entry.labels.add(label);
      if (!allowedLabel(label, lookup, attached)) entry.unknown.add(label);
    }
    seen.set(lookup.metric.name, entry);
  }

  const findings: Finding[] = [];
  const about = (family: string) => `${subject} ${family}`;
  if (unknownFamilies.size > 0 && severities.unknownFamily !== 'ignore')
    findings.push({
      check: 'families',
      severity: severities.unknownFamily,
      subject,
      message: `families the catalog's ${source.name} lacks: ${listed(unknownFamilies)}`,
    });
  for (const [name, entry] of seen) {
    if (entry.unknown.size > 0)
      findings.push({ check: 'labels', severity: severities.unknownLabel, subject: about(name), message: `labels the catalog does not declare: ${listed(entry.unknown)}` });
    const neverSeen = Object.keys(entry.lookup.metric.labels).filter((l) => !entry.labels.has(l));
    if (entry.sampled && neverSeen.length > 0)
      findings.push({ check: 'labels', severity: 'note', subject: about(name), message: `catalog labels not seen on any series: ${listed(neverSeen)}` });
  }
  const missing = source.metrics.filter((m) => !m.conditional && !m.removedIn && !m.absentUntil && !seen.has(m.name)).map((m) => m.name);
  if (missing.length > 0)
    findings.push({ check: 'families', severity: severities.missingFamily, subject, message: `catalog families of ${source.name} not exposed: ${listed(missing)}` });
  return findings;
}
