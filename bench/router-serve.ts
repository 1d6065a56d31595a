import { parseRouterConfig, type RouterConfigInput } from '../src/runtime/router/config.ts';
import { startRouter } from '../src/runtime/router/server.ts';
import { startVllmSim, type VllmSimOptions } from '../src/runtime/sim/vllm-server.ts';

/**
 * Child process of the router benchmark: starts one simulator or one router from the JSON options in
 * argv, prints its URLs as one JSON line, and stops on SIGTERM. Separate processes keep the load
 * generator, the router and the pod off each other's event loop.
 */
const [kind, json] = process.argv.slice(2);
const options = JSON.parse(json ?? '{}') as unknown;
const running =
  kind === 'vllm'
    ? await startVllmSim(options as VllmSimOptions).then((s) => ({ urls: { api: s.url }, close: s.close }))
    : await startRouter(parseRouterConfig(options as RouterConfigInput)).then((r) => ({ urls: { api: r.apiUrl, metrics: r.metricsUrl }, close: r.close }));
process.stdout.write(`${JSON.stringify(running.urls)}\n`);
process.once('SIGTERM', () => void running.close().then(() => process.exit(0)));
