import { connect, type Socket } from 'node:net';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sumSamples } from '../../src/runtime/telemetry/exposition.ts';
import { startRig, type Rig } from './router-fixture.ts';

const HEADER_TIMEOUT_MS = 2000;
const MAX_CONNECTIONS = 50;
/** Generous: the header timeout plus Node's checking interval plus a loaded machine. */
const CLOSE_WITHIN_MS = HEADER_TIMEOUT_MS + 3000;

/** A connection that sends part of a request's headers; `answer` is everything the router sent back. */
interface Held {
  socket: Socket;
  answer: string;
  closed: Promise<number>;
}

function hold(url: string, firstBytes: string): Promise<Held> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const opened = performance.now();
    const held: Held = {
      socket,
      answer: '',
      closed: new Promise((done) => socket.once('close', () => done(performance.now() - opened))),
    };
    socket.on('data', (d) => (held.answer += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      socket.write(firstBytes);
      resolve(held);
    });
    socket.once('close', () => reject(new Error('closed before connecting')));
  });
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('slow clients and connection floods', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({
      sims: [{ model: 'llama', faults: { ttftMs: 0, itlMs: 0 } }],
      config: (a) => ({
        server: { headerTimeout: `${HEADER_TIMEOUT_MS}ms`, maxConnections: MAX_CONNECTIONS },
        accessLogger: { format: 'json' },
        modelServers: [{ name: 'llama', pods: [{ name: 'llama-0', address: a[0]! }] }],
        modelRoutes: [{ name: 'llama', model: 'llama', targets: [{ modelServer: 'default/llama' }] }],
      }),
    });
  });
  afterAll(() => rig.close());

  const count408 = async () => sumSamples(await rig.scrape(), 'kthena_router_requests_total', { status_code: '408', error_type: 'request_protocol' });

  it('connections trickling their headers are answered 408 and closed by the header timeout', async () => {
    const SLOW = 40;
    const held = await Promise.all(Array.from({ length: SLOW }, () => hold(rig.router.apiUrl, 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n')));
    // One more header line every 100 ms: each byte resets no timer, the headers have a deadline.
    const trickle = setInterval(() => held.forEach((h, i) => !h.socket.destroyed && h.socket.write(`X-Slow-${i}: y\r\n`)), 100);
    try {
      const closedAfter = await Promise.all(held.map((h) => h.closed));
      expect(Math.max(...closedAfter)).toBeLessThan(CLOSE_WITHIN_MS);
      expect(Math.min(...closedAfter)).toBeGreaterThanOrEqual(HEADER_TIMEOUT_MS - 50);
    } finally {
      clearInterval(trickle);
    }
    for (const h of held) expect(h.answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n[\s\S]*"code":"request_protocol"/);
    expect(await count408()).toBe(SLOW);
  });

  it(`a flood past ${MAX_CONNECTIONS} connections is refused at once while /v1/models keeps answering within 1 s`, async () => {
    const client = new Pool(rig.router.apiUrl, { connections: 1 });
    const models = async () => {
      const started = performance.now();
      const res = await client.request({ path: '/v1/models', method: 'GET' });
      await res.body.text();
      return { status: res.statusCode, ms: performance.now() - started };
    };
    // The client connected before the flood; the flood takes every other slot and more.
    expect((await models()).status).toBe(200);
    const FLOOD = 200;
    const accepted = MAX_CONNECTIONS - 1;
    const before408 = await count408();
    const flood = await Promise.all(Array.from({ length: FLOOD }, () => hold(rig.router.apiUrl, 'GET /v1/models HTTP/1.1\r\nHost: x\r\n')));
    const refused = () => flood.filter((h) => h.answer.startsWith('HTTP/1.1 503 '));
    await until(() => refused().length === FLOOD - accepted, 5000);
    expect(rig.router.refusedConnections().api).toBe(FLOOD - accepted);

    const timings = [];
    for (let i = 0; i < 5; i++) timings.push(await models());
    expect(timings.map((t) => t.status)).toEqual([200, 200, 200, 200, 200]);
    expect(Math.max(...timings.map((t) => t.ms))).toBeLessThan(1000);
    expect(refused().every((h) => h.answer.includes('"code":"too_many_connections"'))).toBe(true);
    expect(rig.events.some((e) => e.includes(`${MAX_CONNECTIONS} connections open`))).toBe(true);

    // The held ones run into the header timeout; then new clients get in again.
    const closedAfter = await Promise.all(flood.map((h) => h.closed));
    expect(Math.max(...closedAfter)).toBeLessThan(CLOSE_WITHIN_MS);
    expect((await count408()) - before408).toBe(accepted);
    const fresh = await fetch(`${rig.router.apiUrl}/v1/models`);
    expect(fresh.status).toBe(200);
    await fresh.text();
    await client.close();
  });
});
