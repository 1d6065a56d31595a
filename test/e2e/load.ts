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

export interface LoadGenerator {
  /** Counts from now on go to this phase. */
  setPhase(phase: string): void;
  /** phase → model → counts. */
  counts(): Record<string, Record<string, PhaseCounts>>;
  stop(): Promise<void>;
}

const TOPICS = ['GPU scheduling', 'KV cache reuse', 'prefix caching', 'speculative decoding', 'batching', 'quantisation'];
// A shared system prompt gives the simulators' prefix cache something to hit.
const SYSTEM = 'You are a concise assistant for an inference platform team. Answer in one short paragraph.';

export function startLoad(routerUrl: string, loads: readonly ModelLoad[], users: readonly string[]): LoadGenerator {
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
    try {
      const res = await request(`${routerUrl}/v1/chat/completions`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', 'x-user-id': users[n % (users.length + 1)] ?? `user-${n % 7}` },
        body: JSON.stringify(body),
        headersTimeout: 60_000,
        bodyTimeout: 60_000,
      });
      const text = await res.body.text();
      // A stream that broke after its 200 headers never sends [DONE]: the client saw a failure.
      status = stream && res.statusCode === 200 && !text.includes('data: [DONE]') ? 'broken' : String(res.statusCode);
    } catch {
      status = 'network';
    }
    counts.statuses[status] = (counts.statuses[status] ?? 0) + 1;
  }

  const timers = loads.map((load) => {
    let inFlight = 0;
    return setInterval(() => {
      if (stopped) return;
      if (inFlight >= load.maxInFlight) {
        countsOf(phase, load.model).skipped++;
        return;
      }
      inFlight++;
      const p = send(load.model).finally(() => {
        inFlight--;
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
