import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectHealthReport } from './health-shape.ts';
import { startRig, type Rig } from './router-fixture.ts';

type Report = { status: string; checks: Record<string, { status: string; message: string }> };

describe('router health endpoints', () => {
  let rig: Rig;
  const read = async (path: string) => {
    const res = await fetch(`${rig.router.apiUrl}${path}`);
    return { code: res.status, body: (await res.json()) as Report };
  };

  beforeAll(async () => {
    rig = await startRig({
      sims: [{ model: 'llama' }, { model: 'llama' }],
      config: (a) => ({
        scheduler: { podMetricsInterval: '1h' },
        modelServers: [{ name: 'llama', pods: a.map((address, i) => ({ name: `llama-${i}`, address })) }],
        modelRoutes: [{ name: 'llama', model: 'llama', targets: [{ modelServer: 'default/llama' }] }],
      }),
    });
    await rig.router.refreshPodMetrics();
  });
  afterAll(() => rig.close());

  it('reports every component healthy while both pods answer', async () => {
    const { code, body } = await read('/readyz');
    expect(code).toBe(200);
    expectHealthReport(body);
    expect(body.status).toBe('healthy');
    expect(Object.keys(body.checks).sort()).toEqual(['access_log', 'pod:default/llama-0', 'pod:default/llama-1', 'router', 'scheduler', 'upstreams']);
    expect(Object.values(body.checks).every((c) => c.status === 'healthy')).toBe(true);
  });

  it('degrades with one pod down and fails readiness, not liveness, with none left', async () => {
    await rig.sims[0]!.close();
    await rig.router.refreshPodMetrics();
    const degraded = await read('/readyz');
    expect(degraded.code).toBe(200);
    expectHealthReport(degraded.body);
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.checks['pod:default/llama-0']!.status).toBe('unhealthy');
    expect(degraded.body.checks['pod:default/llama-1']!.status).toBe('healthy');

    await rig.sims[1]!.close();
    await rig.router.refreshPodMetrics();
    const down = await read('/readyz');
    expect(down.code).toBe(503);
    expectHealthReport(down.body);
    expect(down.body.status).toBe('unhealthy');
    expect(down.body.checks.upstreams!.message).toBe('no upstream pod is usable');

    const live = await read('/livez');
    expect(live.code).toBe(200);
    expectHealthReport(live.body);
    expect(live.body.status).toBe('healthy');
    expect((await fetch(`${rig.router.apiUrl}/healthz`)).status).toBe(200);
  });
});

describe('router health with a failing access log', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({
      sims: [{ model: 'llama' }],
      config: (a) => ({
        // Every write to /dev/full fails with ENOSPC, as on a full disk.
        accessLogger: { output: '/dev/full' },
        scheduler: { podMetricsInterval: '1h' },
        modelServers: [{ name: 'llama', pods: a.map((address, i) => ({ name: `llama-${i}`, address })) }],
        modelRoutes: [{ name: 'llama', model: 'llama', targets: [{ modelServer: 'default/llama' }] }],
      }),
    });
    await rig.router.refreshPodMetrics();
  });
  afterAll(() => rig.close());

  it('stays ready but degraded, naming the write error', async () => {
    await (await fetch(`${rig.router.apiUrl}/v1/nothing`)).text();
    await new Promise((r) => setTimeout(r, 60));
    const res = await fetch(`${rig.router.apiUrl}/readyz`);
    const body = (await res.json()) as Report;
    expect(res.status).toBe(200);
    expectHealthReport(body);
    expect(body.status).toBe('degraded');
    expect(body.checks.access_log!.status).toBe('degraded');
    expect(body.checks.access_log!.message).toMatch(/ENOSPC/);
  });
});
