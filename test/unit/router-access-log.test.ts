import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { escapeText, formatJson, formatText, type AccessLogEntry } from '../../src/runtime/router/access-log.ts';
import { chat, startRig, type Rig } from './router-fixture.ts';

/** The request of the access-log examples in the router observability document. */
const EXAMPLE: AccessLogEntry = {
  timestamp: new Date('2024-01-15T10:30:45.123Z'),
  method: 'POST',
  path: '/v1/chat/completions',
  protocol: 'HTTP/1.1',
  status_code: 200,
  model_name: 'llama2-7b',
  model_route: 'default/llama2-route-v1',
  model_server: 'default/llama2-server',
  selected_pod: 'llama2-deployment-5f7b8c9d-xk2p4',
  request_id: '550e8400-e29b-41d4-a716-446655440000',
  input_tokens: 150,
  output_tokens: 75,
  duration_total: 2350,
  duration_request_processing: 45,
  duration_upstream_processing: 2180,
  duration_response_processing: 5,
};

describe('access log formats', () => {
  it('JSON: the fields, values and order of the specification example', () => {
    const line = formatJson({ ...EXAMPLE, error: { type: 'timeout', message: 'Model inference timeout after 30s' } });
    expect(line).not.toContain('\n');
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([
      'timestamp', 'method', 'path', 'protocol', 'status_code', 'model_name', 'model_route', 'model_server', 'selected_pod',
      'request_id', 'input_tokens', 'output_tokens', 'duration_total', 'duration_request_processing',
      'duration_upstream_processing', 'duration_response_processing', 'error',
    ]);
    expect(parsed).toEqual({
      timestamp: '2024-01-15T10:30:45.123Z',
      method: 'POST',
      path: '/v1/chat/completions',
      protocol: 'HTTP/1.1',
      status_code: 200,
      model_name: 'llama2-7b',
      model_route: 'default/llama2-route-v1',
      model_server: 'default/llama2-server',
      selected_pod: 'llama2-deployment-5f7b8c9d-xk2p4',
      request_id: '550e8400-e29b-41d4-a716-446655440000',
      input_tokens: 150,
      output_tokens: 75,
      duration_total: 2350,
      duration_request_processing: 45,
      duration_upstream_processing: 2180,
      duration_response_processing: 5,
      error: { type: 'timeout', message: 'Model inference timeout after 30s' },
    });
  });

  it('JSON: empty routing and token fields are left out', () => {
    const parsed = JSON.parse(formatJson({ ...EXAMPLE, model_route: undefined, selected_pod: '', input_tokens: 0, output_tokens: 0 })) as Record<string, unknown>;
    expect(parsed).not.toHaveProperty('model_route');
    expect(parsed).not.toHaveProperty('selected_pod');
    expect(parsed).not.toHaveProperty('input_tokens');
    expect(parsed).not.toHaveProperty('error');
    expect(parsed.duration_total).toBe(2350);
  });

  it('JSON: any string a client can send stays inside one line and reads back as it was', () => {
    // Random text rarely holds the characters that need care, so half the strings are made of them.
    const awkward = fc.constantFrom('a', 'é', '"', '\\', '\n', '\r', '\u0000', '\u007f', '\u2028', '\u2029', '\ud800', '\udc00', '\ud83d\ude00');
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: awkward }));
    fc.assert(
      fc.property(text, text, text, fc.option(text, { nil: undefined }), (method, path, model, message) => {
        const entry: AccessLogEntry = { ...EXAMPLE, method, path, model_name: model, ...(message === undefined ? {} : { error: { type: 'upstream_response', message } }) };
        const line = formatJson(entry);
        expect(line).not.toMatch(/[\n\r\u2028\u2029]/);
        const parsed = JSON.parse(line) as Record<string, unknown>;
        expect(parsed.method).toBe(method);
        expect(parsed.path).toBe(path);
        expect(parsed.model_name).toBe(model === '' ? undefined : model);
        expect(parsed.error).toEqual(entry.error);
        expect(parsed.duration_total).toBe(EXAMPLE.duration_total);
      }),
      { numRuns: 2000 },
    );
  });

  it('text: byte for byte the specification example', () => {
    expect(formatText(EXAMPLE)).toBe(
      '[2024-01-15T10:30:45.123Z] "POST /v1/chat/completions HTTP/1.1" 200 model_name=llama2-7b model_route=default/llama2-route-v1 model_server=default/llama2-server selected_pod=llama2-deployment-5f7b8c9d-xk2p4 request_id=550e8400-e29b-41d4-a716-446655440000 tokens=150/75 timings=2350ms(45+2180+5)',
    );
  });

  it('text: an error follows the status; no tokens part without tokens', () => {
    const line = formatText({ ...EXAMPLE, status_code: 504, input_tokens: 0, output_tokens: 0, error: { type: 'upstream_transport', message: 'timed out' } });
    expect(line).toContain('" 504 error=upstream_transport:timed out model_name=llama2-7b ');
    expect(line).not.toContain('tokens=');
  });

  it('text: CR, LF and control characters are escaped', () => {
    expect(escapeText('a\r\nb\tc\u0000d\\e\u2028')).toBe('a\\r\\nb\\tc\\x00d\\\\e\\u2028');
    const line = formatText({ ...EXAMPLE, model_name: 'x\r\n[2024-01-01T00:00:00Z] "GET / HTTP/1.1" 200' });
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain('model_name=x\\r\\n[2024');
  });
});

