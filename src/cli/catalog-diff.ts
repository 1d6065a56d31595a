import type { Model } from '../model/model.ts';
import { catalogDiff, readExposition } from '../verify/catalog-diff.ts';
import { hasProblems, reportJson, reportText } from '../verify/findings.ts';

export interface CatalogDiffOptions {
  scrape: string;
  source?: string;
  format: 'text' | 'json';
}

/** `infermon catalog diff --scrape URL|FILE`: prints the differences; false when there are any. */
export async function runCatalogDiff(model: Model, options: CatalogDiffOptions): Promise<boolean> {
  const report = catalogDiff(await readExposition(options.scrape), options.scrape, model.catalog, options.source);
  process.stdout.write(options.format === 'json' ? reportJson(report) : reportText('infermon catalog diff', report));
  return !hasProblems(report);
}
