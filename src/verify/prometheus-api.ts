import { request } from 'undici';

/**
 * The few read-only calls of the Prometheus HTTP API that `infermon verify` makes. Every failure is an
 * Error whose message names the call, so a report can say which request went wrong.
 */

export interface Target {
  labels: Record<string, string>;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  scrapeUrl: string;
}

/** A target service discovery found and relabelling dropped, with the labels discovery gave it. */
export interface DroppedTarget {
  discoveredLabels: Record<string, string>;
}

export interface LoadedRule {
  type: 'recording' | 'alerting';
  name: string;
  query: string;
  health: string;
  lastError?: string;
  /** RFC 3339; the zero time when the rule was never evaluated. */
  lastEvaluation: string;
}

export interface LoadedRuleGroup {
  name: string;
  file: string;
  interval: number;
  rules: LoadedRule[];
}

export class PrometheusApi {
  private readonly base: string;

  constructor(url: string, private readonly timeoutMs = 30_000) {
    this.base = url.replace(/\/+$/, '');
  }

  get url(): string {
    return this.base;
  }

  private async data<T>(path: string, params: Array<[string, string]> = []): Promise<T> {
    const query = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    const url = `${this.base}${path}${query ? `?${query}` : ''}`;
    let status: number;
    let text: string;
    try {
      const res = await request(url, { headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      throw new Error(`GET ${this.base}${path}: ${(err as Error).message}`);
    }
    let body: { status?: string; data?: T; error?: string };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new Error(`GET ${this.base}${path}: HTTP ${status}, not a Prometheus API answer: ${text.slice(0, 200)}`);
    }
    if (body.status !== 'success') throw new Error(`GET ${this.base}${path}: ${body.error ?? `HTTP ${status}`}`);
    return body.data as T;
  }

  /** Series an instant query returns (a scalar or string counts as one). */
  async seriesCount(expr: string): Promise<number> {
    const data = await this.data<{ resultType: string; result: unknown[] }>('/api/v1/query', [['query', expr]]);
    return data.resultType === 'vector' || data.resultType === 'matrix' ? data.result.length : 1;
  }

  /** The value of `count(...)`-style queries: 0 when the result is empty. */
  async count(selector: string): Promise<number> {
    const data = await this.data<{ result: Array<{ value: [number, string] }> }>('/api/v1/query', [['query', `count(${selector})`]]);
    return data.result.length === 0 ? 0 : Number(data.result[0]!.value[1]);
  }

  async activeTargets(): Promise<Target[]> {
    return (await this.data<{ activeTargets: Target[] }>('/api/v1/targets', [['state', 'active']])).activeTargets;
  }

  async droppedTargets(): Promise<DroppedTarget[]> {
    return (await this.data<{ droppedTargets?: DroppedTarget[] }>('/api/v1/targets', [['state', 'dropped']])).droppedTargets ?? [];
  }

  async ruleGroups(): Promise<LoadedRuleGroup[]> {
    return (await this.data<{ groups: LoadedRuleGroup[] }>('/api/v1/rules')).groups;
  }

  /** Label names on the series `selector` matches. */
  async labelNames(selector: string): Promise<string[]> {
    return this.data<string[]>('/api/v1/labels', [['match[]', selector]]);
  }

  /** Values of `label` on the series `selector` matches (all series without one). */
  async labelValues(label: string, selector?: string): Promise<string[]> {
    return this.data<string[]>(`/api/v1/label/${encodeURIComponent(label)}/values`, selector ? [['match[]', selector]] : []);
  }
}
