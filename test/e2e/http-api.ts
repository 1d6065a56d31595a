import { request } from 'undici';

/** The few Prometheus and Alertmanager HTTP API calls the bench reads. */

export interface Sample {
  metric: Record<string, string>;
}

export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}

export interface AmAlert {
  fingerprint: string;
  labels: Record<string, string>;
  receivers: Array<{ name: string }>;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; inhibitedBy: string[]; silencedBy: string[] };
  startsAt: string;
}

export interface PromTarget {
  labels: Record<string, string>;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  scrapeUrl: string;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await request(url, { headersTimeout: 10_000, bodyTimeout: 10_000 });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

async function promData<T>(base: string, path: string): Promise<T> {
  const body = await getJson<{ status: string; data: T; error?: string }>(`${base}${path}`);
  if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? body.status}`);
  return body.data;
}

/** An instant query; scalars and strings count as one sample. */
/** Evaluates at `at` (epoch milliseconds) when given, else now. */
export async function instantQuery(prometheusUrl: string, expr: string, at?: number): Promise<Sample[]> {
  const time = at === undefined ? '' : `&time=${(at / 1000).toFixed(3)}`;
  const data = await promData<{ resultType: string; result: unknown }>(prometheusUrl, `/api/v1/query?query=${encodeURIComponent(expr)}${time}`);
  if (data.resultType === 'vector' || data.resultType === 'matrix') return data.result as Sample[];
  return [{ metric: {} }];
}

export async function prometheusAlerts(prometheusUrl: string): Promise<PromAlert[]> {
  return (await promData<{ alerts: PromAlert[] }>(prometheusUrl, '/api/v1/alerts')).alerts;
}

export async function prometheusTargets(prometheusUrl: string): Promise<PromTarget[]> {
  return (await promData<{ activeTargets: PromTarget[] }>(prometheusUrl, '/api/v1/targets?state=active')).activeTargets;
}

export interface LoadedRuleGroup {
  name: string;
  file: string;
  /** Seconds. */
  interval: number;
  rules: Array<{
    type: 'recording' | 'alerting';
    name: string;
    query: string;
    labels?: Record<string, string>;
    health: string;
    lastError?: string;
    /** RFC 3339; the zero time when the rule was never evaluated. */
    lastEvaluation: string;
  }>;
}

export async function prometheusRuleGroups(prometheusUrl: string): Promise<LoadedRuleGroup[]> {
  return (await promData<{ groups: LoadedRuleGroup[] }>(prometheusUrl, '/api/v1/rules')).groups;
}

export async function metricNames(prometheusUrl: string): Promise<Set<string>> {
  return new Set(await promData<string[]>(prometheusUrl, '/api/v1/label/__name__/values'));
}

export async function labelValues(prometheusUrl: string, label: string): Promise<string[]> {
  return promData<string[]>(prometheusUrl, `/api/v1/label/${encodeURIComponent(label)}/values`);
}

export async function alertmanagerAlerts(alertmanagerUrl: string): Promise<AmAlert[]> {
  return getJson<AmAlert[]>(`${alertmanagerUrl}/api/v2/alerts`);
}

/** POSTs JSON to a simulator's admin endpoint and fails on anything but 200. */
export async function postJson(url: string, body: unknown): Promise<unknown> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`POST ${url}: ${res.statusCode} ${text}`);
  return JSON.parse(text);
}

export interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }>;
}

/** Exemplars of the series `expr` selects between `start` and `end` (Unix seconds); needs exemplar storage. */
export async function queryExemplars(prometheusUrl: string, expr: string, start: number, end: number): Promise<ExemplarSeries[]> {
  return promData<ExemplarSeries[]>(prometheusUrl, `/api/v1/query_exemplars?query=${encodeURIComponent(expr)}&start=${start}&end=${end}`);
}
