import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { RouterConfigInput } from '../../src/runtime/router/config.ts';
import { chat, startRig, type Rig } from './router-fixture.ts';

/** examples/router.yaml as written, but on free ports, with the pods at the simulators' addresses. */
function exampleConfig(addresses: string[], adaptersFromConfig: boolean): RouterConfigInput {
  const example = parseYaml(readFileSync('examples/router.yaml', 'utf8')) as RouterConfigInput;
  return {
    ...example,
    accessLogger: { format: 'json' },
    modelServers: example.modelServers.map((server) => ({
      ...server,
      pods: server.pods.map((pod, i) => ({ ...pod, address: addresses[i]!, ...(adaptersFromConfig ? {} : { loraAdapters: [] }) })),
    })),
  };
}

const SERVING_POD = 'llama2-deployment-5f7b8c9d-q7w2z';

describe('LoRA requests through examples/router.yaml', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  // The pods the example's header says to start: only the second one serves sql-lora.
  const start = (adaptersFromConfig: boolean) =>
    startRig({
      sims: [
        { model: 'llama2-7b', faults: { ttftMs: 0, itlMs: 0 } },
        { model: 'llama2-7b', loraAdapters: ['sql-lora'], faults: { ttftMs: 0, itlMs: 0 } },
      ],
      config: (a) => exampleConfig(a, adaptersFromConfig),
    });

  async function send(model: string, count: number, stream = false): Promise<{ statuses: number[]; pods: string[] }> {
    const statuses = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const res = await rig!.post('/v1/chat/completions', chat(model, `request ${i}`, { stream }));
        await res.text();
        return res.status;
      }),
    );
    const entries = (await rig!.logLines()).map((l) => JSON.parse(l) as { model_name: string; selected_pod?: string });
    return { statuses, pods: entries.filter((e) => e.model_name === model).map((e) => e.selected_pod ?? '(none)') };
  }

  it('100 of 100 sql-lora requests are answered by the pod that serves it (known from the configuration)', async () => {
    rig = await start(true);
    const { statuses, pods } = await send('sql-lora', 100);
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(pods).toEqual(Array.from({ length: 100 }, () => SERVING_POD));
  });

  it("the same when only the pods' own model lists say who serves it", async () => {
    rig = await start(false);
    await rig.router.refreshPodMetrics();
    const { statuses, pods } = await send('sql-lora', 100, true);
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(pods).toEqual(Array.from({ length: 100 }, () => SERVING_POD));
    // The base model still goes to both pods.
    const base = await send('llama2-7b', 40);
    expect(base.statuses.filter((s) => s === 200)).toHaveLength(40);
    expect(new Set(base.pods).size).toBe(2);
  });
});
