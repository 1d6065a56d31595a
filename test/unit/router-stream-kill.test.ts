import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sumSamples } from '../../src/runtime/telemetry/exposition.ts';
import { chat, startRig, type Rig } from './router-fixture.ts';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const STREAMS = 20;
const AFTER_KILL = 5;

/** A vLLM simulator in a process of its own, so it can be killed the way a pod dies. */
async function spawnPod(args: string[]): Promise<{ address: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--conditions=infermon-source', '--import', 'tsx', CLI, 'sim', 'vllm', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the simulator did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const found = /listening on http:\/\/([\d.]+:\d+)/.exec(out)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once('exit', () => reject(new Error(`the simulator exited: ${out}`)));
  });
  return { address, child };
}

/** Reads a streamed response until its first content token; then `rest` resolves with the whole text. */
async function untilFirstToken(res: Response): Promise<{ rest: Promise<string> }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('"content":"the"')) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before its first token: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  const rest = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return text;
      text += decoder.decode(value, { stream: true });
    }
  })();
  return { rest };
}

describe('a pod killed mid-stream', () => {
  let rig: Rig;
  let pod: { address: string; child: ChildProcess };

  beforeAll(async () => {
    // 200 tokens 50 ms apart: every stream is still running when the pod dies.
    pod = await spawnPod(['--model', 'llama', '--ttft-ms', '0', '--itl-ms', '50', '--output-tokens', '200']);
    rig = await startRig({
      sims: [],
      config: () => ({
        accessLogger: { format: 'json' },
        modelServers: [{ name: 'llama', pods: [{ name: 'llama-0', address: pod.address }] }],
        modelRoutes: [{ name: 'llama', model: 'llama', targets: [{ modelServer: 'default/llama' }] }],
      }),
    });
  }, 40_000);

  afterAll(async () => {
    pod.child.kill('SIGKILL');
    await rig.close();
  });

  it('counts every broken stream as an error, each request once, and the gauges return to 0', async () => {
    const responses = await Promise.all(Array.from({ length: STREAMS }, (_, i) => rig.post('/v1/chat/completions', chat('llama', `stream ${i}`, { stream: true }))));
    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: STREAMS }, () => 200));
    const rests = await Promise.all(responses.map(untilFirstToken));
    const exited = new Promise((resolve) => pod.child.once('exit', resolve));
    pod.child.kill('SIGKILL');
    await exited;

    const bodies = await Promise.all(rests.map((r) => r.rest));
    for (const body of bodies) {
      expect(body).toContain('"code":"upstream_transport"');
      expect(body).not.toContain('[DONE]');
    }
    const after = await Promise.all(Array.from({ length: AFTER_KILL }, () => rig.post('/v1/chat/completions', chat('llama')).then(async (r) => (await r.text(), r.status))));
    expect(after).toEqual(Array.from({ length: AFTER_KILL }, () => 503));

    const exposed = await rig.scrape();
    expect(sumSamples(exposed, 'kthena_router_requests_total')).toBe(STREAMS + AFTER_KILL);
    expect(sumSamples(exposed, 'kthena_router_requests_total', { status_code: '502', error_type: 'upstream_transport' })).toBe(STREAMS);
    expect(sumSamples(exposed, 'kthena_router_requests_total', { status_code: '503', error_type: 'proxy' })).toBe(AFTER_KILL);
    // The error-ratio alert and the availability SLOs select status_code=~"5..": every failure is in it.
    const serverErrors = [...(exposed.get('kthena_router_requests_total')?.samples ?? [])]
      .filter((s) => /^5\d\d$/.test(s.labels.status_code ?? ''))
      .reduce((sum, s) => sum + s.value, 0);
    expect(serverErrors).toBe(STREAMS + AFTER_KILL);
    expect(sumSamples(exposed, 'kthena_router_active_downstream_requests')).toBe(0);
    expect(sumSamples(exposed, 'kthena_router_active_upstream_requests')).toBe(0);
    expect(rig.router.runtime.topology.pods.map((p) => p.inflight)).toEqual([0]);

    const entries = (await rig.logLines()).map((l) => JSON.parse(l) as { status_code: number; error?: { type: string } });
    expect(entries).toHaveLength(STREAMS + AFTER_KILL);
    expect(entries.filter((e) => e.status_code === 502 && e.error?.type === 'upstream_transport')).toHaveLength(STREAMS);
  }, 30_000);
});
