import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDcgmSim, type RunningDcgmSim } from '../../src/runtime/sim/dcgm-server.ts';
import { startVllmSim, type RunningVllmSim } from '../../src/runtime/sim/vllm-server.ts';
import { expectHealthReport } from './health-shape.ts';

type Report = { status: string; checks: Record<string, { status: string }> };

async function read(url: string): Promise<{ code: number; body: Report }> {
  const res = await fetch(url);
  const body = (await res.json()) as Report;
  expectHealthReport(body);
  return { code: res.status, body };
}

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }).then((r) => r.text());

describe('simulator health endpoints', () => {
  let vllm: RunningVllmSim;
  let dcgm: RunningDcgmSim;
  beforeAll(async () => {
    vllm = await startVllmSim({ model: 'llama' });
    dcgm = await startDcgmSim({ gpus: 2, vllmUrls: [] });
  });
  afterAll(async () => {
    await dcgm.close();
    await vllm.close();
  });

  it('vLLM: healthy, degraded under partial faults, unhealthy when every request fails', async () => {
    expect((await read(`${vllm.url}/readyz`)).body.status).toBe('healthy');
    await post(`${vllm.url}/admin/faults`, { errorRate: 0.5 });
    const degraded = await read(`${vllm.url}/readyz`);
    expect([degraded.code, degraded.body.status, degraded.body.checks.faults!.status]).toEqual([200, 'degraded', 'degraded']);
    await post(`${vllm.url}/admin/faults`, { errorRate: 1 });
    const down = await read(`${vllm.url}/readyz`);
    expect([down.code, down.body.status]).toEqual([503, 'unhealthy']);
    expect((await read(`${vllm.url}/livez`)).code).toBe(200);
  });

  it('DCGM: one check per GPU, degraded while a GPU reports an XID error', async () => {
    const healthy = await read(`${dcgm.url}/readyz`);
    expect(Object.keys(healthy.body.checks)).toEqual(['gpu:0', 'gpu:1']);
    expect(healthy.body.status).toBe('healthy');
    await post(`${dcgm.url}/admin/xid`, { gpu: 1, code: 79, message: 'GPU has fallen off the bus' });
    const degraded = await read(`${dcgm.url}/readyz`);
    expect([degraded.code, degraded.body.status, degraded.body.checks['gpu:1']!.status]).toEqual([200, 'degraded', 'unhealthy']);
  });
});