describe('access log of live requests', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  const start = (format: 'json' | 'text') =>
    startRig({
      sims: [{ model: 'llama', faults: { ttftMs: 5, itlMs: 1 } }],
      config: (a) => ({
        accessLogger: { format },
        modelServers: [{ name: 'llama-server', pods: [{ name: 'llama-0', address: a[0]! }] }],
        modelRoutes: [{ name: 'llama-route', model: 'llama', targets: [{ modelServer: 'default/llama-server' }] }],
      }),
    });

  it('JSON: one line per request with routing, tokens and consistent timings; no prompt, no credentials', async () => {
    rig = await start('json');
    const secret = 'Bearer sk-very-secret';
    const res = await rig.post('/v1/chat/completions', chat('llama', 'my private prompt'), { authorization: secret, 'x-request-id': 'req-123' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-123');
    await res.text();
    const stream = await rig.post('/v1/chat/completions', chat('llama', 'another private prompt', { stream: true }));
    await stream.text();
    const lines = await rig.logLines();
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toContain('private prompt');
      expect(line).not.toContain('sk-very-secret');
    }
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      protocol: 'HTTP/1.1',
      status_code: 200,
      model_name: 'llama',
      model_route: 'default/llama-route',
      model_server: 'default/llama-server',
      selected_pod: 'llama-0',
      request_id: 'req-123',
      input_tokens: 5,
      output_tokens: 16,
    });
    expect(first.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const parts = ['duration_request_processing', 'duration_upstream_processing', 'duration_response_processing'].map((k) => first[k] as number);
    for (const p of parts) expect(Number.isInteger(p)).toBe(true);
    expect(first.duration_upstream_processing as number).toBeGreaterThanOrEqual(5);
    expect(Math.abs(parts.reduce((a, b) => a + b, 0) - (first.duration_total as number))).toBeLessThanOrEqual(2);
    const second = JSON.parse(lines[1]!) as Record<string, unknown>;
    expect(second).toMatchObject({ status_code: 200, output_tokens: 16 });
  });

  it('text: the specification shape for a live request and an error', async () => {
    rig = await start('text');
    await (await rig.post('/v1/chat/completions', chat('llama'), { 'x-request-id': 'abc' })).text();
    await (await rig.post('/v1/chat/completions', chat('nope'))).text();
    const [ok, missing] = await rig.logLines();
    expect(ok).toMatch(
      /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] "POST \/v1\/chat\/completions HTTP\/1\.1" 200 model_name=llama model_route=default\/llama-route model_server=default\/llama-server selected_pod=llama-0 request_id=abc tokens=7\/16 timings=(\d+)ms\((\d+)\+(\d+)\+(\d+)\)$/,
    );
    expect(missing).toMatch(/" 404 error=route_not_found:the model `nope` does not exist model_name=nope request_id=[0-9a-f-]{36} timings=\d+ms\(\d+\+\d+\+\d+\)$/);
  });
});
