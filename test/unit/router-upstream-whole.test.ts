import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, listen } from '../../src/runtime/http-server.ts';
import { sumSamples } from '../../src/runtime/telemetry/exposition.ts';
import { chat, startRig, type Rig } from './router-fixture.ts';

/**
 * Non-streamed answers are read whole through undici's dispatch handler, not a body stream. A pod that
 * misbehaves after its headers must still be told apart from one that never answered: a body cut short
 * is a 502, a body that stalls past the upstream timeout a 504, and neither is retried on another pod.
 */

const COMPLETION = JSON.stringify({
  id: 'x',
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
});

/** A pod whose behaviour is picked by the model the request names. */
function startPod(): Server {
  return createServer((req, res) => {
    if (req.method !== 'POST') return void res.writeHead(404).end();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { model } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string };
      if (model === 'cut') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 500 });
        res.write('{"id":"x","choi');
        setTimeout(() => res.socket?.destroy(), 20);
      } else if (model === 'stall') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 500 });
        res.write('{"id":"x"');
      } else if (model === 'hints') {
        res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(COMPLETION) }).end(COMPLETION);
      } else res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(COMPLETION) }).end(COMPLETION);
    });
  });
}

describe('whole (non-streamed) upstream answers', () => {
  let rig: Rig;
  const pods = [startPod(), startPod()];
  /** Requests each pod received, to show that nothing was retried. */
  const received = [0, 0];

  beforeAll(async () => {
    pods.forEach((p, i) => p.on('request', (req) => void (req.method === 'POST' && received[i]!++)));
    const ports = await Promise.all(pods.map((p) => listen(p, 0, '127.0.0.1')));
    const models = ['ok', 'cut', 'stall', 'hints'];
    rig = await startRig({
      sims: [],
      config: () => ({
        server: { upstreamTimeout: '300ms', retries: 1 },
        accessLogger: { format: 'json' },
        modelServers: models.map((name) => ({ name, pods: ports.map((port, i) => ({ name: `${name}-${i}`, address: `127.0.0.1:${port}` })) })),
        modelRoutes: models.map((name) => ({ name, model: name, targets: [{ modelServer: `default/${name}` }] })),
      }),
    });
  });
  afterAll(async () => {
    await rig.close();
    await Promise.all(pods.map((p) => closeServer(p)));
  });

  async function outcome(model: string) {
    const before = await rig.scrape();
    const linesBefore = (await rig.logLines()).length;
    const sentBefore = received[0]! + received[1]!;
    const res = await rig.post('/v1/chat/completions', chat(model));
    const body = await res.text();
    const after = await rig.scrape();
    const lines = (await rig.logLines()).slice(linesBefore).map((l) => JSON.parse(l) as { status_code: number; error?: { type: string }; input_tokens?: number; output_tokens?: number });
    const counted = (labels: Record<string, string>) =>
      sumSamples(after, 'kthena_router_requests_total', labels) - sumSamples(before, 'kthena_router_requests_total', labels);
    return { status: res.status, body, lines, counted, sent: received[0]! + received[1]! - sentBefore };
  }

  it('relays a complete answer with its usage', async () => {
    const o = await outcome('ok');
    expect(o.status).toBe(200);
    expect(o.body).toBe(COMPLETION);
    expect(o.counted({ model: 'ok', status_code: '200' })).toBe(1);
    expect(o.lines).toMatchObject([{ status_code: 200, input_tokens: 7, output_tokens: 3 }]);
  });

  it('waits past an informational (1xx) answer for the real one', async () => {
    const o = await outcome('hints');
    expect(o.status).toBe(200);
    expect(o.body).toBe(COMPLETION);
  });

  it('a body cut short after the headers is a 502 upstream_transport, counted and logged once, not retried', async () => {
    const o = await outcome('cut');
    expect(o.status).toBe(502);
    expect(o.body).toContain('upstream_transport');
    expect(o.counted({ model: 'cut', status_code: '502', error_type: 'upstream_transport' })).toBe(1);
    expect(o.lines).toMatchObject([{ status_code: 502, error: { type: 'upstream_transport' } }]);
    expect(o.sent).toBe(1);
  });

  it('a body that stalls past the upstream timeout is a 504, not retried', async () => {
    const o = await outcome('stall');
    expect(o.status).toBe(504);
    expect(o.counted({ model: 'stall', status_code: '504', error_type: 'upstream_transport' })).toBe(1);
    expect(o.lines).toMatchObject([{ status_code: 504, error: { type: 'upstream_transport' } }]);
    expect(o.sent).toBe(1);
  });

  it('no pod holds a request and the gauges are back to 0', async () => {
    const exposed = await rig.scrape();
    expect(sumSamples(exposed, 'kthena_router_active_downstream_requests')).toBe(0);
    expect(sumSamples(exposed, 'kthena_router_active_upstream_requests')).toBe(0);
    expect(rig.router.runtime.topology.pods.every((p) => p.inflight === 0)).toBe(true);
  });
});
