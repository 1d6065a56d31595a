import { connect } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadRouterConfig } from '../../src/runtime/router/config.ts';
import { sumSamples } from '../../src/runtime/telemetry/exposition.ts';
import { chat, startRig, type Rig } from './router-fixture.ts';

/** What the client saw: the status line's code and the body. */
interface Seen {
  status: number;
  body: string;
}

/**
 * Sends raw bytes and returns the first response: read until the router closes the connection, or
 * until one complete response with a content-length arrived.
 */
function raw(url: string, chunks: string[], gapMs = 0): Promise<Seen> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    const parsed = (): Seen | undefined => {
      const end = answer.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
      const length = /\r\ncontent-length: (\d+)/i.exec(answer.slice(0, end))?.[1];
      const body = answer.slice(end + 4);
      if (length !== undefined && Buffer.byteLength(body, 'latin1') < Number(length)) return undefined;
      return { status, body };
    };
    socket.on('data', (d) => {
      answer += d.toString('latin1');
      const seen = parsed();
      if (seen && /\r\ncontent-length:/i.test(answer)) {
        socket.destroy();
        resolve(seen);
      }
    });
    socket.on('close', () => {
      const seen = parsed();
      if (seen) resolve(seen);
      else reject(new Error(`no complete response, got ${JSON.stringify(answer)}`));
    });
    socket.on('error', () => undefined);
    socket.once('connect', async () => {
      for (const c of chunks) {
        if (socket.destroyed) break;
        socket.write(c);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

async function viaFetch(url: string, init?: RequestInit): Promise<Seen> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.text() };
}

/** The OpenAI error in a body: the whole body, or the in-band error event of a stream. */
function errorOf(body: string): { code: string; param: string | null; type: string } {
  const json = body.startsWith('{') ? body : (/^data: (\{"error".*)$/m.exec(body)?.[1] ?? '{}');
  return (JSON.parse(json) as { error: { code: string; param: string | null; type: string } }).error;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** One bad input and everything the router must do about it, asserted exactly. */
interface Case {
  name: string;
  send: (rig: Rig) => Promise<Seen>;
  /** Status the client saw. */
  status: number;
  /** `error.code` of the OpenAI error the client got, and its `param` when one field is at fault. */
  code: string;
  param?: string;
  /** Labels of the kthena_router_requests_total series the request adds exactly one to; absent when not counted. */
  counted?: Record<string, string>;
  /** `error.type` and status of its one access-log line; absent when it gets none. */
  logged?: { type: string; status?: number };
  /** A line the router's event log must have afterwards. */
  event?: RegExp;
}

const post = (rig: Rig, body: unknown, headers: Record<string, string> = JSON_HEADERS, path = '/v1/chat/completions') =>
  viaFetch(`${rig.router.apiUrl}${path}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers });

const DEEP = 100_000;

const CASES: Case[] = [
  {
    name: 'malformed JSON → 400, logged but not counted (the catalog says so)',
    send: (rig) => post(rig, '{"model": "llama", '),
    status: 400,
    code: 'request_parsing',
    logged: { type: 'request_parsing' },
  },
  {
    name: 'missing model → 400',
    send: (rig) => post(rig, { messages: [{ role: 'user', content: 'x' }] }),
    status: 400,
    code: 'prompt_parsing',
    counted: { status_code: '400', error_type: 'prompt_parsing', model: 'unknown' },
    logged: { type: 'prompt_parsing' },
  },
  {
    name: 'missing prompt → 400',
    send: (rig) => post(rig, { model: 'llama' }, JSON_HEADERS, '/v1/completions'),
    status: 400,
    code: 'prompt_parsing',
    counted: { status_code: '400', error_type: 'prompt_parsing', model: 'llama' },
    logged: { type: 'prompt_parsing' },
  },
  {
    name: 'unknown model → 404 under a bounded model label',
    send: (rig) => post(rig, chat('gpt-9000')),
    status: 404,
    code: 'route_not_found',
    counted: { status_code: '404', error_type: 'route_not_found', model: 'unknown' },
    logged: { type: 'route_not_found' },
  },
  {
    name: 'max_tokens: -5 → 400 naming the field',
    send: (rig) => post(rig, chat('llama', 'hi', { max_tokens: -5 })),
    status: 400,
    code: 'invalid_value',
    param: 'max_tokens',
    counted: { status_code: '400', error_type: 'request_failed', model: 'llama' },
    logged: { type: 'invalid_value' },
  },
  {
    name: 'max_tokens: 1.5 → 400',
    send: (rig) => post(rig, chat('llama', 'hi', { max_tokens: 1.5 })),
    status: 400,
    code: 'invalid_type',
    param: 'max_tokens',
    counted: { status_code: '400', error_type: 'request_failed', model: 'llama' },
    logged: { type: 'invalid_type' },
  },
  {
    name: 'n: 1000 → 400',
    send: (rig) => post(rig, chat('llama', 'hi', { n: 1000 })),
    status: 400,
    code: 'invalid_value',
    param: 'n',
    counted: { status_code: '400', error_type: 'request_failed', model: 'llama' },
    logged: { type: 'invalid_value' },
  },
  {
    name: 'stream: "true" → 400',
    send: (rig) => post(rig, chat('llama', 'hi', { stream: 'true' })),
    status: 400,
    code: 'invalid_type',
    param: 'stream',
    counted: { status_code: '400', error_type: 'request_failed', model: 'llama' },
    logged: { type: 'invalid_type' },
  },
  {
    name: 'temperature: -0.5 → 400',
    send: (rig) => post(rig, chat('llama', 'hi', { temperature: -0.5 })),
    status: 400,
    code: 'invalid_value',
    param: 'temperature',
    counted: { status_code: '400', error_type: 'request_failed', model: 'llama' },
    logged: { type: 'invalid_value' },
  },
  {
    name: 'temperature: "hot" → 400',
    send: (rig) => post(rig, chat('llama', 'hi', { temperature: 'hot' })),
    status: 400,
    code: 'invalid_type',
    param: 'temperature',
    counted: { status_code: '400', error_type: 'request_failed', model: 'llama' },
    logged: { type: 'invalid_type' },
  },
  {
    name: 'stream_options without stream → 400',
    send: (rig) => post(rig, chat('llama', 'hi', { stream_options: { include_usage: true } })),
    status: 400,
    code: 'invalid_value',
    param: 'stream_options',
    counted: { status_code: '400', error_type: 'request_failed', model: 'llama' },
    logged: { type: 'invalid_value' },
  },
  {
    name: 'a text/plain body → 415',
    send: (rig) => post(rig, chat('llama'), { 'content-type': 'text/plain' }),
    status: 415,
    code: 'unsupported_media_type',
    counted: { status_code: '415', error_type: 'request_failed', model: 'unknown' },
    logged: { type: 'unsupported_media_type' },
  },
  {
    name: 'no content type → 415',
    send: (rig) => {
      const body = JSON.stringify(chat('llama'));
      return raw(rig.router.apiUrl, [`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`]);
    },
    status: 415,
    code: 'unsupported_media_type',
    counted: { status_code: '415', error_type: 'request_failed' },
    logged: { type: 'unsupported_media_type' },
  },
  {
    name: `${DEEP}-deep JSON inside a field of a stream request → 400, not 500`,
    send: (rig) => post(rig, `{"model":"llama","messages":[{"role":"user","content":"hi"}],"stream":true,"x":${'['.repeat(DEEP)}${']'.repeat(DEEP)}}`),
    status: 400,
    code: 'request_too_deep',
    counted: { status_code: '400', error_type: 'request_failed' },
    logged: { type: 'request_too_deep' },
  },
  {
    name: 'oversized body → 413 read by fetch (the body is drained first, no EPIPE)',
    send: (rig) => post(rig, chat('llama', 'x'.repeat(400_000))),
    status: 413,
    code: 'request_too_large',
    counted: { status_code: '413', error_type: 'request_failed' },
    logged: { type: 'request_too_large' },
  },
  {
    name: 'oversized chunked body → 413',
    send: (rig) => {
      const body = JSON.stringify(chat('llama', 'y'.repeat(300_000)));
      return raw(rig.router.apiUrl, [
        'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
        `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
      ]);
    },
    status: 413,
    code: 'request_too_large',
    counted: { status_code: '413', error_type: 'request_failed' },
    logged: { type: 'request_too_large' },
  },
  {
    name: 'a declared body past the drain bound → 413 at once',
    send: (rig) =>
      raw(rig.router.apiUrl, ['POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{"model"']),
    status: 413,
    code: 'request_too_large',
    counted: { status_code: '413', error_type: 'request_failed' },
    logged: { type: 'request_too_large' },
  },
  {
    name: 'a client too slow to send its body → 408',
    send: (rig) =>
      raw(rig.router.apiUrl, ['POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"model":', '"llama"'], 200),
    status: 408,
    code: 'request_timeout',
    counted: { status_code: '408', error_type: 'request_failed' },
    logged: { type: 'request_timeout' },
  },
  {
    name: 'headers trickling past the header timeout → 408',
    send: (rig) => raw(rig.router.apiUrl, ['POST /v1/chat/completions HTTP/1.1\r\n', 'Host: x\r\n', 'X-A: 1\r\n', 'X-B: 2\r\n', 'X-C: 3\r\n'], 150),
    status: 408,
    code: 'request_protocol',
    counted: { status_code: '408', error_type: 'request_protocol', path: 'unmatched' },
    logged: { type: 'request_protocol' },
  },
  {
    name: 'a malformed chunked body → one 400, never also a 499',
    send: (rig) =>
      raw(rig.router.apiUrl, ['POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n', 'zz\r\n{"model"\r\n']),
    status: 400,
    code: 'request_protocol',
    counted: { status_code: '400', error_type: 'request_protocol', path: '/v1/chat/completions' },
    logged: { type: 'request_protocol' },
  },
  {
    name: 'CR inside a header → 400',
    send: (rig) => raw(rig.router.apiUrl, ['POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-User-Id: alice\rinjected: 1\r\nContent-Length: 2\r\n\r\n{}']),
    status: 400,
    code: 'request_protocol',
    counted: { status_code: '400', error_type: 'request_protocol', path: 'unmatched' },
    logged: { type: 'request_protocol' },
  },
  {
    name: 'wrong method → 405',
    send: (rig) => viaFetch(`${rig.router.apiUrl}/v1/chat/completions`),
    status: 405,
    code: 'request_protocol',
    counted: { status_code: '405', error_type: 'request_protocol', path: '/v1/chat/completions' },
    logged: { type: 'request_protocol' },
  },
  {
    name: 'unknown path → 404 under a bounded path label',
    send: (rig) => post(rig, {}, JSON_HEADERS, '/v2/whatever'),
    status: 404,
    code: 'not_found',
    counted: { status_code: '404', error_type: 'request_failed', path: 'unmatched' },
    logged: { type: 'not_found' },
  },
  {
    name: 'GET /% on the API port → 404',
    send: (rig) => raw(rig.router.apiUrl, ['GET /% HTTP/1.1\r\nHost: x\r\n\r\n']),
    status: 404,
    code: 'not_found',
    counted: { status_code: '404', error_type: 'request_failed', path: 'unmatched' },
    logged: { type: 'not_found' },
  },
  {
    name: 'GET /% on the metrics port → 400, and the router keeps running',
    send: (rig) => raw(rig.router.adminUrl, ['GET /% HTTP/1.1\r\nHost: x\r\n\r\n']),
    status: 400,
    code: 'malformed_path',
    event: /metrics port answered 400 to GET \/%/,
  },
  {
    name: 'GET /debug/config_dump/%E0%A4%A on the metrics port → 400',
    send: (rig) => viaFetch(`${rig.router.adminUrl}/debug/config_dump/%E0%A4%A`),
    status: 400,
    code: 'malformed_path',
  },
  {
    name: 'a LoRA adapter no pod serves → 404 saying so, never sent to a pod',
    send: (rig) => post(rig, chat('ghost-lora')),
    status: 404,
    code: 'lora_not_served',
    counted: { status_code: '404', error_type: 'pod_discovery', model: 'ghost-lora' },
    logged: { type: 'lora_not_served' },
  },
  {
    name: 'a LoRA adapter whose pods have not told what they serve → 503 saying so',
    send: (rig) => post(rig, chat('mystery-lora')),
    status: 503,
    code: 'lora_not_known',
    counted: { status_code: '503', error_type: 'pod_discovery', model: 'mystery-lora' },
    logged: { type: 'lora_not_known' },
  },
  {
    name: 'a stream the pod breaks after the headers → counted and logged as 502 upstream_transport',
    send: (rig) => post(rig, chat('llama-broken', 'hi', { stream: true })),
    status: 200,
    code: 'upstream_transport',
    counted: { status_code: '502', error_type: 'upstream_transport', model: 'llama-broken' },
    logged: { type: 'upstream_transport', status: 502 },
  },
];

