import { Pool, type Dispatcher } from 'undici';
import type { PodState } from './topology.ts';

/** Keep-alive connection pools to the pods, one per pod address. */
export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly timeoutMs: number) {}

  for(pod: PodState): Pool {
    let pool = this.pools.get(pod.config.address);
    if (!pool) {
      pool = new Pool(`http://${pod.config.address}`, {
        connections: 256,
        keepAliveTimeout: 30_000,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        connectTimeout: Math.min(this.timeoutMs, 10_000),
      });
      this.pools.set(pod.config.address, pool);
    }
    return pool;
  }

  send(
    pod: PodState,
    path: string,
    body: string | Buffer,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<Dispatcher.ResponseData> {
    return this.for(pod).request({ path, method: 'POST', body, headers, signal });
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.destroy()));
    this.pools.clear();
  }
}

export type UpstreamFailure = 'timeout' | 'aborted' | 'transport';

/** What kind of failure an error from undici is. */
export function classifyUpstreamError(err: unknown, signal: AbortSignal): UpstreamFailure {
  if (signal.aborted) return 'aborted';
  const code = (err as { code?: string }).code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT')
    return 'timeout';
  return 'transport';
}

export function describeUpstreamError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e.code ? `${e.code}: ${e.message ?? ''}`.trim() : (e.message ?? String(err));
}
