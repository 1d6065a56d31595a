import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { median, percentile, type BenchSection } from './stats.ts';

/**
 * Router overhead: autocannon against the simulated vLLM pod directly, through the router with metrics
 * and access log on, with tracing on as well (every request sampled, spans exported over OTLP/HTTP to a
 * receiver in its own process), with all of them off, and through nginx as a plain reverse proxy when it
 * is installed. Each target gets a peak-throughput run and a fixed 500 req/s run for latency.
 */

export interface TargetResult {
  name: string;
  /** Requests per second at saturation. */
  peakRps: number;
  /** Latency (ms) at a fixed 500 req/s. */
  p50: number;
  p99: number;
  errors: number;
  /** CPU time (user + system) of the router process per request in the peak runs, ms; routers only. */
  cpuMsPerRequest: number | undefined;
}

export interface RouterBenchResult {
  targets: TargetResult[];
  /** Router p50 minus direct p50 at 500 req/s, metrics and access log on (ms). */
  addedP50Ms: number;
  /** 1 - peak(on) / peak(off). */
  observabilityCost: number;
  /** Router CPU per request with metrics and access log on / off. */
  observabilityCpu: number | undefined;
  /** 1 - peak(metrics, log and tracing on, every request sampled) / peak(metrics and log on). */
  tracingCost: number;
  /** The same with 10 % of requests sampled. */
  sampledTracingCost: number;
  /** Router CPU per request with tracing / without (metrics and log on both), every request and 10 % sampled. */
  tracingCpu: number | undefined;
  sampledTracingCpu: number | undefined;
  /** Spans the receiver decoded over the whole run (0 would mean tracing was not measured at all). */
  spansReceived: number;
  /** Router (metrics and log on) peak / nginx peak; undefined without nginx. */
  nginxRatio: number | undefined;
}

const BODY = JSON.stringify({ model: 'llama', messages: [{ role: 'user', content: 'Say hello in five words.' }], max_tokens: 8 });
const DURATION_S = Number(process.env.ROUTER_BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.ROUTER_BENCH_ROUNDS ?? 5);

interface Child {
  process: ChildProcess;
  urls: { api: string; metrics?: string };
}

