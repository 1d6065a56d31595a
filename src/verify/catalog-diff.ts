import { readFile } from 'node:fs/promises';
import { request } from 'undici';
import type { Catalog } from '../model/catalog-index.ts';
import type { Source } from '../model/catalog.ts';
import { parseExposition, type Family } from '../runtime/telemetry/exposition.ts';
import { compareWithSource, resolveSeries, type ObservedSeries } from './catalog-compare.ts';
import type { Report } from './findings.ts';

/**
 * `infermon catalog diff`: one /metrics endpoint, or a saved exposition, against the catalog source it
 * belongs to. Every difference is a problem here: a family or label the catalog lacks, or a family the
 * catalog promises (not conditional, not removed) that is not exposed.
 */

/** The text exposition at a URL (asked for in format 0.0.4) or in a file. */
export async function readExposition(scrape: string): Promise<string> {
  if (!/^https?:\/\//.test(scrape)) return readFile(scrape, 'utf8');
  let res;
  try {
    res = await request(scrape, { headers: { accept: 'text/plain;version=0.0.4' }, headersTimeout: 30_000, bodyTimeout: 30_000 });
  } catch (err) {
    throw new Error(`GET ${scrape}: ${(err as Error).message}`);
  }
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`GET ${scrape}: HTTP ${res.statusCode}`);
  return text;
}

/** Each series name of the exposition with the label names on its samples; families without samples too. */
export function observedSeries(families: ReadonlyMap<string, Family>): ObservedSeries[] {
  const out: ObservedSeries[] = [];
  for (const family of families.values()) {
    if (family.samples.length === 0) {
      out.push({ name: family.name, labels: new Set(), sampled: false });
      continue;
    }
    const byName = new Map<string, Set<string>>();
    for (const s of family.samples) {
      const labels = byName.get(s.name) ?? new Set<string>();
      for (const l of Object.keys(s.labels)) labels.add(l);
      byName.set(s.name, labels);
    }
    for (const [name, labels] of byName) out.push({ name, labels, sampled: true });
  }
  return out;
}

/**
 * The source most of the exposed families belong to. Deployments of one source share its families, so a
 * tie goes to the deployment named after the families' namespace (`vllm` for `vllm:*`), then the first.
 */
function likeliestSource(observed: readonly ObservedSeries[], catalog: Catalog, sources: readonly Source[]): Source | undefined {
  let best: { source: Source; hits: number; named: boolean } | undefined;
  for (const source of sources) {
    const own = new Set(source.metrics.map((m) => m.name));
    const hits = observed.filter((s) => {
      const found = resolveSeries(catalog, s.name);
      return found !== undefined && own.has(found.metric.name);
    }).length;
    const named = source.metrics.some((m) => m.name.startsWith(`${source.name}:`) || m.name.startsWith(`${source.name}_`));
    if (hits > 0 && (!best || hits > best.hits || (hits === best.hits && named && !best.named))) best = { source, hits, named };
  }
  return best?.source;
}

export function catalogDiff(exposition: string, against: string, catalog: Catalog, sourceName?: string): Report {
  const observed = observedSeries(parseExposition(exposition));
  const source = sourceName ? catalog.source(sourceName) : likeliestSource(observed, catalog, catalog.sources);
  if (!source)
    throw new Error(
      sourceName
        ? `no catalog source is called ${sourceName}; known: ${catalog.sources.map((s) => s.name).join(', ')}`
        : `none of the ${observed.length} series of ${against} belongs to a catalog source; name one with --source`,
    );
  const findings = compareWithSource(
    observed,
    catalog,
    source,
    { unknownFamily: 'problem', unknownLabel: 'problem', missingFamily: 'problem' },
    source.name,
  );
  return { against, checked: { series: observed.length }, findings };
}
