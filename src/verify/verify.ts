import type { Plan } from '../plan/index.ts';
import type { Report } from './findings.ts';
import type { GrafanaWindows } from './grafana-values.ts';
import { checkLiveCatalog } from './live-catalog-check.ts';
import { PrometheusApi } from './prometheus-api.ts';
import { checkQueries } from './query-check.ts';
import { checkTargets } from './target-check.ts';

/**
 * `infermon verify`: the specs held against a running Prometheus. Targets of every scraped source are
 * discovered and up; every generated query reads series that exist, or their absence is explained; the
 * families and labels under each source's job match the catalog.
 */

export interface VerifyOptions {
  prometheusUrl: string;
  /** What `$__rate_interval` and the SLI windows become; wide enough for a few scrapes. */
  rateInterval?: string;
  /** Requests in flight at once. */
  concurrency?: number;
}

export async function verify(model: Plan, options: VerifyOptions): Promise<Report> {
  const api = new PrometheusApi(options.prometheusUrl);
  const rateInterval = options.rateInterval ?? '5m';
  const windows: GrafanaWindows = { rateInterval, interval: rateInterval, range: '1h' };
  const concurrency = options.concurrency ?? 8;
  const targets = await checkTargets(model, api);
  const queries = await checkQueries(model, api, windows, concurrency);
  const catalog = await checkLiveCatalog(model, api, concurrency);
  return {
    against: api.url,
    checked: { jobs: targets.checked, queries: queries.checked },
    findings: [...targets.findings, ...queries.findings, ...catalog],
  };
}
