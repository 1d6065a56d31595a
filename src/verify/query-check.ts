import type { Plan } from '../plan/index.ts';
import type { Finding } from './findings.ts';
import { generatedQueries, type GeneratedQuery } from './generated-queries.ts';
import { asGrafanaSends, type GrafanaWindows } from './grafana-values.ts';
import { mapLimit } from './map-limit.ts';
import type { PrometheusApi } from './prometheus-api.ts';
import { SeriesProbe, type Verdict } from './series-probe.ts';

/**
 * Every generated query against the live Prometheus: the series each one reads must exist or their absence
 * be explained, and a query that should show data (a recording rule, a panel, an SLI's total) must return
 * some once its series exist.
 */

async function verdictOf(query: GeneratedQuery, api: PrometheusApi, probe: SeriesProbe, windows: GrafanaWindows): Promise<Verdict> {
  let text: string;
  try {
    text = query.kind === 'dashboard' ? await asGrafanaSends(query.expr, windows, async (label) => (await api.labelValues(label))[0]) : query.expr;
  } catch (err) {
    return { severity: 'problem', reason: (err as Error).message };
  }
  try {
    const verdict = await probe.query(text);
    if (verdict.severity !== 'data' || !query.expectsSeries) return verdict;
    if ((await api.seriesCount(text)) > 0) return verdict;
    return { severity: 'warning', reason: `no series, though every series it reads exists (sent: ${text})` };
  } catch (err) {
    return { severity: 'problem', reason: `query failed: ${(err as Error).message}` };
  }
}

export async function checkQueries(model: Plan, api: PrometheusApi, windows: GrafanaWindows, concurrency: number): Promise<{ checked: number; findings: Finding[] }> {
  const queries = generatedQueries(model, windows.rateInterval);
  const probe = new SeriesProbe(api, model);
  const verdicts = await mapLimit(queries, concurrency, (q) => verdictOf(q, api, probe, windows));
  const findings = queries.flatMap((q, i): Finding[] => {
    const v = verdicts[i]!;
    if (v.severity === 'data') return [];
    return [{ check: 'queries', severity: v.severity, subject: `${q.kind} ${q.name}`, message: v.reason, at: q.at }];
  });
  return { checked: queries.length, findings };
}
