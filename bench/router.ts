import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { BASELINE, commitOf } from './baseline-build.ts';
import { measureTracingWork, type MeasuredTracingWork } from './tracing-work.ts';
import { buildServeScript, sourceAt } from './router-build.ts';
import { median, percentile, type BenchSection } from './stats.ts';

/**
 * Router overhead: autocannon against the simulated vLLM pod directly, through the router with metrics
 * and access log on, with tracing on as well (every request sampled, spans exported over OTLP/HTTP to a
 * receiver in its own process), with all of them off, through the bare Node.js proxy the router is built
 * on (its floor), through the router in two node:cluster workers, and through nginx as a plain reverse
 * proxy with one and two workers when it is installed. Each target gets a peak-throughput run and a fixed
 * 500 req/s run for latency. `INFERMON_BENCH_BASELINE=<ref>` adds the router built from that commit, in
 * the same rounds and, for CPU per request, side by side under the same load at the same time.
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
  /** The same for the Node.js proxy floor and for nginx: what the extra hop costs without the router (ms). */
  hopAddedP50Ms: { floor: number; nginx: number | undefined };
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
  /** The router (metrics and log on) in several node:cluster workers. */
  workers: {
    count: number;
    /** Its peak / the one-process router's. */
    overOne: number;
    /** Its peak / the peak of nginx with as many workers; undefined without nginx. */
    nginxRatio: number | undefined;
    /** Its CPU per request (all workers) / the one-process router's. */
    cpu: number | undefined;
  };
  /** The bare Node.js proxy: the CPU per request node:http and undici take before the router does anything. */
  floor: TargetResult;
  /** Floor peak / nginx peak; undefined without nginx. */
  floorNginxRatio: number | undefined;
}

export const BODY = JSON.stringify({ model: 'llama', messages: [{ role: 'user', content: 'Say hello in five words.' }], max_tokens: 8 });
const DURATION_S = Number(process.env.ROUTER_BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.ROUTER_BENCH_ROUNDS ?? 5);

export interface Child {
  process: ChildProcess;
  urls: { api: string; metrics?: string };
  /** The processes serving: the child itself, or its workers when it runs several. */
  pids: number[];
}

/**
 * Starts one child of `script` (`router-serve.ts` as `buildServeScript` compiles it); `nodeArgs` go to its
 * Node.js before the script (e.g. `--cpu-prof`).
 */