describe('bad input gets a clean JSON error, is counted and logged once, and the router keeps serving', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({
      sims: [
        { model: 'llama', faults: { ttftMs: 0, itlMs: 0 } },
        { model: 'llama-broken', faults: { ttftMs: 0, itlMs: 0, breakRate: 1 } },
      ],
      config: (a) => ({
        server: { maxBodyBytes: 256 * 1024, maxDrainBytes: 1024 * 1024, requestTimeout: '300ms', headerTimeout: '300ms' },
        accessLogger: { format: 'json' },
        modelServers: [
          { name: 'llama', pods: [{ name: 'llama-0', address: a[0]! }] },
          { name: 'llama-broken', pods: [{ name: 'broken-0', address: a[1]! }] },
          // Nothing listens here: this pod's model list is never read.
          { name: 'mystery', pods: [{ name: 'mystery-0', address: '127.0.0.1:1' }] },
        ],
        modelRoutes: [
          { name: 'llama', model: 'llama', loraAdapters: ['ghost-lora'], targets: [{ modelServer: 'default/llama' }] },
          { name: 'llama-broken', model: 'llama-broken', targets: [{ modelServer: 'default/llama-broken' }] },
          { name: 'mystery', model: 'mystery', loraAdapters: ['mystery-lora'], targets: [{ modelServer: 'default/mystery' }] },
        ],
      }),
    });
    await rig.router.refreshPodMetrics();
  });
  afterAll(() => rig.close());

  async function expectStillServing(): Promise<void> {
    const res = await rig.post('/v1/chat/completions', chat('llama'));
    expect(res.status).toBe(200);
    await res.text();
    expect((await fetch(rig.router.metricsUrl!)).status).toBe(200);
  }

  for (const c of CASES) {
    it(c.name, async () => {
      const before = await rig.scrape();
      const linesBefore = (await rig.logLines()).length;
      const seen = await c.send(rig);

      expect(seen.status).toBe(c.status);
      const error = errorOf(seen.body);
      expect(error.code).toBe(c.code);
      expect(error.param).toBe(c.param ?? null);
      const after = await rig.scrape();
      const delta = (labels?: Record<string, string>) =>
        sumSamples(after, 'kthena_router_requests_total', labels) - sumSamples(before, 'kthena_router_requests_total', labels);
      expect(delta()).toBe(c.counted ? 1 : 0);
      if (c.counted) expect(delta(c.counted)).toBe(1);
      const lines = (await rig.logLines()).slice(linesBefore);
      expect(lines).toHaveLength(c.logged ? 1 : 0);
      if (c.logged) {
        const entry = JSON.parse(lines[0]!) as { status_code: number; error?: { type: string } };
        expect(entry.status_code).toBe(c.logged.status ?? c.status);
        expect(entry.error?.type).toBe(c.logged.type);
      }
      if (c.event) expect(rig.events.some((e) => c.event!.test(e))).toBe(true);
      await expectStillServing();
    });
  }

  it('gauges are back to 0 and no pod holds a request', async () => {
    const exposed = await rig.scrape();
    expect(sumSamples(exposed, 'kthena_router_active_downstream_requests')).toBe(0);
    expect(sumSamples(exposed, 'kthena_router_active_upstream_requests')).toBe(0);
    expect(rig.router.runtime.topology.pods.map((p) => p.inflight)).toEqual([0, 0, 0]);
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

  it('counts every request it answered, except those whose body is not JSON', async () => {
    const entries = (await rig.logLines()).map((l) => JSON.parse(l) as { error?: { type: string } });
    const uncounted = entries.filter((e) => e.error?.type === 'request_parsing').length;
    expect(uncounted).toBe(1);
    expect(sumSamples(await rig.scrape(), 'kthena_router_requests_total')).toBe(entries.length - uncounted);
  });
});

