import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blackboxConfig } from '../../generators/blackbox/config.ts';
import { toYaml } from '../../src/emit/serialize.ts';
import { parseExposition, sumSamples } from '../../src/runtime/telemetry/exposition.ts';
import { freePort, startChild, waitReady, type ChildHandle } from '../e2e/processes.ts';
import { blackboxExporter } from '../support/blackbox-exporter.ts';
import { startRig, type Rig } from './router-fixture.ts';

const binary = blackboxExporter();

/** The generated http_health module, run by the real exporter against the router's /readyz. */
describe.skipIf(!binary)('blackbox exporter probing the router', () => {
  let dir: string;
  let exporter: ChildHandle;
  let exporterUrl: string;
  let rig: Rig;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'infermon-blackbox-'));
    const config = join(dir, 'blackbox.yml');
    writeFileSync(config, `# test\n${toYaml(blackboxConfig())}`);
    const port = await freePort();
    exporterUrl = `http://127.0.0.1:${port}`;
    exporter = startChild('blackbox exporter', binary!, [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${port}`], join(dir, 'blackbox.log'));
    rig = await startRig({
      sims: [{ model: 'llama' }, { model: 'llama' }],
      config: (a) => ({
        scheduler: { podMetricsInterval: '1h' },
        modelServers: [{ name: 'llama', pods: a.map((address, i) => ({ name: `llama-${i}`, address })) }],
        modelRoutes: [{ name: 'llama', model: 'llama', targets: [{ modelServer: 'default/llama' }] }],
      }),
    });
    await rig.router.refreshPodMetrics();
    await waitReady(exporter, `${exporterUrl}/metrics`);
  });
  afterAll(async () => {
    await exporter?.stop();
    await rig?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const probe = async (module: string, path = '/readyz') => {
    const target = encodeURIComponent(`${rig.router.apiUrl}${path}`);
    const text = await (await fetch(`${exporterUrl}/probe?target=${target}&module=${module}`)).text();
    return sumSamples(parseExposition(text), 'probe_success');
  };

  it('checks the report in the body: a 200 without it passes http_2xx only', async () => {
    expect(await probe('http_2xx', '/healthz')).toBe(1);
    expect(await probe('http_health', '/healthz')).toBe(0);
  });

  it('succeeds while the router is healthy or degraded and fails once no upstream pod is usable', async () => {
    expect(await probe('http_health')).toBe(1);
    await rig.sims[0]!.close();
    await rig.router.refreshPodMetrics();
    expect(await probe('http_health')).toBe(1);
    await rig.sims[1]!.close();
    await rig.router.refreshPodMetrics();
    expect(await probe('http_health')).toBe(0);
  });
});
