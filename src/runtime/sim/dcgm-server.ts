import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { httpStatusOf } from '../health.ts';
import { closeServer, listen } from '../http-server.ts';
import { dcgmReadiness, livenessReport } from './health.ts';
import { Registry, type Counter, type Gauge } from 'prom-client';
import { request } from 'undici';
import { z } from 'zod';
import {
  DCGM_DRIVER_VERSION_LABEL,
  DCGM_HOSTNAME_LABEL,
  DCGM_METRICS,
  dcgmCorrectableRemappedRows,
  dcgmDecUtil,
  dcgmEncUtil,
  dcgmFbFree,
  dcgmFbReserved,
  dcgmFbUsed,
  dcgmGpuTemp,
  dcgmGpuUtil,
  dcgmMemClock,
  dcgmMemCopyUtil,
  dcgmMemoryTemp,
  dcgmNvlinkBandwidthTotal,
  dcgmPcieReplayCounter,
  dcgmPowerUsage,
  dcgmProfDramActive,
  dcgmProfGrEngineActive,
  dcgmProfPcieRxBytes,
  dcgmProfPcieTxBytes,
  dcgmProfPipeTensorActive,
  dcgmRowRemapFailure,
  dcgmSmClock,
  dcgmTotalEnergyConsumption,
  dcgmUncorrectableRemappedRows,
  dcgmVgpuLicenseStatus,
  dcgmXidErrors,
} from 'infermon/catalog/dcgm';
import type { MetricSpec } from 'infermon';
import { labelsFor, registerFamilies, unconditionalFamilies, type AnyCollector } from './catalog-registry.ts';

/**
 * A stand-in for NVIDIA's DCGM exporter: the default counters of every simulated GPU with the exporter's
 * label set, their values following the load of the vLLM simulators the GPUs are assigned to (or a load
 * set through the admin endpoint), and XID errors injected on demand. It reads no hardware.
 */

export interface DcgmSimOptions {
  port?: number;
  host?: string;
  gpus?: number;
  hostname?: string;
  modelName?: string;
  driverVersion?: string;
  /** Base URLs of vLLM simulators; GPU i follows simulator i modulo their number. */
  vllmUrls?: string[];
  /** Kubernetes labels of the workload on each GPU (the exporter's --kubernetes mode). */
  namespace?: string;
  /** Namespace of the pod using GPU i, for workloads of several namespaces; GPUs past the list are in `namespace`. */
  namespaces?: string[];
  /** Pod using GPU i; GPUs past the list are `<podPrefix>-<i>`. */
  pods?: string[];
  podPrefix?: string;
  container?: string;
}

export interface RunningDcgmSim {
  url: string;
  port: number;
  /** The host every GPU is labelled with. */
  hostname: string;
  registry: Registry;
  close(): Promise<void>;
}

interface GpuState {
  index: number;
  base: Record<string, string>;
  /** Set through the admin endpoint; overrides the load read from vLLM. */
  manualUtil: number | undefined;
  util: number;
  xid: { code: number; message: string };
  lastUpdate: number;
}

/** H100 80GB figures, MiB, W and MHz. */
const FB_TOTAL_MIB = 81_559;
const FB_RESERVED_MIB = 512;
const IDLE_W = 70;
const MAX_W = 700;