describe('bad configuration', () => {
  const SECRET = 'sk-live-0123456789abcdef';
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'router-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function problemsOf(yaml: string): string[] {
    const file = join(dir, 'router.yaml');
    writeFileSync(file, yaml);
    try {
      loadRouterConfig(file);
    } catch (err) {
      if (err instanceof ConfigError) return [err.message, ...err.problems];
      throw err;
    }
    throw new Error('the configuration loaded');
  }

  it('a YAML syntax error gives its position, never the line with the credential', () => {
    const problems = problemsOf(
      // A stray word after the quoted value: the parser's own message would quote this whole line.
      ['modelServers:', '  - name: llama', '    headers:', `      authorization: "Bearer ${SECRET}" x`, '    pods: []', ''].join('\n'),
    );
    expect(problems.join('\n')).not.toContain(SECRET);
    expect(problems.join('\n')).not.toContain('Bearer');
    expect(problems[1]).toBe('line 4, column 56: YAML syntax error (unexpected token); the line is not shown because it may hold a credential');
  });

  it('a schema error names the field, never its value', () => {
    const problems = problemsOf(
      ['modelServers:', '  - name: llama', '    headers:', `      authorization: ["Bearer ${SECRET}"]`, '    pods: [{ name: p, address: "127.0.0.1:1" }]', 'modelRoutes: []', ''].join('\n'),
    );
    expect(problems.join('\n')).not.toContain(SECRET);
    expect(problems.some((p) => p.startsWith('modelServers.0.headers.authorization:'))).toBe(true);
  });
});
