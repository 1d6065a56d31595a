import { OUT, generatedHeader } from '../../src/conventions.ts';
import type { Artifact } from '../../src/model/artifact.ts';
import type { Metric } from '../../src/model/catalog.ts';
import type { Model } from '../../src/model/model.ts';
import { sortKeys } from '../../src/model/sort-keys.ts';
import { renderTemplate } from '../../src/templates.ts';

function labelsText(m: Metric): string {
  return Object.entries(m.labels)
    .map(([name, l]) => (l.kind === 'enum' ? `${name} (${l.values!.join(', ')})` : `${name} (${l.kind})`))
    .join(', ');
}

function statusText(m: Metric): string {
  if (m.removedIn) return `removed in ${m.removedIn}${m.renamedTo ? `; use ${m.renamedTo}` : ''}`;
  if (m.deprecated) return `deprecated in ${m.deprecated}${m.renamedTo ? `; use ${m.renamedTo}` : ''}`;
  if (m.conditional) return `only when ${m.conditional}`;
  return m.since ? `since ${m.since}` : 'current';
}

/** The catalog as Markdown tables, one per source. */
export function catalogMarkdown(model: Model): string {
  const sources = model.specs.source.map(({ value: s }) => ({
    ...s,
    scraped: s.delivery === 'scrape',
    portName: s.port.name,
    portNumber: s.port.number,
    interval: s.scrapeInterval,
    metrics: s.metrics.map((m) => ({
      name: m.name,
      type: m.type,
      unit: m.unit,
      labels: labelsText({ ...m, source: s.name }),
      buckets: m.buckets?.join(', ') ?? '',
      status: statusText({ ...m, source: s.name }),
    })),
  }));
  return renderTemplate('docs/metrics.md.hbs', {
    header: generatedHeader(model.stack.value, model.specs.source.map((s) => s.file), '<!--').replace(/\n$/, ' -->'),
    metricCount: sources.reduce((n, s) => n + s.metrics.length, 0),
    sourceCount: sources.length,
    sources,
  });
}

/** The catalog as one JSON document: every source with its families. */
export function catalogDocument(model: Model): unknown {
  return sortKeys(model.specs.source.map((s) => s.value));
}

export function catalogDocs(model: Model): Artifact[] {
  return [{ path: `${OUT.docs}/metrics.md`, format: 'text', text: catalogMarkdown(model) }];
}
