import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { localAlertmanagerConfig } from '../../generators/alertmanager/config.ts';
import { NOTIFICATION_TEMPLATES } from '../../generators/alertmanager/templates.ts';
import { federationJob, localPrometheusConfig } from '../../generators/prometheus/config.ts';
import { vllm } from '../../src/catalog/vllm.ts';
import { OUT } from '../../src/conventions.ts';
import { toYaml } from '../../src/emit/serialize.ts';
import { writeTree } from '../../src/emit/write.ts';
import { planOf, type Plan } from '../../src/plan/index.ts';
import type { Stack } from '../../src/model/stack.ts';
import { generateArtifacts } from '../../src/pipeline.ts';
import { startVllmSim, type RunningVllmSim } from '../../src/runtime/sim/index.ts';
import { examplePlatformFixture } from '../support/spec-fixture.ts';
import { prometheusBinaries, toolPath } from '../support/tools.ts';
import { expectedRouting } from './alert-assertions.ts';
import { checkDashboards, exerciseOf, generatedRules, type CheckResult } from './assertions.ts';
import { instantQuery, postJson, prometheusAlerts, prometheusTargets } from './http-api.ts';
import { startLoad } from './load.ts';
import { freePort, startChild, waitReady } from './processes.ts';
import { summaryLine } from './report.ts';
import { loadModel } from './stack.ts';
import { startWebhookRecorder } from './webhook-recorder.ts';

/**
 * The live loop beyond one Prometheus: two cluster Prometheus servers, each scraping its own vLLM server
 * and setting its `cluster` external label, and a global Prometheus that federates both with the
 * generated federation job and evaluates the rules generated for the stack's `global` mode, sending to
 * Alertmanager with the generated routing tree. One model's first token slows down in cluster b only:
 * the alert must fire with `cluster="b"` alone and reach the receivers the routing spec names; the
 * recording rules and SLOs keep one series per cluster; the vLLM dashboard panels have data per cluster.
 */

const CLUSTERS = ['a', 'b'] as const;
const SLOW_CLUSTER = 'b';
const SLOW_TTFT_MS = 4000;
const ALERT = 'VllmHighTimeToFirstToken';
/** The alert's `for: 2m`, its 5m rate window filling, federation, evaluation and group_wait delays. */
const FIRE_MAX_MS = 240_000;
const INTERVAL = '2s';

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

async function globalModel(): Promise<Plan> {
  const specs = examplePlatformFixture({ global: { clusterLabels: ['cluster'] } });
  try {
    return await loadModel(specs, specs);
  } finally {
    rmSync(specs, { recursive: true, force: true });
  }
}

const withStack = (model: Plan, change: Partial<Stack>): Plan => planOf({ ...model, stack: { ...model.stack, value: { ...model.stack.value, ...change } } });

