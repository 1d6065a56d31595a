import { Agent, request } from 'undici';

/**
 * Bounded open-loop load through the router: each model gets requests at a fixed rate, but never more
 * than `maxInFlight` at once (a tick that would exceed it is skipped and counted), so a slow model
 * cannot pile up work on a shared two-core machine. Counts are kept per phase and model.
 */

export interface ModelLoad {
  model: string;
  /** Requests per second. */
  rate: number;
  maxInFlight: number;
}

export interface PhaseCounts {
  sent: number;
  skipped: number;
  /** Status code (or `network`, or `broken` for a stream cut off after its headers) → count. */
  statuses: Record<string, number>;
}

/** One finished request as the client saw it, for a results output (see k6-results.ts). */
export interface RequestResult {
  model: string;
  url: string;
  /** As counted in `statuses`. */
  status: string;
  /** The HTTP status code; 0 when no response arrived. */
  httpStatus: number;
  /** From sending the request to the response headers, then to the end of the body. */
  waitingMs: number;
  durationMs: number;
  sentBytes: number;
  receivedBytes: number;
}

export interface LoadGenerator {
  /** Counts from now on go to this phase. */
  setPhase(phase: string): void;
  /** phase → model → counts. */
  counts(): Record<string, Record<string, PhaseCounts>>;
  /** model → requests in flight now. */
  inFlight(): Record<string, number>;
  stop(): Promise<void>;
}

const TOPICS = ['GPU scheduling', 'KV cache reuse', 'prefix caching', 'speculative decoding', 'batching', 'quantisation'];
// A shared system prompt gives the simulators' prefix cache something to hit.
const SYSTEM = 'You are a concise assistant for an inference platform team. Answer in one short paragraph.';

export function startLoad(
  routerUrl: string,
  loads: readonly ModelLoad[],
  users: readonly string[],
  observe: (result: RequestResult) => void = () => {},
): LoadGenerator {
  const agent = new Agent({ connections: 128, keepAliveTimeout: 10_000 });
  const table: Record<string, Record<string, PhaseCounts>> = {};
  let phase = 'start';
  let stopped = false;
  const pending = new Set<Promise<void>>();
  let sequence = 0;

  const countsOf = (p: string, model: string): PhaseCounts => {
    const byModel = (table[p] ??= {});
    return (byModel[model] ??= { sent: 0, skipped: 0, statuses: {} });
  };

  async function send(model: string): Promise<void> {
    const n = sequence++;
    const at = phase;
    const counts = countsOf(at, model);
    counts.sent++;
    const stream = n % 2 === 0;
    const body = {
      model,
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: `Explain ${TOPICS[n % TOPICS.length]} in request ${n}.` },
      ],
      max_tokens: 16 + (n % 8),
      stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
    };
    let status: string;
    const url = `${routerUrl}/v1/chat/completions`;
    const payload = JSON.stringify(body);
    const startedAt = performance.now();
    let headersAt = startedAt;
    let httpStatus = 0;
    let receivedBytes = 0;
    try {
      const res = await request(url, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', 'x-user-id': users[n % (users.length + 1)] ?? `user-${n % 7}` },
        body: payload,
        headersTimeout: 60_000,
        bodyTimeout: 60_000,
      });
      headersAt = performance.now();
      httpStatus = res.statusCode;
      const text = await res.body.text();
      receivedBytes = Buffer.byteLength(text);
      // A stream that broke after its 200 headers never sends [DONE]: the client saw a failure.
      status = stream && res.statusCode === 200 && !text.includes('data: [DONE]') ? 'broken' : String(res.statusCode);
    } catch {
      status = 'network';
    }
    const endedAt = performance.now();
    counts.statuses[status] = (counts.statuses[status] ?? 0) + 1;
    observe({
      model,
      url,
      status,
      httpStatus,
      waitingMs: headersAt - startedAt,
      durationMs: endedAt - startedAt,
      sentBytes: Buffer.byteLength(payload),
      receivedBytes,
    });
  }

  const inFlight: Record<string, number> = Object.fromEntries(loads.map((l) => [l.model, 0]));
  const timers = loads.map((load) => {
    return setInterval(() => {
      if (stopped) return;
      if (inFlight[load.model]! >= load.maxInFlight) {
        countsOf(phase, load.model).skipped++;
        return;
      }
      inFlight[load.model]!++;
      const p = send(load.model).finally(() => {
        inFlight[load.model]!--;
        pending.delete(p);
      });
      pending.add(p);
    }, 1000 / load.rate);
  });

  return {
    setPhase(next) {
      phase = next;
    },
    counts: () => table,
    inFlight: () => ({ ...inFlight }),
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await Promise.allSettled([...pending]);
      await agent.close();
    },
  };
}

/** Share of answered requests with a status below 500, over the given counts. */
export function successRatio(counts: PhaseCounts): number {
  const answered = Object.values(counts.statuses).reduce((a, b) => a + b, 0);
  const ok = Object.entries(counts.statuses)
    .filter(([s]) => /^[1-4]\d\d$/.test(s))
    .reduce((a, [, n]) => a + n, 0);
  return answered === 0 ? 0 : ok / answered;
}