const loadSchema = z.strictObject({ gpu: z.number().int().min(0), utilization: z.number().min(0).max(100).nullable() });
const xidSchema = z.strictObject({ gpu: z.number().int().min(0), code: z.number().int().min(1), message: z.string().default('Simulated XID error') });

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export async function startDcgmSim(options: DcgmSimOptions = {}): Promise<RunningDcgmSim> {
  const registry = new Registry();
  const families: Map<string, AnyCollector> = registerFamilies(unconditionalFamilies(DCGM_METRICS), registry);
  const hostname = options.hostname ?? 'gpu-node-1';
  const gpus: GpuState[] = Array.from({ length: options.gpus ?? 1 }, (_, i) => ({
    index: i,
    base: {
      gpu: String(i),
      UUID: `GPU-5f3c${String(i).padStart(4, '0')}-sim0-4000-8000-00000000000${i % 10}`,
      pci_bus_id: `00000000:${(0x18 + i * 0x10).toString(16).toUpperCase().padStart(2, '0')}:00.0`,
      device: `nvidia${i}`,
      modelName: options.modelName ?? 'NVIDIA H100 80GB HBM3',
      [DCGM_HOSTNAME_LABEL]: hostname,
      [DCGM_DRIVER_VERSION_LABEL]: options.driverVersion ?? '550.90.07',
      namespace: options.namespaces?.[i] ?? options.namespace ?? 'inference',
      pod: options.pods?.[i] ?? `${options.podPrefix ?? 'vllm'}-${i}`,
      container: options.container ?? 'vllm',
    },
    manualUtil: undefined,
    util: 0,
    xid: { code: 0, message: '' },
    lastUpdate: performance.now(),
  }));

  const gauge = (m: MetricSpec) => families.get(m.name) as Gauge<string>;
  const counter = (m: MetricSpec) => families.get(m.name) as Counter<string>;

  async function readLoad(url: string): Promise<number> {
    try {
      const res = await request(`${url}/admin/load`, { headersTimeout: 500, bodyTimeout: 500 });
      const load = (await res.body.json()) as { running: number; kvCacheUsage: number; maxNumSeqs: number };
      // A decode batch of a handful of sequences already keeps the SMs busy.
      return Math.min(100, 100 * Math.max(load.kvCacheUsage, Math.min(1, load.running / 4)));
    } catch {
      return 0;
    }
  }

  function publish(g: GpuState): void {
    const now = performance.now();
    const seconds = (now - g.lastUpdate) / 1000;
    g.lastUpdate = now;
    const busy = g.util / 100;
    const l = (m: MetricSpec, extra: Record<string, string> = {}) => labelsFor(m, g.base, extra);
    const power = IDLE_W + (MAX_W - IDLE_W) * busy;
    // vLLM claims its share of memory (weights plus KV cache) at start, whatever the load.
    const fbUsed = Math.round(FB_TOTAL_MIB * 0.9);
    gauge(dcgmSmClock).set(l(dcgmSmClock), busy > 0 ? 1980 : 345);
    gauge(dcgmMemClock).set(l(dcgmMemClock), 2619);
    gauge(dcgmGpuTemp).set(l(dcgmGpuTemp), Math.round(32 + 45 * busy));
    gauge(dcgmMemoryTemp).set(l(dcgmMemoryTemp), Math.round(36 + 40 * busy));
    gauge(dcgmPowerUsage).set(l(dcgmPowerUsage), Math.round(power * 100) / 100);
    counter(dcgmTotalEnergyConsumption).inc(l(dcgmTotalEnergyConsumption), Math.round(power * seconds * 1000));
    counter(dcgmPcieReplayCounter).inc(l(dcgmPcieReplayCounter), 0);
    gauge(dcgmGpuUtil).set(l(dcgmGpuUtil), Math.round(g.util));
    gauge(dcgmMemCopyUtil).set(l(dcgmMemCopyUtil), Math.round(g.util * 0.6));
    gauge(dcgmEncUtil).set(l(dcgmEncUtil), 0);
    gauge(dcgmDecUtil).set(l(dcgmDecUtil), 0);
    gauge(dcgmXidErrors).set(l(dcgmXidErrors, { err_code: String(g.xid.code), err_msg: g.xid.message }), g.xid.code);
    gauge(dcgmFbUsed).set(l(dcgmFbUsed), fbUsed);
    gauge(dcgmFbReserved).set(l(dcgmFbReserved), FB_RESERVED_MIB);
    gauge(dcgmFbFree).set(l(dcgmFbFree), FB_TOTAL_MIB - fbUsed - FB_RESERVED_MIB);
    counter(dcgmNvlinkBandwidthTotal).inc(l(dcgmNvlinkBandwidthTotal), Math.round(busy * 50_000 * seconds));
    gauge(dcgmVgpuLicenseStatus).set(l(dcgmVgpuLicenseStatus), 0);
    counter(dcgmUncorrectableRemappedRows).inc(l(dcgmUncorrectableRemappedRows), 0);
    counter(dcgmCorrectableRemappedRows).inc(l(dcgmCorrectableRemappedRows), 0);
    gauge(dcgmRowRemapFailure).set(l(dcgmRowRemapFailure), 0);
    gauge(dcgmProfGrEngineActive).set(l(dcgmProfGrEngineActive), busy * 0.95);
    gauge(dcgmProfPipeTensorActive).set(l(dcgmProfPipeTensorActive), busy * 0.55);
    gauge(dcgmProfDramActive).set(l(dcgmProfDramActive), busy * 0.7);
    gauge(dcgmProfPcieTxBytes).set(l(dcgmProfPcieTxBytes), Math.round(2e6 + busy * 4e8));
    gauge(dcgmProfPcieRxBytes).set(l(dcgmProfPcieRxBytes), Math.round(3e6 + busy * 6e8));
  }

  async function refresh(): Promise<void> {
    const urls = options.vllmUrls ?? [];
    await Promise.all(
      gpus.map(async (g) => {
        if (g.manualUtil !== undefined) g.util = g.manualUtil;
        else if (urls.length > 0) g.util = await readLoad(urls[g.index % urls.length]!);
        else g.util = 0;
        publish(g);
      }),
    );
  }

  async function admin(req: IncomingMessage, res: ServerResponse, schema: 'load' | 'xid'): Promise<void> {
    let body: unknown;
    try {
      body = await readJson(req);
    } catch {
      return sendJson(res, 400, { error: 'body is not JSON' });
    }
    const parsed = (schema === 'load' ? loadSchema : xidSchema).safeParse(body);
    if (!parsed.success) return sendJson(res, 400, { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    const gpu = gpus[parsed.data.gpu];
    if (!gpu) return sendJson(res, 404, { error: `no GPU ${parsed.data.gpu}` });
    if ('utilization' in parsed.data) gpu.manualUtil = parsed.data.utilization ?? undefined;
    else {
      // The exporter keeps one series per GPU; a new XID replaces the labels of the previous one.
      (families.get(dcgmXidErrors.name) as Gauge<string>).remove(labelsFor(dcgmXidErrors, gpu.base, { err_code: String(gpu.xid.code), err_msg: gpu.xid.message }));
      gpu.xid = { code: parsed.data.code, message: parsed.data.message };
    }
    sendJson(res, 200, { gpu: gpu.index, utilization: gpu.manualUtil ?? null, xid: gpu.xid });
  }

  await refresh();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const fail = (err: Error) => (res.headersSent ? res.destroy() : sendJson(res, 500, { error: err.message }));
    if (path === '/metrics') {
      req.resume();
      refresh()
        .then(() => registry.metrics())
        .then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text), fail);
      return;
    }
    if (path === '/livez' || path === '/readyz') {
      req.resume();
      const report = path === '/livez' ? livenessReport() : dcgmReadiness(gpus);
      return sendJson(res, httpStatusOf(report), report);
    }
    if (path === '/admin/load' && req.method === 'POST') return void admin(req, res, 'load').catch(fail);
    if (path === '/admin/xid' && req.method === 'POST') return void admin(req, res, 'xid').catch(fail);
    req.resume();
    sendJson(res, 404, { error: `no route ${path}` });
  });
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  return {
    url: `http://${host}:${port}`,
    port,
    hostname,
    registry,
    close: () => closeServer(server),
  };
}
