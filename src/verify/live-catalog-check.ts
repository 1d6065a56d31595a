import { RECORDING_RULES_SOURCE } from '../model/catalog-index.ts';
import type { Source } from '../model/catalog.ts';
import type { Model } from '../model/model.ts';
import { compareWithSource, type ObservedSeries } from './catalog-compare.ts';
import type { Finding } from './findings.ts';
import { mapLimit } from './map-limit.ts';
import type { PrometheusApi } from './prometheus-api.ts';
import { scrapedSourcesOf } from './target-check.ts';

/**
 * The families and label sets Prometheus holds under each source's job, against the catalog. Drift is a
 * warning, not a failure: live servers also expose their runtime's own families (process_*, python_*).
 */

/**
 * Series Prometheus writes itself that keep the job label: the per-target `up` and `scrape_*`, alert
 * state, and the outputs of recording rules.
 */
function madeByPrometheus(name: string, model: Model): boolean {
  if (name === 'up' || name.startsWith('scrape_') || name === 'ALERTS' || name === 'ALERTS_FOR_STATE') return true;
  return model.catalog.family(name)?.source === RECORDING_RULES_SOURCE;
}

async function observedUnderJob(model: Model, api: PrometheusApi, job: string, concurrency: number): Promise<ObservedSeries[]> {
  const jobMatcher = `job=${JSON.stringify(job)}`;
  const names = (await api.labelValues('__name__', `{${jobMatcher}}`)).filter((n) => !madeByPrometheus(n, model));
  return mapLimit(names, concurrency, async (name) => ({
    name,
    labels: new Set(await api.labelNames(`{__name__=${JSON.stringify(name)}, ${jobMatcher}}`)),
    sampled: true,
  }));
}

async function checkSource(model: Model, api: PrometheusApi, source: Source, concurrency: number): Promise<Finding[]> {
  const observed = await observedUnderJob(model, api, source.job, concurrency);
  if (observed.length === 0) return []; // the targets check reports a job without series
  // The catalog lists only the few platform families the bundled content reads; the rest is no drift.
  const unknownFamily = source.delivery === 'platform' ? 'ignore' : 'warning';
  return compareWithSource(
    observed,
    model.catalog,
    source,
    { unknownFamily, unknownLabel: 'warning', missingFamily: 'note' },
    `job ${source.job}`,
  );
}

export async function checkLiveCatalog(model: Model, api: PrometheusApi, concurrency: number): Promise<Finding[]> {
  const perSource = await mapLimit(scrapedSourcesOf(model), 2, (s) => checkSource(model, api, s, concurrency));
  return perSource.flat();
}
