import { describe, expect, it } from 'vitest';
import { Cancellation } from '../../src/runtime/router/cancellation.ts';
import { ConfigError, loadRouterConfig, parseRouterConfig } from '../../src/runtime/router/config.ts';
import { FairnessQueues } from '../../src/runtime/router/fairness.ts';
import { RateLimiter } from '../../src/runtime/router/rate-limit.ts';
import { StreamFollower } from '../../src/runtime/router/usage.ts';
import { parseExposition } from '../../src/runtime/telemetry/exposition.ts';

const minimal = {
  modelServers: [{ name: 's', pods: [{ name: 'p', address: '127.0.0.1:9000' }] }],
  modelRoutes: [{ name: 'r', model: 'm', targets: [{ modelServer: 'default/s' }] }],
};

describe('router configuration', () => {
  it('loads the examples with the documented defaults', () => {
    const c = loadRouterConfig('examples/router.yaml');
    expect(c.accessLogger).toEqual({ format: 'json', output: 'stdout', enabled: true });
    expect(c.observability.metrics).toEqual({ enabled: true, port: 15000, path: '/metrics' });
    expect(loadRouterConfig('examples/router-pd.yaml').modelServers[0]!.pods.map((p) => p.role)).toEqual(['prefill', 'decode', 'decode']);
    const d = parseRouterConfig(minimal);
    expect(d.observability.metrics.port).toBe(15000);
    expect(d.server.port).toBe(8080);
  });

  it('reports every problem with its path', () => {
    let error: ConfigError | undefined;
    try {
      parseRouterConfig({
        accessLogger: { format: 'xml' },
        modelServers: [{ name: 's', pods: [{ name: 'p', address: 'nowhere' }, { name: 'q', address: 'h:1', role: 'decode' }] }],
        modelRoutes: [{ name: 'r', model: 'm', targets: [{ modelServer: 'default/t' }] }],
      });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.some((p) => p.startsWith('accessLogger.format:'))).toBe(true);
    expect(error!.problems.some((p) => p.startsWith('modelServers.0.pods.0.address: expected host:port'))).toBe(true);
    expect(error!.problems.some((p) => p.startsWith('modelServers.0.pods: either every pod has a role'))).toBe(true);
    expect(error!.problems.some((p) => p.includes('modelRoutes.0.targets.0.modelServer: no model server default/t'))).toBe(true);
  });
});

describe('cancellation', () => {
  it('calls each listener still registered once, and aborts a signal made before or after', () => {
    const reason = new Error('over');
    const c = new Cancellation(reason);
    const calls: string[] = [];
    const kept = () => calls.push('kept');
    const removed = () => calls.push('removed');
    c.on(kept);
    c.on(removed);
    c.off(removed);
    const early = c.signal;
    expect(early.aborted).toBe(false);
    c.cancel();
    c.cancel();
    expect(calls).toEqual(['kept']);
    expect(c.cancelled).toBe(true);
    expect(early.aborted).toBe(true);
    expect(early.reason).toBe(reason);
    c.on(() => calls.push('late'));
    expect(calls).toEqual(['kept']);
    expect(new Cancellation(reason).signal.aborted).toBe(false);
    const late = new Cancellation(reason);
    late.cancel();
    expect(late.signal.aborted).toBe(true);
  });
});

describe('rate limiter', () => {
  it('rejects on each limit and refills over time', () => {
    const l = new RateLimiter({ requestsPerUnit: 2, inputTokensPerUnit: 100, outputTokensPerUnit: 10, unit: 'second' }, 0);
    expect(l.admit(10, 0)).toBeUndefined();
    expect(l.admit(95, 0)).toBe('input_tokens');
    expect(l.admit(10, 0)).toBeUndefined();
    expect(l.admit(1, 0)).toBe('requests');
    l.recordOutput(50, 0);
    expect(l.admit(1, 1000)).toBe('output_tokens');
    expect(l.admit(1, 5000)).toBeUndefined();
  });
});

describe('fairness queue', () => {
  it('lets the user with the least recent usage go first, and bounds concurrency', async () => {
    const q = new FairnessQueues({ enabled: true, maxConcurrency: 1, userHeader: 'x-user-id', users: ['heavy'], queueTimeout: 1000 }, undefined);
    q.charge('heavy', 1000);
    const signal = new AbortController().signal;
    const first = await q.acquire('m', 'light', signal);
    const order: string[] = [];
    const heavy = q.acquire('m', 'heavy', signal).then((r) => (order.push('heavy'), r));
    const light = q.acquire('m', 'light', signal).then((r) => (order.push('light'), r));
    first();
    (await light)();
    (await heavy)();
    expect(order).toEqual(['light', 'heavy']);
    expect(q.userLabel('heavy')).toBe('heavy');
    expect(q.userLabel('someone-else')).toBe('_all');
  });

  it('gives up on timeout and on abort', async () => {
    const q = new FairnessQueues({ enabled: true, maxConcurrency: 1, userHeader: 'x-user-id', users: [], queueTimeout: 20 }, undefined);
    const signal = new AbortController().signal;
    const held = await q.acquire('m', 'a', signal);
    await expect(q.acquire('m', 'b', signal)).rejects.toThrow(/fairness queue/);
    const abort = new AbortController();
    const waiting = q.acquire('m', 'c', abort.signal);
    abort.abort();
    await expect(waiting).rejects.toThrow(/closed/);
    held();
    (await q.acquire('m', 'd', signal))();
  });
});

describe('stream usage', () => {
  it('reassembles events across chunks, reads the usage chunk and drops it when the client did not ask', () => {
    const f = new StreamFollower(false);
    const events =
      'data: {"choices":[{"delta":{"content":"a"}}]}\n\n' +
      'data: {"choices":[{"delta":{"content":"b"}}]}\n\n' +
      'data: {"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":2}}\n\n' +
      'data: [DONE]\n\n';
    let out = '';
    for (let i = 0; i < events.length; i += 13) out += f.push(Buffer.from(events.slice(i, i + 13)));
    out += f.flush();
    expect(f.usage).toEqual({ promptTokens: 7, completionTokens: 2 });
    expect(f.contentChunks).toBe(2);
    expect(out).not.toContain('usage');
    expect(out.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});

describe('exposition parser', () => {
  it('reads families, escaped label values and special values', () => {
    const f = parseExposition(
      '# HELP x_total A \\\\ help\n# TYPE x_total counter\nx_total{a="q\\"uote",b="new\\nline"} 3\n' +
        '# TYPE h histogram\nh_bucket{le="0.5"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1.5\nh_count 2\nuntyped_thing NaN\n',
    );
    expect(f.get('x_total')).toMatchObject({ type: 'counter', help: 'A \\ help' });
    expect(f.get('x_total')!.samples[0]!.labels).toEqual({ a: 'q"uote', b: 'new\nline' });
    expect(f.get('h')!.samples.map((s) => s.name)).toEqual(['h_bucket', 'h_bucket', 'h_sum', 'h_count']);
    expect(f.get('h')!.samples[1]!.labels.le).toBe('+Inf');
    expect(Number.isNaN(f.get('untyped_thing')!.samples[0]!.value)).toBe(true);
    expect(() => parseExposition('bad{a=1} 2')).toThrow();
  });
});
