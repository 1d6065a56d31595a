import { parseRouterConfig, type RouterConfigInput } from '../src/runtime/router/config.ts';
import { startRouter } from '../src/runtime/router/server.ts';
import { startVllmSim, type VllmSimOptions } from '../src/runtime/sim/vllm-server.ts';
import { startOtlpReceiver } from '../test/support/otlp-receiver.ts';
import { clustered, type Serving } from './router-cluster.ts';
import { startProxyFloor } from './router-floor.ts';

/**
 * Child process of the router benchmark: starts one simulator, one router (in `workers` processes when
 * given), the bare proxy floor or one OTLP receiver from the JSON options in argv, prints its URLs (and
 * the pids of a router's processes) as one JSON line, and stops on SIGTERM. Separate processes keep the
 * load generator, the router and the pod off each other's event loop.
 */
const [kind, json] = process.argv.slice(2);
const options = JSON.parse(json ?? '{}') as unknown;
async function start(): Promise<Serving> {
  if (kind === 'vllm') return startVllmSim(options as VllmSimOptions).then((s) => ({ urls: { api: s.url }, close: s.close }));
  // Spans are decoded and counted, not kept: the router's export path is measured, not the receiver's memory.
  if (kind === 'otlp') return startOtlpReceiver({ keep: false }).then((r) => ({ urls: { api: r.url, metrics: r.countUrl }, close: r.close }));
  if (kind === 'floor') return startProxyFloor((options as { pod: string }).pod).then((p) => ({ urls: { api: p.url }, close: p.close }));
  const { workers: _, ...config } = options as RouterConfigInput & { workers?: number };
  return startRouter(parseRouterConfig(config)).then((r) => ({ urls: { api: r.apiUrl, metrics: r.metricsUrl }, close: r.close }));
}
const workers = kind === 'router' ? ((options as { workers?: number }).workers ?? 1) : 1;
const running = workers > 1 ? await clustered(workers, start) : { ...(await start()), pids: [process.pid], primary: true };
if (running.primary) process.stdout.write(`${JSON.stringify({ ...running.urls, pids: running.pids })}\n`);
process.once('SIGTERM', () => void running.close().then(() => process.exit(0)));