export async function spawnServer(script: string, kind: 'vllm' | 'router' | 'otlp' | 'floor', options: unknown, nodeArgs: readonly string[] = []): Promise<Child> {
  const child = spawn(process.execPath, [...nodeArgs, script, kind, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  child.stdout!.resume();
  // A child that does not say which processes serve (a baseline's older serve script) serves itself.
  const { pids, ...urls } = JSON.parse(line) as Child['urls'] & { pids?: number[] };
  return { process: child, urls, pids: pids ?? [child.pid!] };
}

export async function stop(child: Child | undefined): Promise<void> {
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

/** User and system CPU time a process has used so far, ms (Linux /proc); undefined elsewhere. */
export function cpuTimes(pid: number | undefined): { user: number; system: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: (Number(fields[11]) * 1000) / CLOCK_TICKS, system: (Number(fields[12]) * 1000) / CLOCK_TICKS };
  } catch {
    return undefined;
  }
}

/** User + system CPU time the processes have used so far, ms. */
function cpuMs(pids: readonly number[] | undefined): number | undefined {
  if (pids === undefined) return undefined;
  let total = 0;
  for (const pid of pids) {
    const t = cpuTimes(pid);
    if (!t) return undefined;
    total += t.user + t.system;
  }
  return total;
}

/**
 * Peak requests per second over `connections` connections (autocannon), and the CPU time the target's
 * process spent per request meanwhile: on a shared machine that is steadier than throughput, which
 * follows whatever else runs.
 */
export async function peak(url: string, pids: readonly number[] | undefined): Promise<{ rps: number; errors: number; cpuMsPerRequest: number | undefined }> {
  const before = cpuMs(pids);
  const r = await load(url, { connections: 50 });
  const after = cpuMs(pids);
  const cpuMsPerRequest = before !== undefined && after !== undefined && r.requests.total > 0 ? (after - before) / r.requests.total : undefined;
  return { rps: r.requests.average, errors: r.errors + r.non2xx, cpuMsPerRequest };
}

/**
 * Latency at a fixed arrival rate, timed per request with a sub-millisecond clock (autocannon rounds
 * latencies to whole milliseconds, too coarse for a 1 ms budget).
 */
export async function paced(url: string, rate: number, seconds: number): Promise<{ p50: number; p99: number; errors: number }> {
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

/** Arrival rate each router gets in the side-by-side comparison with a baseline build. */
const SIDE_BY_SIDE_RATE = 1500;

/**
 * Router CPU per request of `a` over `b`, both loaded at the same fixed rate at the same time, as the
 * median over rounds: whatever else runs on a shared machine then hits both builds alike, which rounds
 * run one after the other cannot promise.
 */
async function sideBySideCpu(a: Target, b: Target): Promise<number | undefined> {
  const run = (t: Target) => load(t.url, { connections: 10, overallRate: SIDE_BY_SIDE_RATE });
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const before = [cpuMs(a.pids), cpuMs(b.pids)];
    const [ra, rb] = await Promise.all([run(a), run(b)]);
    const after = [cpuMs(a.pids), cpuMs(b.pids)];
    if (before.includes(undefined) || after.includes(undefined) || !ra.requests.total || !rb.requests.total) return undefined;
    ratios.push((after[0]! - before[0]!) / ra.requests.total / ((after[1]! - before[1]!) / rb.requests.total));
  }
  return median(ratios);
}

export interface Target {
  name: string;
  url: string;
  /** The router's process, whose CPU time per request is measured. */
  pids?: readonly number[];
}

/**
 * Rounds of peak and paced runs over all targets, in rotating order, so drift on a shared machine hits
 * every target alike; each figure is the median over rounds.
 */
export async function measureAll(targets: Target[]): Promise<TargetResult[]> {
  for (const t of targets) await load(t.url, { connections: 10, duration: 1 }); // warm-up: JIT, keep-alive pools
  const runs = new Map(targets.map((t) => [t.name, { rps: [] as number[], p50: [] as number[], p99: [] as number[], cpu: [] as number[], errors: 0 }]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
    for (const t of order) {
      const r = runs.get(t.name)!;
      const p = await peak(t.url, t.pids);
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

/** Processes a side in the rows that ask whether more processes help. */
const WORKERS = 2;
const NGINX_TARGET = 'nginx reverse proxy';
const NGINX_WORKERS = `nginx reverse proxy, worker_processes ${WORKERS}`;
const ROUTER_WORKERS = `router, metrics + access log on, ${WORKERS} node:cluster workers`;
const FLOOR_TARGET = 'Node.js proxy floor: node:http + one undici dispatch, nothing else';

function cpuRatio(a: TargetResult, b: TargetResult): number | undefined {
  return a.cpuMsPerRequest !== undefined && b.cpuMsPerRequest !== undefined ? a.cpuMsPerRequest / b.cpuMsPerRequest : undefined;
}

/** The receiver's span count, read from its count endpoint. */
async function receivedSpans(countUrl: string | undefined): Promise<number> {
  if (!countUrl) return 0;
  const res = await fetch(countUrl);
  return Number(await res.text());
}

const NGINX = '/usr/sbin/nginx';

/** nginx as a plain reverse proxy to the pod with `workers` worker processes, in a folder of its own. */
async function startNginx(pod: string, dir: string, workers: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const home = join(dir, `nginx-${workers}`);
  mkdirSync(home);
  const conf = join(home, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes ${workers};\ndaemon off;\npid ${home}/nginx.pid;\nerror_log ${home}/error.log;\nevents { worker_connections 1024; }\n` +
      `http {\n  access_log off;\n  client_body_temp_path ${home};\n  proxy_temp_path ${home};\n  upstream pod { server ${pod}; keepalive 64; }\n` +
      `  server {\n    listen 127.0.0.1:${port};\n    location / { proxy_pass http://pod; proxy_http_version 1.1; proxy_set_header Connection ""; }\n  }\n}\n`,
  );
  const child = spawn(NGINX, ['-c', conf, '-p', home], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** The baseline's router is built the same way from that commit's sources: its rows carry the commit as a prefix. */
const BASELINE_COMMIT = BASELINE ? commitOf(BASELINE) : undefined;

const ROUTER_ON = 'router, metrics + access log on';
const ROUTER_OFF = 'router, metrics + access log off';
const ROUTER_TRACED = 'router, metrics + access log + tracing, every request sampled';
const ROUTER_SAMPLED = 'router, metrics + access log + tracing, 10 % sampled';

export interface BaselineComparison {
  ref: string;
  /** Router CPU per request of this build / the baseline's, per router kind. */
  cpu: { on: number | undefined; off: number | undefined; traced: number | undefined };
  /** Peak of this build / the baseline's, per router kind. */
  peak: { on: number; off: number; traced: number };
  /** Router CPU per request of this build / the baseline's with both loaded at the same time, per router kind. */
  sideBySide: { on: number | undefined; off: number | undefined; traced: number | undefined };
}

export async function runRouterBench(): Promise<RouterBenchResult & { baseline: BaselineComparison | undefined }> {
  const dir = mkdtempSync(join(tmpdir(), 'router-bench-'));
  const children: Child[] = [];
  const stops: Array<() => Promise<void>> = [];
  const start = async (script: string, kind: 'vllm' | 'router' | 'otlp' | 'floor', options: unknown) => {
    const child = await spawnServer(script, kind, options);
    children.push(child);
    return child;
  };
  try {
    const script = await buildServeScript(dir);
    const pod = await start(script, 'vllm', { model: 'llama', maxNumSeqs: 1024, outputTokens: 8, faults: { ttftMs: 0, itlMs: 0 } });
    const podAddress = pod.urls.api.replace('http://', '');
    const receiver = await start(script, 'otlp', {});
    const traces = (samplingRatio: number) => ({ url: receiver.urls.api, samplingRatio });
    let logs = 0;
    const logFile = () => join(dir, `access-${logs++}.log`);
    const router = async (routerScript: string, name: string, metrics: boolean, tracing?: { url: string; samplingRatio: number }): Promise<Target> => {
      const r = await start(routerScript, 'router', routerConfig(podAddress, await freePort(), metrics, metrics ? logFile() : undefined, tracing));
      return { name, url: r.urls.api, pids: r.pids };
    };
    const targets: Target[] = [
      { name: 'direct to the simulated pod', url: pod.urls.api },
      await router(script, ROUTER_ON, true),
      await router(script, ROUTER_OFF, false),
      await router(script, ROUTER_TRACED, true, traces(1)),
      await router(script, ROUTER_SAMPLED, true, traces(0.1)),
    ];
    const floor = await start(script, 'floor', { pod: podAddress });
    targets.push({ name: FLOOR_TARGET, url: floor.urls.api, pids: floor.pids });
    // Whether more processes help on this machine: the router in node:cluster workers against nginx with as many.
    const clustered = await start(script, 'router', { ...routerConfig(podAddress, await freePort(), true, logFile()), workers: WORKERS });
    targets.push({ name: ROUTER_WORKERS, url: clustered.urls.api, pids: clustered.pids });
    if (BASELINE_COMMIT) {
      const baselineScript = await buildServeScript(dir, sourceAt(BASELINE_COMMIT, join(dir, 'baseline')));
      for (const [name, metrics, tracing] of [[ROUTER_ON, true], [ROUTER_OFF, false], [ROUTER_TRACED, true, traces(1)]] as const)
        targets.push(await router(baselineScript, `${BASELINE_COMMIT}: ${name}`, metrics, tracing));
    }
    const hasNginx = existsSync(NGINX);
    if (!hasNginx) console.error(`router bench: ${NGINX} is absent, so the nginx comparison is skipped (apt-get install nginx-light adds it)`);
    const nginxes = hasNginx ? [await startNginx(podAddress, dir, 1), await startNginx(podAddress, dir, WORKERS)] : [];
    stops.push(...nginxes.map((n) => n.stop));
    if (nginxes.length) targets.push({ name: NGINX_TARGET, url: nginxes[0]!.url }, { name: NGINX_WORKERS, url: nginxes[1]!.url });
    const results = await measureAll(targets);
    const result = (name: string) => results.find((t) => t.name === name)!;
    const [direct, withObs, withoutObs, withTracing, withSampledTracing] = [targets[0]!.name, ROUTER_ON, ROUTER_OFF, ROUTER_TRACED, ROUTER_SAMPLED].map(result) as [
      TargetResult,
      TargetResult,
      TargetResult,
      TargetResult,
      TargetResult,
    ];
    const nginx = results.find((t) => t.name === NGINX_TARGET);
    const nginxWorkers = results.find((t) => t.name === NGINX_WORKERS);
    const spansReceived = await receivedSpans(receiver.urls.metrics);
    const against = (name: string) => ({ cpu: cpuRatio(result(name), result(`${BASELINE_COMMIT}: ${name}`)), peak: result(name).peakRps / result(`${BASELINE_COMMIT}: ${name}`).peakRps });
    const target = (name: string) => targets.find((t) => t.name === name)!;
    const sideBySide = async (name: string) => sideBySideCpu(target(name), target(`${BASELINE_COMMIT}: ${name}`));
    const baseline = BASELINE_COMMIT
      ? await (async () => {
          const [on, off, traced] = [against(ROUTER_ON), against(ROUTER_OFF), against(ROUTER_TRACED)];
          return {
            ref: BASELINE_COMMIT,
            cpu: { on: on.cpu, off: off.cpu, traced: traced.cpu },
            peak: { on: on.peak, off: off.peak, traced: traced.peak },
            sideBySide: { on: await sideBySide(ROUTER_ON), off: await sideBySide(ROUTER_OFF), traced: await sideBySide(ROUTER_TRACED) },
          };
        })()
      : undefined;
    return {
      targets: results,
      addedP50Ms: withObs.p50 - direct.p50,
      hopAddedP50Ms: { floor: result(FLOOR_TARGET).p50 - direct.p50, nginx: nginx ? nginx.p50 - direct.p50 : undefined },
      observabilityCost: 1 - withObs.peakRps / withoutObs.peakRps,
      observabilityCpu: cpuRatio(withObs, withoutObs),
      tracingCost: 1 - withTracing.peakRps / withObs.peakRps,
      sampledTracingCost: 1 - withSampledTracing.peakRps / withObs.peakRps,
      tracingCpu: cpuRatio(withTracing, withObs),
      sampledTracingCpu: cpuRatio(withSampledTracing, withObs),
      spansReceived,
      nginxRatio: nginx ? withObs.peakRps / nginx.peakRps : undefined,
      workers: {
        count: WORKERS,
        overOne: result(ROUTER_WORKERS).peakRps / withObs.peakRps,
        nginxRatio: nginxWorkers ? result(ROUTER_WORKERS).peakRps / nginxWorkers.peakRps : undefined,
        cpu: cpuRatio(result(ROUTER_WORKERS), withObs),
      },
      floor: result(FLOOR_TARGET),
      floorNginxRatio: nginx ? result(FLOOR_TARGET).peakRps / nginx.peakRps : undefined,
      baseline,
    };
  } finally {
    for (const s of stops) await s();
    for (const c of children.reverse()) await stop(c);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The tracing work the SDK does on the router's thread, against the router's CPU per request in the same
 * run: what the throughput cost of tracing every request cannot go below.
 */
function tracingWorkLine(work: MeasuredTracingWork, routerCpuMs: number | undefined): string {
  const us = (v: number) => `${v.toFixed(1)} µs`;
  const measured =
    `Tracing work on the router's thread, measured in process with no I/O (the router's span functions through the OpenTelemetry SDK, medians of ${work.rounds} rounds of ${work.requests.toLocaleString('en-US')} requests): ` +
    `a sampled request's two spans ${us(work.sampledSpansUs)}, their OTLP serialisation ${us(work.otlpJsonUs)} as JSON (${work.otlpJsonBytes.toFixed(0)} bytes; the router's export) or ${us(work.otlpProtobufUs)} as protobuf (${work.otlpProtobufBytes.toFixed(0)} bytes); an unsampled request ${us(work.unsampledUs)}.`;
  if (routerCpuMs === undefined) return measured;
  const routerUs = routerCpuMs * 1000;
  const least = work.sampledSpansUs + Math.min(work.otlpJsonUs, work.otlpProtobufUs);
  return `${measured} Against the router's ${us(routerUs)} of CPU per request in this run (metrics + access log on), sampling every request adds at least ${((100 * least) / routerUs).toFixed(0)} % before a span leaves the process; within 5 % leaves ${us(0.05 * routerUs)} for both spans and their export.`;
}

export async function benchRouter(): Promise<BenchSection> {
  const loadBefore = loadavg()[0]!;
  const r = await runRouterBench();
  const work = measureTracingWork();
  const loadAfter = loadavg()[0]!;
  const rows = r.targets.map(
    (t) =>
      `| ${t.name} | ${t.peakRps.toFixed(0)} | ${t.cpuMsPerRequest === undefined ? '' : t.cpuMsPerRequest.toFixed(3)} | ${t.p50.toFixed(2)} | ${t.p99.toFixed(2)} | ${t.errors} |`,
  );
  const percent = (ratio: number | undefined) => (ratio === undefined ? 'not measured' : `${ratio >= 1 ? '+' : ''}${(100 * (ratio - 1)).toFixed(1)} %`);
  const verdict = (ok: boolean) => (ok ? 'met' : 'missed');
  const cpuOf = (name: string) => r.targets.find((t) => t.name === name)?.cpuMsPerRequest;
  const [on, off] = [cpuOf(ROUTER_ON), cpuOf(ROUTER_OFF)];
  const added = (cpu: number | undefined) => (cpu === undefined || r.floor.cpuMsPerRequest === undefined ? 'not measured' : (cpu - r.floor.cpuMsPerRequest).toFixed(3));
  return {
    title: 'Reference router overhead',
    body: [
      `Non-streamed chat completions (8 output tokens) against a simulated vLLM pod with no artificial latency; the pod, each router and the OTLP/HTTP receiver the tracing routers export to (it counts spans without decoding them) run in their own process. Each router is one Node.js process (one event loop) and nginx runs \`worker_processes 1\`: one worker a side, but for the two rows with ${WORKERS} a side. The pod, the routers and the receiver run from one file esbuild compiles the way the package's build does (dependencies bundled, no TypeScript loader at run time).${r.baseline ? ` The \`${r.baseline.ref}:\` rows are the router built the same way from that commit's sources, measured in the same rounds.` : ''} Peak: autocannon, 50 connections, unthrottled. Latency: a paced client at 500 req/s timing each request with a sub-millisecond clock. ${ROUNDS} rounds of ${DURATION_S} s per run in rotating order; medians over rounds. Router CPU per request comes from /proc (user + system time of the router process over the peak run). Compare rows of one run only: on a shared machine the whole table moves between runs (this run began at a 1-minute load average of ${loadBefore.toFixed(1)} and ended at ${loadAfter.toFixed(1)}, on ${cpus().length} cores).`,
      '',
      '| target | peak req/s | router CPU ms/request at peak | p50 ms @500 req/s | p99 ms @500 req/s | errors |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...rows,
      '',
      `Added p50 through the router at 500 req/s: ${r.addedP50Ms.toFixed(2)} ms (target ≤ 0.3 ms: ${verdict(r.addedP50Ms <= 0.3)}); the same hop adds ${r.hopAddedP50Ms.floor.toFixed(2)} ms through the Node.js proxy floor${r.hopAddedP50Ms.nginx === undefined ? '' : ` and ${r.hopAddedP50Ms.nginx.toFixed(2)} ms through nginx`}.`,
      `Cost of metrics + access log at peak: ${(100 * r.observabilityCost).toFixed(1)} % of throughput (target ≤ 15 %: ${verdict(r.observabilityCost <= 0.15)}); router CPU per request ${percent(r.observabilityCpu)}.`,
      `Cost of tracing on top of them at peak: every request sampled ${(100 * r.tracingCost).toFixed(1)} % of throughput (target ≤ 5 %: ${verdict(r.tracingCost <= 0.05)}), 10 % sampled ${(100 * r.sampledTracingCost).toFixed(1)} % (${verdict(r.sampledTracingCost <= 0.05)}); the OTLP receiver, a process of its own on the same cores, counted ${r.spansReceived} spans. Router CPU per request with tracing: ${percent(r.tracingCpu)} every request sampled, ${percent(r.sampledTracingCpu)} 10 % sampled.`,
      tracingWorkLine(work, on),
      r.nginxRatio === undefined
        ? 'nginx is not installed on this machine (apt-get install nginx-light), so there is no nginx row and no ratio.'
        : `Router (metrics + access log on) peak / nginx peak: ${r.nginxRatio.toFixed(2)} × (target ≥ 0.8 ×: ${verdict(r.nginxRatio >= 0.8)}).`,
      `${WORKERS} processes a side (router workers over node:cluster, nginx \`worker_processes ${WORKERS}\`): router peak ${r.workers.overOne.toFixed(2)} × its one-process peak, CPU per request ${percent(r.workers.cpu)}${r.workers.nginxRatio === undefined ? '' : `, ${r.workers.nginxRatio.toFixed(2)} × nginx's peak with as many workers`}.`,
      `${FLOOR_TARGET} (the building blocks without the router): ${r.floor.cpuMsPerRequest?.toFixed(3) ?? 'not measured'} ms CPU per request${r.floorNginxRatio === undefined ? '' : `, peak ${r.floorNginxRatio.toFixed(2)} × nginx's`}; the router adds ${added(on)} ms per request to it with metrics + access log on, ${added(off)} ms with them off.`,
      ...(r.baseline
        ? [
            `Against \`${r.baseline.ref}\` in the same run, router CPU per request: metrics + access log on ${percent(r.baseline.cpu.on)}, off ${percent(r.baseline.cpu.off)}, with tracing ${percent(r.baseline.cpu.traced)}; peak: on ${percent(r.baseline.peak.on)}, off ${percent(r.baseline.peak.off)}, with tracing ${percent(r.baseline.peak.traced)}.`,
            `Side by side (both builds at ${SIDE_BY_SIDE_RATE} req/s each at the same time, so the machine's other load hits them alike; median over ${ROUNDS} rounds of ${DURATION_S} s), router CPU per request against \`${r.baseline.ref}\`: metrics + access log on ${percent(r.baseline.sideBySide.on)}, off ${percent(r.baseline.sideBySide.off)}, with tracing ${percent(r.baseline.sideBySide.traced)}.`,
          ]
        : []),
    ].join('\n'),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const section = await benchRouter();
  process.stdout.write(`## ${section.title}\n\n${section.body}\n`);
}
