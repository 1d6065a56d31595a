import { request } from 'undici';

/** The Prometheus HTTP API calls the SLO bench reads: instant queries at a given time and rule-group state. */

export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RuleState {
  name: string;
  /** Seconds the last evaluation of this rule took. */
  evaluationTime: number;
  lastEvaluation: string;
}

export interface GroupState {
  name: string;
  file: string;
  interval: number;
  /** Seconds the last evaluation of the whole group took. */
  evaluationTime: number;
  /** RFC 3339 with nanoseconds; `0001-01-01T00:00:00Z` before the first evaluation. */
  lastEvaluation: string;
  rules: RuleState[];
}

async function apiData<T>(url: string): Promise<T> {
  const res = await request(url, { headersTimeout: 60_000, bodyTimeout: 60_000 });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${text.slice(0, 300)}`);
  const body = JSON.parse(text) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`GET ${url}: ${body.error ?? body.status}`);
  return body.data;
}

/** An instant query evaluated at `time` (Unix seconds, millisecond precision). */
export async function queryAt(base: string, expr: string, time: number): Promise<VectorSample[]> {
  const data = await apiData<{ resultType: string; result: VectorSample[] }>(
    `${base}/api/v1/query?query=${encodeURIComponent(expr)}&time=${time.toFixed(3)}`,
  );
  if (data.resultType !== 'vector') throw new Error(`${expr}: expected a vector, got ${data.resultType}`);
  return data.result;
}

export interface MatrixSeries {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

/** A range query: `expr` evaluated at `start`, `start + step`, ... up to `end` (Unix seconds). */
export async function queryRange(base: string, expr: string, start: number, end: number, step: number): Promise<MatrixSeries[]> {
  const data = await apiData<{ resultType: string; result: MatrixSeries[] }>(
    `${base}/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${start}&end=${end}&step=${step}`,
  );
  if (data.resultType !== 'matrix') throw new Error(`${expr}: expected a matrix, got ${data.resultType}`);
  return data.result;
}

/** The single value of a query that must return one sample, or undefined when it returns none. */
export async function scalarAt(base: string, expr: string, time: number): Promise<number | undefined> {
  const result = await queryAt(base, expr, time);
  if (result.length > 1) throw new Error(`${expr}: ${result.length} samples, expected one`);
  return result[0] === undefined ? undefined : Number(result[0].value[1]);
}

export async function ruleGroups(base: string): Promise<GroupState[]> {
  return (await apiData<{ groups: GroupState[] }>(`${base}/api/v1/rules`)).groups;
}

/** RFC 3339 with up to nanoseconds → Unix seconds (millisecond precision, as rule timestamps are). */
export function unixSeconds(rfc3339: string): number {
  return Date.parse(rfc3339.replace(/(\.\d{3})\d+/, '$1')) / 1000;
}
