import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import type { BenchSection } from './stats.ts';

/**
 * Router overhead: autocannon against the simulated vLLM pod directly, through the router with metrics
 * and access log on, with both off, and through nginx as a plain reverse proxy when it is installed.
 * Each target gets a peak-throughput run and a fixed 500 req/s run for latency.
 */

export interface TargetResult {
  name: string;
  /** Requests per second at saturation. */
  peakRps: number;
  /** Latency (ms) at a fixed 500 req/s. */
  p50: number;
  p99: number;
  errors: number;
}

export interface RouterBenchResult {
  targets: TargetResult[];
  /** Router p50 minus direct p50 at 500 req/s, metrics and access log on (ms). */
  addedP50Ms: number;
  /** 1 - peak(on) / peak(off). */
  observabilityCost: number;
}

const BODY = JSON.stringify({ model: 'llama', messages: [{ role: 'user', content: 'Say hello in five words.' }], max_tokens: 8 });
const DURATION_S = Number(process.env.ROUTER_BENCH_SECONDS ?? 5);

interface Child {
  process: ChildProcess;
  urls: { api: string; metrics?: string };
}

async function spawnServer(kind: 'vllm' | 'router', options: unknown): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'router-serve.ts'), kind, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  child.stdout!.resume();
  return { process: child, urls: JSON.parse(line) as Child['urls'] };
}

async function stop(child: Child | undefined): Promise<void> {
  if (!child || child.process.exitCode !== null) return;
  child.process.kill('SIGTERM');
  await once(child.process, 'exit');
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function load(url: string, extra: Partial<autocannon.Options>): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: BODY,
    duration: DURATION_S,
    ...extra,
  });
}

async function measure(name: string, url: string): Promise<TargetResult> {
  await load(url, { connections: 10, duration: 1 }); // warm-up: JIT, keep-alive pools
  const peak = await load(url, { connections: 50 });
  const steady = await load(url, { connections: 20, overallRate: 500 });
  return {
    name,
    peakRps: peak.requests.average,
    p50: steady.latency.p50,
    p99: steady.latency.p99,
    errors: peak.errors + peak.non2xx + steady.errors + steady.non2xx,
  };
}

function routerConfig(pod: string, port: number, observability: boolean, logFile: string) {
  return {
    server: { port: 0 },
    observability: { metrics: { enabled: observability, port } },
    accessLogger: { enabled: observability, format: 'json', output: logFile },
    scheduler: { podMetricsInterval: '1s' },
    modelServers: [{ name: 'llama', pods: [{ name: 'llama-0', address: pod }] }],
    modelRoutes: [{ name: 'llama', model: 'llama', targets: [{ modelServer: 'default/llama' }] }],
  };
}

async function withNginx(pod: string, dir: string, run: (url: string) => Promise<void>): Promise<boolean> {
  const nginx = '/usr/sbin/nginx';
  if (!existsSync(nginx)) return false;
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;\ndaemon off;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents { worker_connections 1024; }\n` +
      `http {\n  access_log off;\n  client_body_temp_path ${dir};\n  proxy_temp_path ${dir};\n  upstream pod { server ${pod}; keepalive 64; }\n` +
      `  server {\n    listen 127.0.0.1:${port};\n    location / { proxy_pass http://pod; proxy_http_version 1.1; proxy_set_header Connection ""; }\n  }\n}\n`,
  );
  const child = spawn(nginx, ['-c', conf, '-p', dir], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  try {
    await run(`http://127.0.0.1:${port}`);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  return true;
}

export async function runRouterBench(): Promise<RouterBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'router-bench-'));
  let pod: Child | undefined;
  const targets: TargetResult[] = [];
  try {
    pod = await spawnServer('vllm', { model: 'llama', maxNumSeqs: 1024, outputTokens: 8, faults: { ttftMs: 0, itlMs: 0 } });
    const podAddress = pod.urls.api.replace('http://', '');
    targets.push(await measure('direct to the simulated pod', pod.urls.api));
    for (const observability of [true, false]) {
      const router = await spawnServer('router', routerConfig(podAddress, await freePort(), observability, join(dir, 'access.log')));
      try {
        targets.push(await measure(`router, metrics + access log ${observability ? 'on' : 'off'}`, router.urls.api));
      } finally {
        await stop(router);
      }
    }
    await withNginx(podAddress, dir, async (url) => {
      targets.push(await measure('nginx reverse proxy', url));
    });
  } finally {
    await stop(pod);
    rmSync(dir, { recursive: true, force: true });
  }
  const [direct, on, off] = targets as [TargetResult, TargetResult, TargetResult];
  return { targets, addedP50Ms: on.p50 - direct.p50, observabilityCost: 1 - on.peakRps / off.peakRps };
}

export async function benchRouter(): Promise<BenchSection> {
  const r = await runRouterBench();
  const rows = r.targets.map(
    (t) => `| ${t.name} | ${t.peakRps.toFixed(0)} | ${t.p50.toFixed(2)} | ${t.p99.toFixed(2)} | ${t.errors} |`,
  );
  const verdict = (ok: boolean) => (ok ? 'met' : 'missed');
  return {
    title: 'Reference router overhead',
    body: [
      `autocannon, non-streamed chat completions (8 output tokens) against a simulated vLLM pod with no artificial latency, each server in its own process; ${DURATION_S} s per run. Peak: 50 connections, unthrottled. Latency: 500 req/s over 20 connections.`,
      '',
      '| target | peak req/s | p50 ms @500 req/s | p99 ms @500 req/s | errors |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...rows,
      '',
      `Added p50 through the router at 500 req/s: ${r.addedP50Ms.toFixed(2)} ms (target ≤ 1 ms: ${verdict(r.addedP50Ms <= 1)}).`,
      `Cost of metrics + access log at peak: ${(100 * r.observabilityCost).toFixed(1)} % of throughput (target ≤ 15 %: ${verdict(r.observabilityCost <= 0.15)}).`,
      existsSync('/usr/sbin/nginx') ? '' : 'nginx is not installed on this machine, so there is no nginx row.',
    ].join('\n'),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const section = await benchRouter();
  process.stdout.write(`## ${section.title}\n\n${section.body}\n`);
}
