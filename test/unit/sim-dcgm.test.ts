import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DCGM_METRICS, dcgmGpuTemp, dcgmGpuUtil, dcgmPowerUsage, dcgmTotalEnergyConsumption, dcgmXidErrors } from '../../src/catalog/dcgm.ts';
import { startDcgmSim, type RunningDcgmSim } from '../../src/runtime/sim/dcgm-server.ts';
import { startVllmSim, type RunningVllmSim } from '../../src/runtime/sim/vllm-server.ts';
import { parseExposition, sumSamples } from '../../src/runtime/telemetry/exposition.ts';
import { conformanceProblems } from './conformance.ts';

describe('DCGM exporter simulator', () => {
  let vllm: RunningVllmSim;
  let dcgm: RunningDcgmSim;
  const scrape = async () => parseExposition(await (await fetch(`${dcgm.url}/metrics`)).text());
  const admin = (path: string, body: unknown) => fetch(`${dcgm.url}${path}`, { method: 'POST', body: JSON.stringify(body) });

  beforeAll(async () => {
    vllm = await startVllmSim({ model: 'llama', faults: { ttftMs: 200, itlMs: 0 } });
    dcgm = await startDcgmSim({ gpus: 2, vllmUrls: [vllm.url], hostname: 'node-7', pods: ['llama-0'] });
  });
  afterAll(async () => {
    await dcgm.close();
    await vllm.close();
  });

  it('exposes every default counter with the DCGM label set', async () => {
    const exposed = await scrape();
    expect(conformanceProblems(exposed, DCGM_METRICS)).toEqual([]);
    const temp = exposed.get(dcgmGpuTemp.name)!.samples;
    expect(temp.map((s) => s.labels.gpu)).toEqual(['0', '1']);
    expect(temp[0]!.labels).toMatchObject({ Hostname: 'node-7', device: 'nvidia0', modelName: 'NVIDIA H100 80GB HBM3' });
    expect(temp[0]!.labels.UUID).toMatch(/^GPU-/);
    // Kubernetes mode: each GPU names the pod using it, the named one or `<podPrefix>-<gpu>` past the list.
    expect(temp.map((s) => `${s.labels.namespace}/${s.labels.pod}`)).toEqual(['inference/llama-0', 'inference/vllm-1']);
  });

  it('follows the load of the vLLM simulator', async () => {
    const idle = await scrape();
    expect(sumSamples(idle, dcgmGpuUtil.name, { gpu: '0' })).toBe(0);
    const busy = Array.from({ length: 4 }, () =>
      fetch(`${vllm.url}/v1/completions`, { method: 'POST', body: JSON.stringify({ model: 'llama', prompt: 'x' }) }).then((r) => r.text()),
    );
    await new Promise((r) => setTimeout(r, 80));
    const loaded = await scrape();
    expect(sumSamples(loaded, dcgmGpuUtil.name, { gpu: '0' })).toBe(100);
    expect(sumSamples(loaded, dcgmPowerUsage.name, { gpu: '0' })).toBeGreaterThan(sumSamples(idle, dcgmPowerUsage.name, { gpu: '0' }));
    await Promise.all(busy);
    expect(sumSamples(await scrape(), dcgmTotalEnergyConsumption.name, { gpu: '0' })).toBeGreaterThan(sumSamples(idle, dcgmTotalEnergyConsumption.name, { gpu: '0' }));
  });

  it('takes a load and an XID error through the admin endpoints', async () => {
    await (await admin('/admin/load', { gpu: 1, utilization: 40 })).text();
    const xid = await admin('/admin/xid', { gpu: 1, code: 79, message: 'GPU has fallen off the bus' });
    expect(xid.status).toBe(200);
    await xid.text();
    const exposed = await scrape();
    expect(sumSamples(exposed, dcgmGpuUtil.name, { gpu: '1' })).toBe(40);
    const xids = exposed.get(dcgmXidErrors.name)!.samples.filter((s) => s.labels.gpu === '1');
    expect(xids).toHaveLength(1);
    expect(xids[0]).toMatchObject({ value: 79, labels: { err_code: '79', err_msg: 'GPU has fallen off the bus' } });
    const bad = await admin('/admin/xid', { gpu: 9, code: 1 });
    expect(bad.status).toBe(404);
    await bad.text();
  });
});

describe('DCGM exporter simulator on a node shared by two namespaces', () => {
  it('names the namespace of each GPU\'s pod, the default one past the list', async () => {
    const dcgm = await startDcgmSim({ gpus: 3, namespace: 'inference', namespaces: ['inference', 'rag-app'], pods: ['llama-0', 'rag-app-vllm-0'] });
    try {
      const exposed = parseExposition(await (await fetch(`${dcgm.url}/metrics`)).text());
      const temp = exposed.get(dcgmGpuTemp.name)!.samples;
      expect(temp.map((s) => `${s.labels.namespace}/${s.labels.pod}`)).toEqual(['inference/llama-0', 'rag-app/rag-app-vllm-0', 'inference/vllm-2']);
    } finally {
      await dcgm.close();
    }
  });
});
