import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sumSamples } from '../../src/runtime/telemetry/exposition.ts';
import { startRig, type Rig } from './router-fixture.ts';

/**
 * Property-based fuzzing of both ports with request lines, paths, headers and bodies as an attacker or
 * a broken client would send them. Every request must get a complete answer with a status from the
 * expected set, nothing may take the router down, and the counts must still add up afterwards.
 */

const API_STATUSES = new Set([200, 400, 404, 405, 408, 413, 415, 417, 431, 503]);
const ADMIN_STATUSES = new Set([200, 400, 404, 405, 417, 431]);
const MAX_BODY_BYTES = 16 * 1024;
/** A case that takes this long is a hang, not a slow answer. */
const CASE_DEADLINE_MS = 10_000;

/** The status of the first final response, once that response is complete; undefined on a close without one. */
function exchange(url: string, request: Buffer, halfClose = false): Promise<number | undefined> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    const finish = (status: number | undefined) => {
      clearTimeout(deadline);
      socket.destroy();
      resolve(status);
    };
    const deadline = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${CASE_DEADLINE_MS} ms to ${JSON.stringify(request.toString('latin1').slice(0, 300))}`));
    }, CASE_DEADLINE_MS);
    const complete = (): number | undefined => {
      let text = received.toString('latin1');
      // Interim 100 Continue responses come before the final one.
      while (/^HTTP\/1\.1 1\d\d /.test(text) && text.includes('\r\n\r\n')) text = text.slice(text.indexOf('\r\n\r\n') + 4);
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const head = text.slice(0, end);
      const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]);
      const body = text.slice(end + 4);
      const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
      if (request.toString('latin1').startsWith('HEAD ') || length === '0') return status;
      if (length !== undefined) return body.length >= Number(length) ? status : undefined;
      if (/\r\ntransfer-encoding: *chunked/i.test(head)) return /(^|\r\n)0\r\n\r\n$/.test(body) ? status : undefined;
      return undefined;
    };
    socket.on('data', (d) => {
      received = Buffer.concat([received, d]);
      const status = complete();
      if (status !== undefined) finish(status);
    });
    socket.on('close', () => {
      const head = /^(?:HTTP\/1\.1 1\d\d [^\r]*\r\n(?:[^\r]+\r\n)*\r\n)*HTTP\/1\.1 (\d{3}) /.exec(received.toString('latin1'));
      finish(head ? Number(head[1]) : undefined);
    });
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      socket.write(request);
      if (halfClose) socket.end();
    });
  });
}

const ascii = (min: number, max: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: min, maxLength: max });
/** Bytes of a header value or path other than CR and LF (those are fuzzed by the raw-bytes property). */
const anyByteButCrLf = fc.integer({ min: 0, max: 255 }).filter((c) => c !== 10 && c !== 13).map((c) => String.fromCharCode(c));

// Mostly well-formed, so most requests get past the HTTP parser into the router's own code.
const method = fc.oneof(
  { weight: 18, arbitrary: fc.constantFrom('POST', 'POST', 'POST', 'POST', 'POST', 'GET', 'GET', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT') },
  { weight: 1, arbitrary: fc.constantFrom('get', 'BREW', 'P0ST', '') },
  { weight: 1, arbitrary: ascii(0, 8) },
);

const segment = fc.oneof(
  fc.constantFrom('v1', 'chat', 'completions', 'models', 'debug', 'config_dump', 'namespaces', 'default', 'pods', 'modelroutes', 'modelservers', 'metrics'),
  fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '%2F', '%C0%AF', '..', '.', '*', '~', 'healthz', 'readyz'),
  ascii(0, 12).map((s) => s.replace(/[ ?#]/g, '')),
  fc.string({ unit: anyByteButCrLf, maxLength: 8 }),
);
const path = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('/v1/chat/completions', '/v1/chat/completions', '/v1/completions', '/v1/models') },
  fc.constantFrom('/v1/chat/completions', '/v1/completions', '/v1/models', '/models', '/healthz', '/readyz', '/metrics', '/debug/config_dump/pods', '/', '*', '/%', 'http://x/v1/models'),
  fc.array(segment, { maxLength: 7 }).map((parts) => `/${parts.join('/')}`),
  fc.tuple(fc.constantFrom('/v1/chat/completions', '/v1/models', '/metrics'), ascii(0, 30)).map(([p, q]) => `${p}?${q}`),
);
const version = fc.oneof(
  { weight: 18, arbitrary: fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0') },
  { weight: 1, arbitrary: fc.constantFrom('HTTP/2.0', 'HTTP/1.2', 'HTTX/1.1', 'http/1.1', '') },
  { weight: 1, arbitrary: ascii(0, 10) },
);

const headerName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('Content-Type', 'X-User-Id', 'X-Request-Id', 'Authorization', 'Connection', 'Upgrade', 'Accept-Encoding', 'Host', 'Cookie') },
  { weight: 1, arbitrary: fc.constant('Expect') },
  { weight: 4, arbitrary: fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,24}$/) },
  { weight: 1, arbitrary: ascii(0, 10) },
).filter((n) => !/^(content-length|transfer-encoding)$/i.test(n));
const headerValue = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', 'multipart/form-data; boundary=x') },
  { weight: 1, arbitrary: fc.constantFrom('100-continue', 'x-fail') },
  { weight: 2, arbitrary: fc.constantFrom('close', 'keep-alive', 'upgrade', 'websocket', 'Bearer sk-xyz', 'team-chat', '', ' ') },
  { weight: 1, arbitrary: fc.constantFrom('alice\rinjected: 1', 'a'.repeat(20_000)) },
  { weight: 6, arbitrary: ascii(0, 60) },
  { weight: 1, arbitrary: fc.string({ unit: anyByteButCrLf, maxLength: 60 }) },
);

const json = (v: unknown) => JSON.stringify(v) ?? 'null';
const message = fc.record({ role: fc.constantFrom('user', 'system', 'assistant', 'tool', ''), content: fc.oneof(ascii(0, 40), fc.jsonValue({ maxDepth: 2 })) }, { requiredKeys: [] });
const inference = fc.record(
  {
    model: fc.oneof(fc.constantFrom('llama', 'llama', 'sql-lora', 'ghost-lora', '', 'gpt-9000'), fc.jsonValue({ maxDepth: 1 })),
    messages: fc.oneof(fc.array(message, { minLength: 1, maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })),
    prompt: fc.oneof(ascii(0, 40), fc.array(ascii(0, 10), { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
    stream: fc.oneof(fc.boolean(), fc.constantFrom('true', 1, null)),
    stream_options: fc.oneof(fc.constant({ include_usage: true }), fc.jsonValue({ maxDepth: 1 })),
    max_tokens: fc.oneof(fc.integer({ min: -5, max: 8 }), fc.constantFrom(1.5, '5', 1e300, null)),
    n: fc.oneof(fc.integer({ min: -2, max: 3 }), fc.constantFrom(1000, '2', true)),
    temperature: fc.oneof(fc.double({ min: -2, max: 3, noNaN: true }), fc.constantFrom('hot', null)),
  },
  { requiredKeys: [] },
);
/** A request that can succeed, with sampling fields that may or may not be valid. */
const plausible = fc
  .tuple(fc.constantFrom('llama', 'sql-lora'), ascii(1, 40), inference)
  .map(([model, content, extra]) => ({ ...extra, model, messages: [{ role: 'user', content }], prompt: content }));
const body = fc.oneof(
  { weight: 4, arbitrary: plausible.map(json) },
  { weight: 4, arbitrary: inference.map(json) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map(json) },
  { weight: 2, arbitrary: fc.string({ unit: anyByteButCrLf, maxLength: 200 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((d) => `{"model":"llama","messages":[{"role":"user","content":"x"}],"stream":true,"x":${'['.repeat(d)}${']'.repeat(d)}}`) },
  { weight: 1, arbitrary: fc.integer({ min: MAX_BODY_BYTES - 100, max: MAX_BODY_BYTES * 3 }).map((n) => json({ model: 'llama', messages: [{ role: 'user', content: 'x'.repeat(n) }] })) },
  { weight: 1, arbitrary: fc.constant('') },
);
/** How the body is framed: well (length or chunked), not at all, or in ways the parser must refuse. */
const framing = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('length', 'length', 'length', 'chunked') },
  { weight: 1, arbitrary: fc.constantFrom('none', 'length-and-chunked', 'bad-length', 'bad-chunked') },
);

function frame(kind: string, payload: Buffer): { headers: string[]; bytes: Buffer } {
  switch (kind) {
    case 'length':
      return { headers: [`Content-Length: ${payload.length}`], bytes: payload };
    case 'chunked': {
      const half = Math.floor(payload.length / 2);
      const chunk = (b: Buffer) => (b.length ? [Buffer.from(`${b.length.toString(16)}\r\n`, 'latin1'), b, Buffer.from('\r\n')] : []);
      return { headers: ['Transfer-Encoding: chunked'], bytes: Buffer.concat([...chunk(payload.subarray(0, half)), ...chunk(payload.subarray(half)), Buffer.from('0\r\n\r\n')]) };
    }
    case 'length-and-chunked':
      return { headers: [`Content-Length: ${payload.length}`, 'Transfer-Encoding: chunked'], bytes: payload };
    case 'bad-length':
      return { headers: [`Content-Length: ${payload.length}x`], bytes: payload };
    case 'bad-chunked':
      return { headers: ['Transfer-Encoding: chunked'], bytes: Buffer.concat([Buffer.from('zz\r\n'), payload, Buffer.from('\r\n0\r\n\r\n')]) };
    default:
      return { headers: [], bytes: Buffer.alloc(0) };
  }
}

const contentType = fc.constantFrom('Content-Type: application/json', 'Content-Type: application/json', 'Content-Type: text/plain', '');
const request = fc.record({ method, path, version, contentType, headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 }), body, framing }).map((r) => {
  const payload = Buffer.from(r.body, 'utf8');
  const framed = frame(r.framing, payload);
  const head = [`${r.method} ${r.path} ${r.version}`, ...(r.contentType ? [r.contentType] : []), ...r.headers.map(([n, v]) => `${n}: ${v}`), ...framed.headers].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), framed.bytes]);
});

describe('fuzzed requests on both ports', () => {
  let rig: Rig;
  const statuses = new Map<string, number>();
  const note = (port: string, status: number | undefined) => {
    const key = `${port} ${status ?? 'closed'}`;
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
  };

  beforeAll(async () => {
    rig = await startRig({
      sims: [{ model: 'llama', loraAdapters: ['sql-lora'], outputTokens: 3, faults: { ttftMs: 0, itlMs: 0 } }],
      config: (a) => ({
        server: { maxBodyBytes: MAX_BODY_BYTES, maxDrainBytes: 4 * MAX_BODY_BYTES, requestTimeout: '2s', headerTimeout: '2s' },
        accessLogger: { format: 'json' },
        modelServers: [{ name: 'llama', pods: [{ name: 'llama-0', address: a[0]! }] }],
        modelRoutes: [{ name: 'llama', model: 'llama', loraAdapters: ['sql-lora', 'ghost-lora'], targets: [{ modelServer: 'default/llama' }] }],
      }),
    });
    await rig.router.refreshPodMetrics();
  });
  afterAll(async () => {
    console.log(`fuzz outcomes (port status: cases): ${[...statuses].sort().map(([k, n]) => `${k}: ${n}`).join(', ')}`);
    await rig.close();
  });

  async function stillServing(): Promise<void> {
    const models = await fetch(`${rig.router.apiUrl}/v1/models`);
    expect(models.status).toBe(200);
    await models.text();
    const metrics = await fetch(rig.router.metricsUrl!);
    expect(metrics.status).toBe(200);
    await metrics.text();
  }

  it('the API port answers 2000 fuzzed requests, each with an expected status', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(request, async (bytes) => {
        const status = await exchange(rig.router.apiUrl, bytes);
        note('api', status);
        return status !== undefined && API_STATUSES.has(status);
      }),
      { numRuns: 2000, seed: 42, endOnFailure: true },
    );
    await stillServing();
  });

  it('the metrics port answers 1000 fuzzed requests, each with an expected status', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(request, async (bytes) => {
        const status = await exchange(rig.router.adminUrl, bytes);
        note('admin', status);
        return status !== undefined && ADMIN_STATUSES.has(status);
      }),
      { numRuns: 1000, seed: 43, endOnFailure: true },
    );
    await stillServing();
  });

  it('raw bytes on either port get an expected status or a clean close, never a hang', { timeout: 120_000 }, async () => {
    const garbage = fc.tuple(fc.uint8Array({ maxLength: 600 }), fc.boolean(), fc.boolean()).map(([b, crlf, admin]) => ({
      bytes: Buffer.concat([Buffer.from(b), Buffer.from(crlf ? '\r\n\r\n' : '')]),
      admin,
    }));
    await fc.assert(
      fc.asyncProperty(garbage, async ({ bytes, admin }) => {
        // The client stops sending, so an incomplete request ends instead of waiting for the rest.
        const status = await exchange(admin ? rig.router.adminUrl : rig.router.apiUrl, bytes, true);
        note(admin ? 'admin-raw' : 'api-raw', status);
        return status === undefined || (admin ? ADMIN_STATUSES : API_STATUSES).has(status);
      }),
      { numRuns: 1000, seed: 44, endOnFailure: true },
    );
    await stillServing();
  });

  it('afterwards every answered request is counted once and the gauges are back to 0', async () => {
    const entries = (await rig.logLines()).map((l) => JSON.parse(l) as { error?: { type: string } });
    const exposed = await rig.scrape();
    const uncounted = entries.filter((e) => e.error?.type === 'request_parsing').length;
    expect(sumSamples(exposed, 'kthena_router_requests_total')).toBe(entries.length - uncounted);
    expect(sumSamples(exposed, 'kthena_router_active_downstream_requests')).toBe(0);
    expect(sumSamples(exposed, 'kthena_router_active_upstream_requests')).toBe(0);
    expect(rig.router.runtime.topology.pods.map((p) => p.inflight)).toEqual([0]);
  });
});
