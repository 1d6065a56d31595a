import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { summarizeProfile, type HotSpot } from './cpu-profile.ts';
import { BODY, cpuTimes, freePort, routerConfig, spawnServer, stop, type Child } from './router.ts';
import { buildServeScript } from './router-build.ts';

/**
 * Where the router's CPU goes under the router bench's peak load: one router process under V8's sampling
 * profiler (`--cpu-prof`), autocannon at 50 connections against it, then the profile's hottest functions
 * by self time and the project's functions by total time. `npx tsx --conditions=infermon-source
 * bench/router-profile.ts [off|on|traced|sampled] [seconds] [dir]`: metrics and access log off, on, or on
 * with every request traced or 10 % of them. Given a directory, the profile and the compiled router it was
 * taken of (with its source map) are written there, for a viewer.
 */

type Variant = 'off' | 'on' | 'traced' | 'sampled';

const ROOT = join(import.meta.dirname, '..');

function table(spots: HotSpot[], perRequest: (ms: number) => string): string {
  return spots.map((s) => `${s.selfMs.toFixed(0).padStart(7)} ${s.totalMs.toFixed(0).padStart(7)} ${perRequest(s.selfMs).padStart(8)} ${perRequest(s.totalMs).padStart(8)}  ${s.frame}`).join('\n');
}

async function profile(variant: Variant, seconds: number, keep: string | undefined): Promise<string> {
  if (keep) mkdirSync(keep, { recursive: true });
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'router-profile-'));
  const children: Child[] = [];
  try {
    const script = await buildServeScript(dir);
    const pod = await spawnServer(script, 'vllm', { model: 'llama', maxNumSeqs: 1024, outputTokens: 8, faults: { ttftMs: 0, itlMs: 0 } });
    children.push(pod);
    const podAddress = pod.urls.api.replace('http://', '');
    let traces: { url: string; samplingRatio: number } | undefined;
    if (variant === 'traced' || variant === 'sampled') {
      const receiver = await spawnServer(script, 'otlp', {});
      children.push(receiver);
      traces = { url: receiver.urls.api, samplingRatio: variant === 'traced' ? 1 : 0.1 };
    }
    const observed = variant !== 'off';
    const config = routerConfig(podAddress, await freePort(), observed, observed ? join(dir, 'access.log') : undefined, traces);
    const router = await spawnServer(script, 'router', config, ['--cpu-prof', '--cpu-prof-dir', join(dir, 'prof')]);
    const load = (duration: number) =>
      autocannon({ url: `${router.urls.api}/v1/chat/completions`, method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY, connections: 50, duration });
    await load(2); // warm-up: JIT, keep-alive pools
    const before = cpuTimes(router.pids[0]);
    const r = await load(seconds);
    const after = cpuTimes(router.pids[0]);
    await stop(router);
    const file = readdirSync(join(dir, 'prof')).map((f) => join(dir, 'prof', f))[0]!;
    const summary = summarizeProfile(file, ROOT, 40);
    // The profile covers the warm-up too: per-request figures divide by every request the router served.
    const served = r.requests.total + (r.requests.total / seconds) * 2;
    const perRequest = (ms: number) => `${((1000 * ms) / served).toFixed(1)}µs`;
    const cpu = (part: 'user' | 'system') => (before && after ? ((after[part] - before[part]) / r.requests.total).toFixed(3) : '?');
    return [
      `# router, ${variant}: ${r.requests.average.toFixed(0)} req/s, ${cpu('user')} ms user + ${cpu('system')} ms system CPU per request (/proc), ${summary.totalMs.toFixed(0)} ms sampled`,
      // V8 samples on a wall clock: time a system call spends descheduled (the woken peer preempting the router) counts as its own.
      'self ms / total ms / self per request / total per request (sampled wall time: /proc is the CPU time)',
      '## by self time',
      table(summary.self, perRequest),
      '## project functions by total time',
      table(summary.project, perRequest),
    ].join('\n');
  } finally {
    for (const c of children.reverse()) await stop(c);
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const variant = (process.argv[2] ?? 'on') as Variant;
  if (!['off', 'on', 'traced', 'sampled'].includes(variant)) throw new Error(`unknown variant ${variant}: off, on, traced or sampled`);
  process.stdout.write(`${await profile(variant, Number(process.argv[3] ?? 10), process.argv[4])}\n`);
}
