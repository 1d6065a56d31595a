import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLoad, type LoadGenerator } from './load.ts';
import { startStack, type RunningStack } from './stack.ts';
import { requestedPrometheusMajor } from '../support/tools.ts';

/**
 * The e2e bench left running for a person: the same stack as `npm run e2e`, light background traffic,
 * and the URLs to explore and to break things with. Ctrl-C stops everything.
 */

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

async function main(): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), 'infermon-demo-'));
  let load: LoadGenerator | undefined;
  let stack: RunningStack | undefined;
  let stopping = false;
  // Registered before anything starts; children still starting are killed on exit (see processes.ts).
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    await load?.stop().catch(() => {});
    await stack?.stop();
    log(`stopped; files kept in ${workDir}`);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  stack = await startStack({
    workDir,
    scrapeInterval: '5s',
    evaluationInterval: '5s',
    prometheusMajor: requestedPrometheusMajor(),
    maxConcurrency: 16,
    log,
    beforeMonitoring: async ({ routerUrl, models, users, k6 }) => {
      const scenarios = [models.first, models.second, models.disaggregated].map((model) => ({ model, rate: 1, maxInFlight: 8 }));
      load = startLoad(routerUrl, scenarios, users, k6.observe);
      k6.track(load, scenarios);
      load.setPhase('demo');
    },
  });
  const { first, second, disaggregated } = stack.models;

  const running = stack;
  const sim = (model: string, role = 'both') => running.sims.find((s) => s.model === model && s.role === role)!;
  const lines = [
    '',
    `Prometheus        ${stack.prometheusUrl}   (alerts: ${stack.prometheusUrl}/alerts, rules: ${stack.prometheusUrl}/rules)`,
    `Alertmanager      ${stack.alertmanagerUrl}   (API: ${stack.alertmanagerUrl}/api/v2/alerts)`,
    `Webhook recorder  ${stack.recorder.url}   (every receiver posts here)`,
    `Router API        ${stack.router.apiUrl}/v1/chat/completions   (models ${first}, ${second}, ${disaggregated})`,
    `Router metrics    ${stack.router.metricsUrl ?? '(disabled)'}   routes: ${stack.router.adminUrl}/debug/config_dump/modelroutes, pods: ${stack.router.adminUrl}/debug/config_dump/pods`,
    ...stack.sims.map((s) => `vLLM sim          ${s.sim.url}   ${s.model} (${s.role}), GPU ${s.gpu}; metrics ${s.sim.url}/metrics`),
    `DCGM exporter     ${stack.dcgm.url}/metrics`,
    '',
    'Break things:',
    `  curl -XPOST ${sim(first).sim.url}/admin/faults -d '{"errorRate":0.5}'      # half of ${first} fails`,
    `  curl -XPOST ${sim(second).sim.url}/admin/faults -d '{"ttftMs":4000}'       # ${second} gets slow`,
    `  curl -XPOST ${stack.dcgm.url}/admin/xid -d '{"gpu":0,"code":79}'           # GPU 0 reports XID 79`,
    `  curl -XPOST ${stack.dcgm.url}/admin/load -d '{"gpu":1,"utilization":97}'   # GPU 1 pinned busy`,
    `  curl ${stack.router.apiUrl}/v1/chat/completions -H 'content-type: application/json' -H 'x-user-id: team-chat' \\`,
    `       -d '{"model":"${first}","messages":[{"role":"user","content":"hello"}]}'`,
    '',
    `Generated artifacts: ${stack.artifactsDir}`,
    `Configs and logs:    ${workDir}`,
    'Light traffic is running (1 request/s per model). Ctrl-C stops everything.',
  ];
  console.log(lines.join('\n'));
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