export async function spawnServer(kind: 'vllm' | 'router' | 'otlp', options: unknown): Promise<Child> {
  const child = spawn(process.execPath, ['--conditions=infermon-source', '--import', 'tsx', join(import.meta.dirname, 'router-serve.ts'), kind, JSON.stringify(options)], {
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

export function freePort(): Promise<number> {
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

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`; 100 on Linux). */
const CLOCK_TICKS = 100;

/** User + system CPU time a process has used so far, ms (Linux /proc); undefined elsewhere. */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/**
 * Peak requests per second over `connections` connections (autocannon), and the CPU time the target's
 * process spent per request meanwhile: on a shared machine that is steadier than throughput, which
 * follows whatever else runs.
 */
async function peak(url: string, pid: number | undefined): Promise<{ rps: number; errors: number; cpuMsPerRequest: number | undefined }> {
  const before = cpuMs(pid);
  const r = await load(url, { connections: 50 });
  const after = cpuMs(pid);
  const cpuMsPerRequest = before !== undefined && after !== undefined && r.requests.total > 0 ? (after - before) / r.requests.total : undefined;
  return { rps: r.requests.average, errors: r.errors + r.non2xx, cpuMsPerRequest };
}

/**
 * Latency at a fixed arrival rate, timed per request with a sub-millisecond clock (autocannon rounds
 * latencies to whole milliseconds, too coarse for a 1 ms budget).
 */
async function paced(url: string, rate: number, seconds: number): Promise<{ p50: number; p99: number; errors: number }> {
  const pool = new Pool(url, { connections: 32 });
  const latencies: number[] = [];
  let errors = 0;
  const inflight: Promise<void>[] = [];
  const one = async () => {
    const started = performance.now();
    try {
      const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
      await res.body.dump();
      if (res.statusCode !== 200) errors++;
      latencies.push(performance.now() - started);
    } catch {
      errors++;
    }
  };
  const begin = performance.now();
  let sent = 0;
  while (performance.now() - begin < seconds * 1000) {
    const due = Math.floor(((performance.now() - begin) / 1000) * rate);
    while (sent < due) {
      inflight.push(one());
      sent++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inflight);
  await pool.close();
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

export interface Target {
  name: string;
  url: string;
  /** The router's process, whose CPU time per request is measured. */
  pid?: number;
}

/**
 * Rounds of peak and paced runs over all targets, in rotating order, so drift on a shared machine hits
 * every target alike; each figure is the median over rounds.
 */
async function measureAll(targets: Target[]): Promise<TargetResult[]> {
  for (const t of targets) await load(t.url, { connections: 10, duration: 1 }); // warm-up: JIT, keep-alive pools
  const runs = new Map(targets.map((t) => [t.name, { rps: [] as number[], p50: [] as number[], p99: [] as number[], cpu: [] as number[], errors: 0 }]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
    for (const t of order) {
      const r = runs.get(t.name)!;
      const p = await peak(t.url, t.pid);
      const l = await paced(t.url, 500, DURATION_S);
      r.rps.push(p.rps);
      if (p.cpuMsPerRequest !== undefined) r.cpu.push(p.cpuMsPerRequest);
      r.p50.push(l.p50);
      r.p99.push(l.p99);
      r.errors += p.errors + l.errors;
    }
  }
  return targets.map((t) => {
    const r = runs.get(t.name)!;
    return { name: t.name, peakRps: median(r.rps), p50: median(r.p50), p99: median(r.p99), errors: r.errors, cpuMsPerRequest: r.cpu.length ? median(r.cpu) : undefined };
  });
}

export function routerConfig(pod: string, port: number, metrics: boolean, logFile: string | undefined, traces?: { url: string; samplingRatio: number }) {
  return {
    server: { port: 0 },
    observability: {
      metrics: { enabled: metrics, port },
      ...(traces ? { tracing: { enabled: true, endpoint: traces.url, samplingRatio: traces.samplingRatio } } : {}),
    },
    accessLogger: { enabled: logFile !== undefined, format: 'json', output: logFile ?? 'stdout' },
    scheduler: { podMetricsInterval: '1s' },
    modelServers: [{ name: 'llama', pods: [{ name: 'llama-0', address: pod }] }],
    modelRoutes: [{ name: 'llama', model: 'llama', targets: [{ modelServer: 'default/llama' }] }],
  };
}

const NGINX_TARGET = 'nginx reverse proxy';

function cpuRatio(a: TargetResult, b: TargetResult): number | undefined {
  return a.cpuMsPerRequest !== undefined && b.cpuMsPerRequest !== undefined ? a.cpuMsPerRequest / b.cpuMsPerRequest : undefined;
}

/** The receiver's span count, read from its count endpoint. */
async function receivedSpans(countUrl: string | undefined): Promise<number> {
  if (!countUrl) return 0;
  const res = await fetch(countUrl);
  return Number(await res.text());
}

async function withNginx(pod: string, dir: string, run: (url: string) => Promise<void>): Promise<boolean> {
  const nginx = '/usr/sbin/nginx';
  if (!existsSync(nginx)) {
    console.error(`router bench: ${nginx} is absent, so the nginx comparison is skipped (apt-get install nginx-light adds it)`);
    return false;
  }
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

export async function runRouterBench(extra: (podAddress: string, dir: string) => Promise<Target[]> = async () => []): Promise<RouterBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'router-bench-'));
  const children: Child[] = [];
  try {
    const pod = await spawnServer('vllm', { model: 'llama', maxNumSeqs: 1024, outputTokens: 8, faults: { ttftMs: 0, itlMs: 0 } });
    children.push(pod);
    const podAddress = pod.urls.api.replace('http://', '');
    const on = await spawnServer('router', routerConfig(podAddress, await freePort(), true, join(dir, 'access.log')));
    children.push(on);
    const off = await spawnServer('router', routerConfig(podAddress, await freePort(), false, undefined));
    children.push(off);
    const receiver = await spawnServer('otlp', {});
    children.push(receiver);
    const traced = await spawnServer('router', routerConfig(podAddress, await freePort(), true, join(dir, 'access-traced.log'), { url: receiver.urls.api, samplingRatio: 1 }));
    children.push(traced);
    const sampled = await spawnServer('router', routerConfig(podAddress, await freePort(), true, join(dir, 'access-sampled.log'), { url: receiver.urls.api, samplingRatio: 0.1 }));
    children.push(sampled);
    const targets: Target[] = [
      { name: 'direct to the simulated pod', url: pod.urls.api },
      { name: 'router, metrics + access log on', url: on.urls.api, pid: on.process.pid },
      { name: 'router, metrics + access log off', url: off.urls.api, pid: off.process.pid },
      { name: 'router, metrics + access log + tracing, every request sampled', url: traced.urls.api, pid: traced.process.pid },
      { name: 'router, metrics + access log + tracing, 10 % sampled', url: sampled.urls.api, pid: sampled.process.pid },
      ...(await extra(podAddress, dir)),
    ];
    let results: TargetResult[] = [];
    const hasNginx = await withNginx(podAddress, dir, async (url) => {
      results = await measureAll([...targets, { name: NGINX_TARGET, url }]);
    });
    if (!hasNginx) results = await measureAll(targets);
    const [direct, withObs, withoutObs, withTracing, withSampledTracing] = results as [TargetResult, TargetResult, TargetResult, TargetResult, TargetResult];
    const nginx = results.find((t) => t.name === NGINX_TARGET);
    const spansReceived = await receivedSpans(receiver.urls.metrics);
    return {
      targets: results,
      addedP50Ms: withObs.p50 - direct.p50,
      observabilityCost: 1 - withObs.peakRps / withoutObs.peakRps,
      observabilityCpu: cpuRatio(withObs, withoutObs),
      tracingCost: 1 - withTracing.peakRps / withObs.peakRps,
      sampledTracingCost: 1 - withSampledTracing.peakRps / withObs.peakRps,
      tracingCpu: cpuRatio(withTracing, withObs),
      sampledTracingCpu: cpuRatio(withSampledTracing, withObs),
      spansReceived,
      nginxRatio: nginx ? withObs.peakRps / nginx.peakRps : undefined,
    };
  } finally {
    for (const c of children.reverse()) await stop(c);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchRouter(): Promise<BenchSection> {
  const loadBefore = loadavg()[0]!;
  const r = await runRouterBench();
  const loadAfter = loadavg()[0]!;
  const rows = r.targets.map(
    (t) =>
      `| ${t.name} | ${t.peakRps.toFixed(0)} | ${t.cpuMsPerRequest === undefined ? '' : t.cpuMsPerRequest.toFixed(3)} | ${t.p50.toFixed(2)} | ${t.p99.toFixed(2)} | ${t.errors} |`,
  );
  const percent = (ratio: number | undefined) => (ratio === undefined ? 'not measured' : `${ratio >= 1 ? '+' : ''}${(100 * (ratio - 1)).toFixed(1)} %`);
  const verdict = (ok: boolean) => (ok ? 'met' : 'missed');
  return {
    title: 'Reference router overhead',
    body: [
      `Non-streamed chat completions (8 output tokens) against a simulated vLLM pod with no artificial latency; the pod, each router and the OTLP/HTTP receiver the tracing routers export to (it counts spans without decoding them) run in their own process. Each router is one Node.js process (one event loop, no workers) and nginx runs \`worker_processes 1\`: one worker a side. Peak: autocannon, 50 connections, unthrottled. Latency: a paced client at 500 req/s timing each request with a sub-millisecond clock. ${ROUNDS} rounds of ${DURATION_S} s per run in rotating order; medians over rounds. Router CPU per request comes from /proc (user + system time of the router process over the peak run). Compare rows of one run only: on a shared machine the whole table moves between runs (this run began at a 1-minute load average of ${loadBefore.toFixed(1)} and ended at ${loadAfter.toFixed(1)}, on ${cpus().length} cores).`,
      '',
      '| target | peak req/s | router CPU ms/request at peak | p50 ms @500 req/s | p99 ms @500 req/s | errors |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...rows,
      '',
      `Added p50 through the router at 500 req/s: ${r.addedP50Ms.toFixed(2)} ms (target ≤ 0.3 ms: ${verdict(r.addedP50Ms <= 0.3)}).`,
      `Cost of metrics + access log at peak: ${(100 * r.observabilityCost).toFixed(1)} % of throughput (target ≤ 15 %: ${verdict(r.observabilityCost <= 0.15)}); router CPU per request ${percent(r.observabilityCpu)}.`,
      `Cost of tracing on top of them at peak: every request sampled ${(100 * r.tracingCost).toFixed(1)} % of throughput (target ≤ 5 %: ${verdict(r.tracingCost <= 0.05)}), 10 % sampled ${(100 * r.sampledTracingCost).toFixed(1)} % (${verdict(r.sampledTracingCost <= 0.05)}); the OTLP receiver, a process of its own on the same cores, counted ${r.spansReceived} spans. Router CPU per request with tracing: ${percent(r.tracingCpu)} every request sampled, ${percent(r.sampledTracingCpu)} 10 % sampled.`,
      r.nginxRatio === undefined
        ? 'nginx is not installed on this machine (apt-get install nginx-light), so there is no nginx row and no ratio.'
        : `Router (metrics + access log on) peak / nginx peak: ${r.nginxRatio.toFixed(2)} × (target ≥ 0.8 ×: ${verdict(r.nginxRatio >= 0.8)}).`,
    ].join('\n'),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const section = await benchRouter();
  process.stdout.write(`## ${section.title}\n\n${section.body}\n`);
}
