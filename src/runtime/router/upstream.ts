import type { IncomingHttpHeaders } from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import type { Cancellation } from './cancellation.ts';
import type { PodState } from './topology.ts';

/** A pod's answer read to its end in memory (non-streamed requests). */
export interface WholeResponse {
  whole: true;
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** When the status line and headers arrived, `performance.now()` ms. */
  headersAt: number;
  body: Buffer;
  /** Set when the body broke after the headers arrived (transport error, timeout, abort). */
  bodyError: Error | undefined;
}

const EMPTY = Buffer.alloc(0);

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
    cancellation: Cancellation,
  ): Promise<Dispatcher.ResponseData> {
    return this.for(pod).request({ path, method: 'POST', body, headers, signal: cancellation.signal });
  }

  /**
   * Sends a request and collects its whole answer through undici's dispatch handler: a non-streamed
   * response needs neither a body stream nor its promises. Rejects when no answer arrived; a body that
   * breaks after the headers resolves with `bodyError`, so the caller can tell the two apart.
   */
  sendWhole(pod: PodState, path: string, body: string | Buffer, headers: Record<string, string>, cancellation: Cancellation): Promise<WholeResponse> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let response: WholeResponse | undefined;
      let controller: Dispatcher.DispatchController | undefined;
      const onCancel = () => controller?.abort(cancellation.reason);
      const settle = (err: Error | undefined) => {
        cancellation.off(onCancel);
        if (response === undefined) return reject(err ?? new Error('the pod closed the connection without an answer'));
        response.body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        response.bodyError = err;
        resolve(response);
      };
      cancellation.on(onCancel);
      this.for(pod).dispatch(
        { path, method: 'POST', body, headers },
        {
          onRequestStart(c) {
            controller = c;
            if (cancellation.cancelled) c.abort(cancellation.reason);
          },
          onResponseStart(_c, statusCode, responseHeaders) {
            // Informational (1xx) answers precede the real one.
            if (statusCode < 200) return;
            response = { whole: true, statusCode, headers: responseHeaders, headersAt: performance.now(), body: EMPTY, bodyError: undefined };
          },
          onResponseData(_c, chunk) {
            chunks.push(chunk);
          },
          onResponseEnd() {
            settle(undefined);
          },
          onResponseError(_c, err) {
            settle(err);
          },
        },
      );
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.destroy()));
    this.pools.clear();
  }
}

export type UpstreamFailure = 'timeout' | 'aborted' | 'transport';

/** What kind of failure an error from undici is; `cancelled` when the exchange it served is over. */
export function classifyUpstreamError(err: unknown, cancelled: boolean): UpstreamFailure {
  if (cancelled) return 'aborted';
  const code = (err as { code?: string }).code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT')
    return 'timeout';
  return 'transport';
}

export function describeUpstreamError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e.code ? `${e.code}: ${e.message ?? ''}`.trim() : (e.message ?? String(err));
}
