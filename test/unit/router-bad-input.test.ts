import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sumSamples } from '../../src/telemetry/exposition.ts';
import { chat, startRig, type Rig } from './router-fixture.ts';

/** Sends raw bytes and returns everything the router answers until it closes the connection. */
function raw(url: string, chunks: string[], gapMs = 0): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.on('close', () => resolve(answer));
    socket.on('error', (err) => (answer ? resolve(answer) : reject(err)));
    socket.once('connect', async () => {
      for (const c of chunks) {
        if (socket.destroyed) break;
        socket.write(c);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

function openAiError(text: string): { error: { message: string; type: string; code: string } } {
  return JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { error: { message: string; type: string; code: string } };
}

describe('bad input gets a clean JSON error and the router keeps serving', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({
      sims: [{ model: 'llama', faults: { ttftMs: 0, itlMs: 0 } }],
      config: (a) => ({
        server: { maxBodyBytes: 4096, requestTimeout: '300ms' },
        accessLogger: { format: 'json' },
        modelServers: [{ name: 'llama', pods: [{ name: 'llama-0', address: a[0]! }] }],
        modelRoutes: [{ name: 'llama', model: 'llama', targets: [{ modelServer: 'default/llama' }] }],
      }),
    });
  });
  afterAll(() => rig.close());

  async function expectStillServing(): Promise<void> {
    const res = await rig.post('/v1/chat/completions', chat('llama'));
    expect(res.status).toBe(200);
    await res.text();
  }

  async function counted(status: string, errorType: string): Promise<number> {
    return sumSamples(await rig.scrape(), 'kthena_router_requests_total', { status_code: status, error_type: errorType });
  }

  it('malformed JSON → 400', async () => {
    const res = await rig.post('/v1/chat/completions', '{"model": "llama", ');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { type: string; code: string } };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'request_parsing' });
    expect(await counted('400', 'request_failed')).toBe(1);
    await expectStillServing();
  });

  it('missing model → 400', async () => {
    const res = await rig.post('/v1/chat/completions', { messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('prompt_parsing');
    const missingPrompt = await rig.post('/v1/completions', { model: 'llama' });
    expect(missingPrompt.status).toBe(400);
    await missingPrompt.text();
    expect(await counted('400', 'prompt_parsing')).toBe(2);
    await expectStillServing();
  });

  it('unknown model → 404 under a bounded model label', async () => {
    const res = await rig.post('/v1/chat/completions', chat('gpt-9000'));
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('not_found_error');
    const exposed = await rig.scrape();
    expect(sumSamples(exposed, 'kthena_router_requests_total', { model: 'unknown', status_code: '404', error_type: 'route_not_found' })).toBe(1);
    expect(sumSamples(exposed, 'kthena_router_requests_total', { model: 'gpt-9000' })).toBe(0);
    await expectStillServing();
  });

  it('oversized body → 413, whether declared or streamed', async () => {
    const declared = await rig.post('/v1/chat/completions', chat('llama', 'x'.repeat(10_000)));
    expect(declared.status).toBe(413);
    await declared.text();
    const body = JSON.stringify(chat('llama', 'y'.repeat(10_000)));
    const chunked = await raw(rig.router.apiUrl, [
      'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    ]);
    expect(chunked).toMatch(/^HTTP\/1\.1 413 /);
    expect(openAiError(chunked).error.code).toBe('request_too_large');
    expect(await counted('413', 'request_failed')).toBe(2);
    await expectStillServing();
  });

  it('a client too slow to send its body → 408', async () => {
    const answer = await raw(
      rig.router.apiUrl,
      ['POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"model":', '"llama"'],
      200,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(openAiError(answer).error.code).toBe('request_timeout');
    expect(await counted('408', 'request_failed')).toBe(1);
    await expectStillServing();
  });

  it('CR/LF inside a header → 400, escaped in the access log', async () => {
    const answer = await raw(rig.router.apiUrl, [
      'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-User-Id: alice\rinjected: 1\r\nContent-Length: 2\r\n\r\n{}',
    ]);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(openAiError(answer).error.code).toBe('request_protocol');
    expect(await counted('400', 'request_protocol')).toBe(1);
    await expectStillServing();
  });

  it('CR/LF and control characters in a model name never split a log line', async () => {
    const res = await rig.post('/v1/chat/completions', chat('evil\r\n{"status_code":200}\u0007'));
    expect(res.status).toBe(404);
    await res.text();
    const lines = await rig.logLines();
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const entry = lines.map((l) => JSON.parse(l) as { model_name?: string }).find((e) => e.model_name?.startsWith('evil'));
    expect(entry?.model_name).toBe('evil\r\n{"status_code":200}\u0007');
    expect(lines.some((l) => l.includes('evil\\r\\n{\\"status_code\\":200}\\u0007'))).toBe(true);
  });

  it('wrong method and unknown path → JSON errors', async () => {
    const get = await fetch(`${rig.router.apiUrl}/v1/chat/completions`);
    expect(get.status).toBe(405);
    expect(((await get.json()) as { error: { code: string } }).error.code).toBe('request_protocol');
    const unknown = await rig.post('/v2/whatever', {});
    expect(unknown.status).toBe(404);
    await unknown.text();
    expect(sumSamples(await rig.scrape(), 'kthena_router_requests_total', { path: 'unmatched', status_code: '404' })).toBe(1);
    await expectStillServing();
  });

  it('counts every response it sent', async () => {
    const lines = await rig.logLines();
    expect(sumSamples(await rig.scrape(), 'kthena_router_requests_total')).toBe(lines.length);
  });
});
