import { parseRouterConfig, type RouterConfigInput } from '../src/runtime/router/config.ts';
import { startRouter } from '../src/runtime/router/server.ts';
import { startVllmSim, type VllmSimOptions } from '../src/runtime/sim/vllm-server.ts';
import { startOtlpReceiver } from '../test/support/otlp-receiver.ts';

/**
 * Child process of the router benchmark: starts one simulator, one router or one OTLP receiver from the JSON options in
 * argv, prints its URLs as one JSON line, and stops on SIGTERM. Separate processes keep the load
 * generator, the router and the pod off each other's event loop.
 */
const [kind, json] = process.argv.slice(2);
const options = JSON.parse(json ?? '{}') as unknown;
async function start(): Promise<{ urls: Record<string, string | undefined>; close: () => Promise<void> }> {
  if (kind === 'vllm') return startVllmSim(options as VllmSimOptions).then((s) => ({ urls: { api: s.url }, close: s.close }));
  // Spans are decoded and counted, not kept: the router's export path is measured, not the receiver's memory.
  if (kind === 'otlp') return startOtlpReceiver({ keep: false }).then((r) => ({ urls: { api: r.url, metrics: r.countUrl }, close: r.close }));
  return startRouter(parseRouterConfig(options as RouterConfigInput)).then((r) => ({ urls: { api: r.apiUrl, metrics: r.metricsUrl }, close: r.close }));
}
const running = await start();
process.stdout.write(`${JSON.stringify(running.urls)}\n`);
process.once('SIGTERM', () => void running.close().then(() => process.exit(0)));