async function main(): Promise<number> {
  const workDir = mkdtempSync(join(tmpdir(), 'infermon-clusters-'));
  const stops: Array<() => Promise<void>> = [];
  const results: CheckResult[] = [];
  const record = (area: string, name: string, ok: boolean, detail: string) => results.push({ area, name, outcome: ok ? 'pass' : 'fail', detail });
  try {
    const model = await globalModel();
    const artifactsDir = join(workDir, 'generated');
    writeTree(artifactsDir, generateArtifacts(model));
    const ruleDir = join(artifactsDir, OUT.prometheusRules);
    const ruleFiles = readdirSync(ruleDir).filter((f) => f.endsWith('.yml')).sort().map((f) => join(ruleDir, f));
    const servedModel = 'llama-3-8b';

    const sims = new Map<string, RunningVllmSim>();
    for (const cluster of CLUSTERS) {
      const sim = await startVllmSim({ model: servedModel });
      stops.push(() => sim.close());
      sims.set(cluster, sim);
    }
    for (const [cluster, sim] of sims) {
      const load = startLoad(sim.url, [{ model: servedModel, rate: 4, maxInFlight: 8 }], ['team-search']);
      stops.push(() => load.stop());
      log(`cluster ${cluster}: vLLM ${sim.url} under load`);
    }

    const recorder = await startWebhookRecorder();
    stops.push(() => recorder.close());
    const alertmanagerAddress = `127.0.0.1:${await freePort()}`;
    const [routing] = model.specs.routing;
    if (!routing) throw new Error('the specs declare no alert routing');
    const alertmanagerYml = join(workDir, 'alertmanager.yml');
    const templates = join(artifactsDir, dirname(NOTIFICATION_TEMPLATES), '*.tmpl');
    writeFileSync(alertmanagerYml, toYaml(localAlertmanagerConfig(routing.value, { webhookUrl: recorder.url, templates: [templates] })));
    mkdirSync(join(workDir, 'alertmanager-data'));
    const alertmanager = startChild(
      'alertmanager',
      toolPath('alertmanager'),
      [`--config.file=${alertmanagerYml}`, `--storage.path=${join(workDir, 'alertmanager-data')}`, `--web.listen-address=${alertmanagerAddress}`, '--cluster.listen-address='],
      join(workDir, 'alertmanager.log'),
    );
    stops.push(() => alertmanager.stop());

    const prometheus = prometheusBinaries(3).prometheus;
    const startPrometheus = async (name: string, config: string) => {
      const port = await freePort();
      const yml = join(workDir, `${name}.yml`);
      writeFileSync(yml, config);
      const child = startChild(name, prometheus, [`--config.file=${yml}`, `--storage.tsdb.path=${join(workDir, `${name}-data`)}`, `--web.listen-address=127.0.0.1:${port}`], join(workDir, `${name}.log`));
      stops.push(() => child.stop());
      await waitReady(child, `http://127.0.0.1:${port}/-/ready`);
      return { url: `http://127.0.0.1:${port}`, address: `127.0.0.1:${port}` };
    };

    // Each cluster's Prometheus: the generated scrape job of its vLLM server, its own cluster label, no rules.
    const clusterPrometheus = new Map<string, { url: string; address: string }>();
    for (const [cluster, sim] of sims) {
      const clusterModel = withStack(model, { externalLabels: { ...model.stack.value.externalLabels, cluster } });
      const config = toYaml(localPrometheusConfig(clusterModel, { targets: { [vllm.spec.name]: [`127.0.0.1:${sim.port}`] }, ruleFiles: [], alertmanager: alertmanagerAddress, scrapeInterval: INTERVAL }));
      clusterPrometheus.set(cluster, await startPrometheus(`prometheus-${cluster}`, config));
    }

    // The global one: the generated federation job over both, the generated rules, Alertmanager.
    const federated = withStack(model, {
      plainPrometheus: { ...model.stack.value.plainPrometheus, federation: { jobName: 'federate-clusters', targets: [...clusterPrometheus.values()].map((p) => p.address), scrapeInterval: INTERVAL } },
    });
    const vllmJob = model.catalog.source(vllm.spec.name)!.job;
    const globalConfig: { scrape_configs?: unknown[] } = localPrometheusConfig(federated, { targets: {}, ruleFiles, alertmanager: alertmanagerAddress, scrapeInterval: INTERVAL });
    globalConfig.scrape_configs = [federationJob(federated.stack.value, [vllmJob])];
    const global = await startPrometheus('prometheus-global', toYaml(globalConfig));
    await waitReady(alertmanager, `http://${alertmanagerAddress}/-/ready`);
    log(`global Prometheus ${global.url} federating ${[...clusterPrometheus.values()].map((p) => p.url).join(', ')}`);

    await postJson(`${sims.get(SLOW_CLUSTER)!.url}/admin/faults`, { ttftMs: SLOW_TTFT_MS });
    const faultStart = Date.now();
    log(`cluster ${SLOW_CLUSTER}: first token after ${SLOW_TTFT_MS / 1000}s; waiting for ${ALERT}`);

    let firing: Array<Record<string, string>> = [];
    while (Date.now() - faultStart < FIRE_MAX_MS) {
      firing = (await prometheusAlerts(global.url)).filter((a) => a.labels.alertname === ALERT && a.state === 'firing').map((a) => a.labels);
      if (firing.length > 0 && recorder.notifications().some((n) => n.alerts.some((a) => a.labels.alertname === ALERT))) break;
      await sleep(2000);
    }
    log(`${ALERT} ${firing.length > 0 ? `fired after ${((Date.now() - faultStart) / 1000).toFixed(0)}s` : 'did not fire'}`);

    const targets = await prometheusTargets(global.url);
    record('federation', 'the global Prometheus federates every cluster', targets.length === CLUSTERS.length && targets.every((t) => t.health === 'up'), targets.map((t) => `${t.labels.instance} ${t.health}`).join(', '));

    record('alert', `${ALERT} fires for cluster ${SLOW_CLUSTER} only`, firing.length > 0 && firing.every((l) => l.cluster === SLOW_CLUSTER), JSON.stringify(firing));
    const rule = model.alerts.find((a) => a.alertname === ALERT)!;
    const expected = expectedRouting(routing.value, { ...model.stack.value.externalLabels, ...rule.labels, model_name: servedModel, cluster: SLOW_CLUSTER, alertname: ALERT }).notified;
    const notified = recorder.notifications().filter((n) => n.alerts.some((a) => a.status === 'firing' && a.labels.alertname === ALERT));
    const receivers = [...new Set(notified.map((n) => n.receiver))].sort();
    record('routing', `${ALERT}{cluster="${SLOW_CLUSTER}"} reaches ${expected.join(', ')}`, JSON.stringify(receivers) === JSON.stringify(expected), `notified: ${receivers.join(', ') || 'none'}`);
    const clustersNotified = new Set(notified.flatMap((n) => n.alerts.filter((a) => a.labels.alertname === ALERT).map((a) => a.labels.cluster)));
    record('routing', 'no notification names the healthy cluster', !clustersNotified.has('a') && clustersNotified.has(SLOW_CLUSTER), [...clustersNotified].join(', '));

    for (const series of ['model_name:vllm_prompt_tokens:rate5m', 'slo:sli_error:ratio_rate5m{sloth_service="vllm"}']) {
      const clusters = new Set((await instantQuery(global.url, series)).map((s) => s.metric.cluster));
      record('recording rules', `${series} keeps one series set per cluster`, CLUSTERS.every((c) => clusters.has(c)) && !clusters.has(undefined), [...clusters].join(', '));
    }

    const rules = generatedRules(ruleFiles);
    const exercise = await exerciseOf({ model, scrapedSources: [vllm.spec.name], prometheusUrl: global.url }, rules);
    const panels = (await checkDashboards({ model, prometheusUrl: global.url }, exercise)).filter((r) => r.name.includes('vllm:') || r.name.includes('model_name:vllm'));
    results.push(...panels);
    const unfiltered = panels.filter((p) => !/cluster=~?"\$cluster"/.test(p.name)).map((p) => p.name);
    record('dashboard', 'every vLLM panel selects one cluster', panels.length > 0 && unfiltered.length === 0, `${panels.length} panels; not filtered: ${unfiltered.join(' | ') || 'none'}`);
  } finally {
    for (const stop of stops.reverse()) await stop().catch((err: Error) => log(`stop: ${err.message}`));
  }
  for (const r of results.filter((r) => r.outcome !== 'pass')) log(`${r.outcome.toUpperCase()} ${r.area}: ${r.name} — ${r.detail}`);
  log(summaryLine(results));
  rmSync(workDir, { recursive: true, force: true });
  return results.some((r) => r.outcome === 'fail') ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  },
);
