import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, startRig, type Rig } from './router-fixture.ts';

const SECRET = 'sk-live-0123456789abcdef';

describe('debug config dump', () => {
  let rig: Rig;
  const get = async (path: string) => {
    const res = await fetch(`${rig.router.adminUrl}${path}`);
    return { status: res.status, text: await res.text() };
  };

  beforeAll(async () => {
    rig = await startRig({
      sims: [{ model: 'llama', faults: { ttftMs: 0, itlMs: 0 } }, { model: 'llama', role: 'prefill' }, { model: 'llama', role: 'decode' }],
      config: (a) => ({
        modelServers: [
          { namespace: 'prod', name: 'llama', pods: [{ name: 'llama-0', address: a[0]! }], headers: { authorization: `Bearer ${SECRET}`, 'x-api-key': SECRET } },
          { namespace: 'prod', name: 'llama-pd', pods: [{ name: 'p-0', address: a[1]!, role: 'prefill' }, { name: 'd-0', address: a[2]!, role: 'decode' }] },
        ],
        modelRoutes: [
          { namespace: 'prod', name: 'llama', model: 'llama', loraAdapters: ['sql-lora'], targets: [{ modelServer: 'prod/llama', weight: 3 }], rateLimit: { inputTokensPerUnit: 1000, unit: 'minute' } },
          { namespace: 'prod', name: 'llama-pd', model: 'llama-pd', targets: [{ modelServer: 'prod/llama-pd' }] },
        ],
      }),
    });
    await (await rig.post('/v1/chat/completions', chat('llama'))).text();
  });
  afterAll(() => rig.close());

  it('lists model routes, model servers and pods', async () => {
    const routes = JSON.parse((await get('/debug/config_dump/modelroutes')).text) as { name: string; loraAdapters: string[]; rateLimit: unknown }[];
    expect(routes.map((r) => r.name)).toEqual(['llama', 'llama-pd']);
    expect(routes[0]).toMatchObject({ namespace: 'prod', model: 'llama', loraAdapters: ['sql-lora'], rateLimit: { inputTokensPerUnit: 1000, unit: 'minute' } });
    const servers = JSON.parse((await get('/debug/config_dump/modelservers')).text) as { name: string; disaggregated: boolean; headers: Record<string, string> }[];
    expect(servers.map((s) => [s.name, s.disaggregated])).toEqual([['llama', false], ['llama-pd', true]]);
    expect(servers[0]!.headers).toEqual({ authorization: '<redacted>', 'x-api-key': '<redacted>' });
    const pods = JSON.parse((await get('/debug/config_dump/pods')).text) as { name: string; role: string | null; modelServer: string }[];
    expect(pods.map((p) => `${p.modelServer}:${p.name}:${p.role}`)).toEqual(['prod/llama:llama-0:null', 'prod/llama-pd:p-0:prefill', 'prod/llama-pd:d-0:decode']);
  });

  it('shows one object by namespace and name, 404 otherwise', async () => {
    for (const [kind, name] of [['modelroutes', 'llama'], ['modelservers', 'llama-pd'], ['pods', 'd-0']] as const) {
      const res = await get(`/debug/config_dump/namespaces/prod/${kind}/${name}`);
      expect(res.status, kind).toBe(200);
      expect((JSON.parse(res.text) as { name: string }).name).toBe(name);
    }
    expect((await get('/debug/config_dump/namespaces/default/modelroutes/llama')).status).toBe(404);
    expect((await get('/debug/config_dump/namespaces/prod/gateways/x')).status).toBe(404);
    expect((await get('/debug/config_dump/secrets')).status).toBe(404);
  });

  it('never shows a credential, on any endpoint of the port', async () => {
    const paths = [
      '/debug/config_dump/modelroutes',
      '/debug/config_dump/modelservers',
      '/debug/config_dump/pods',
      '/debug/config_dump/namespaces/prod/modelservers/llama',
      '/debug/config_dump/namespaces/prod/pods/llama-0',
      '/metrics',
    ];
    for (const path of paths) expect((await get(path)).text, path).not.toContain(SECRET);
  });
});
