import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { vllm, vllmSpecDecodeNumAcceptedTokens } from '../../src/catalog/vllm.ts';
import { toYaml } from '../../src/emit/serialize.ts';
import { monitorObjects } from '../../src/model/monitors.ts';
import type { Plan } from '../../src/plan/index.ts';
import type { Finding, Report } from '../../src/verify/findings.ts';
import { FIXTURE_ROOT } from '../support/spec-fixture.ts';
import { prometheusBinaries, type PrometheusMajor } from '../support/tools.ts';
import { cliAsync } from '../support/cli.ts';
import type { CheckResult } from './assertions.ts';
import { instantQuery, prometheusTargets } from './http-api.ts';
import { podMonitorScrapeJobs, startPodDiscovery, type PodMonitor, type SimulatedPod } from './pod-discovery.ts';
import { freePort, startChild, waitReady } from './processes.ts';
import { PROJECT_ROOT, loadModel, type RunningStack } from './stack.ts';

/**
 * `infermon verify` on a deliberately broken copy of the example specs, against a Prometheus that scrapes
 * the bench's vLLM pods through the copy's own PodMonitors, rendered as Prometheus Operator renders them
 * and discovering the pods with the labels and port names their charts give them. Two faults are planted:
 * the RAG application's vLLM monitor names a port its pods do not declare, and a new dashboard charts a
 * family the simulator never emits (speculative decoding is not configured). Verify must name both, and
 * the first deployment's monitor, unchanged, must find its pods.
 */

const AREA = 'verify broken copy';
const WRONG_PORT = 'metrics';
/** The port name the copy's sources.ts line gets; the example's default is the preset's `http`. */
const RAG_LINE = "presets.vllm.deployment({ name: 'rag-vllm', namespace: 'rag-app', app: 'rag-app-vllm' })";
const BROKEN_RAG_LINE = `presets.vllm.deployment({ name: 'rag-vllm', namespace: 'rag-app', app: 'rag-app-vllm', portName: '${WRONG_PORT}' })`;
const PANEL_FILE = 'dashboards/speculation.ts';
const PANEL = 'Accepted draft tokens';
const SPECULATION_DASHBOARD = `import { defineDashboard, promql } from 'infermon';
import { vllmSpecDecodeNumAcceptedTokens } from 'infermon/catalog';

/** Speculative decoding of the model servers, on the belief that it is configured. */
export const speculation = defineDashboard({
  id: 'vllm-speculation',
  title: 'vLLM speculative decoding',
  description: 'Draft tokens the model servers accept.',
  rows: [
    {
      title: 'Drafts',
      panels: [
        {
          title: '${PANEL}',
          description: 'Accepted draft tokens per second.',
          unit: 'short',
          queries: [{ expr: promql\`sum(rate(\${vllmSpecDecodeNumAcceptedTokens}[$__rate_interval]))\` }],
        },
      ],
    },
  ],
});
`;

/** The example specs copied inside the package (so they import `infermon` as a user's do) with both faults. */
function brokenCopy(): string {
  mkdirSync(FIXTURE_ROOT, { recursive: true });
  const dir = mkdtempSync(join(FIXTURE_ROOT, 'broken-specs-'));
  cpSync(join(PROJECT_ROOT, 'specs'), dir, { recursive: true });
  const sources = readFileSync(join(dir, 'sources.ts'), 'utf8');
  if (sources.split(RAG_LINE).length !== 2) throw new Error(`specs/sources.ts no longer declares the RAG vLLM as ${RAG_LINE}`);
  writeFileSync(join(dir, 'sources.ts'), sources.replace(RAG_LINE, BROKEN_RAG_LINE));
  writeFileSync(join(dir, PANEL_FILE), SPECULATION_DASHBOARD);
  return dir;
}

/** The vLLM PodMonitors the copy generates, by source name. */
function podMonitors(model: Plan, sources: readonly string[]): PodMonitor[] {
  const objects = monitorObjects(model.scrapeTargets, model.stack.value);
  return sources.map((name) => {
    const found = objects.find(({ target, object }) => target.source.name === name && object.kind === 'PodMonitor');
    if (!found) throw new Error(`the broken copy generates no PodMonitor for ${name}`);
    return found.object as unknown as PodMonitor;
  });
}

/** The bench's vLLM pods as their charts declare them: the healthy specs' namespace, pod labels and port name. */
function benchPods(stack: RunningStack): SimulatedPod[] {
  const pod = (sourceName: string, name: string, port: number): SimulatedPod => {
    const source = stack.model.catalog.source(sourceName)!;
    return {
      namespace: source.kubernetes!.namespace,
      name,
      labels: source.kubernetes!.podLabels,
      container: 'vllm',
      port: { name: source.port.name, number: port },
      address: `127.0.0.1:${port}`,
    };
  };
  return [
    ...stack.sims.map((s) => pod(vllm.spec.name, s.pod, s.sim.port)),
    ...stack.second.pods.map((p) => pod(stack.second.source.name, p.pod, p.sim.port)),
  ];
}

const describe = (f: Finding) => `${f.severity} ${f.check} ${f.subject}: ${f.message}`;

export async function checkVerifyBrokenCopy(stack: RunningStack, major: PrometheusMajor, scrapeInterval: string): Promise<CheckResult[]> {
  const dir = brokenCopy();
  const workDir = join(stack.workDir, 'broken-copy');
  mkdirSync(workDir, { recursive: true });
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(dir, { recursive: true, force: true })];
  try {
    const model = await loadModel(dir, PROJECT_ROOT);
    const rag = stack.second.source.name;
    const monitors = podMonitors(model, [vllm.spec.name, rag]);
    const discovery = await startPodDiscovery(benchPods(stack));
    cleanups.push(() => discovery.close());
    const port = await freePort();
    const config = join(workDir, 'prometheus.yml');
    writeFileSync(
      config,
      toYaml({
        global: { scrape_interval: scrapeInterval, evaluation_interval: scrapeInterval },
        scrape_configs: monitors.flatMap((m) => podMonitorScrapeJobs(m, discovery.url, scrapeInterval)),
      }),
    );
    const prometheus = startChild('broken copy prometheus', prometheusBinaries(major).prometheus, [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(workDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ], join(workDir, 'prometheus.log'));
    cleanups.push(() => prometheus.stop());
    const url = `http://127.0.0.1:${port}`;
    await waitReady(prometheus, `${url}/-/ready`);
    // A few scrapes of every pod, so one-minute rates have points.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await instantQuery(url, `count_over_time(up{job="${vllm.spec.job}"}[1m]) >= 4`)).length < stack.sims.length) await sleep(500);

    const results: CheckResult[] = [];
    const targets = (await prometheusTargets(url)).filter((t) => t.labels.job === vllm.spec.job);
    const labelled = targets.filter((t) => t.health === 'up' && t.labels.namespace && t.labels.pod && t.labels.container === 'vllm' && t.labels.endpoint);
    results.push({
      area: AREA,
      name: `the ${vllm.spec.name} PodMonitor, as Prometheus Operator renders it, selects the bench's pods`,
      outcome: labelled.length === stack.sims.length ? 'pass' : 'fail',
      detail: `${labelled.length} of ${stack.sims.length} pods up under job ${vllm.spec.job} with namespace, pod, container and endpoint labels`,
    });

    const run = await cliAsync(['verify', '--prometheus', url, '--specs', dir, '--rate-interval', '1m', '--format', 'json'], dir);
    writeFileSync(join(workDir, 'verify.json'), run.stdout);
    if (run.status !== 1) return [...results, { area: AREA, name: 'infermon verify exits 1', outcome: 'fail', detail: `exit ${run.status}: ${run.stderr.trim().split('\n').slice(-5).join('\n')}` }];
    const report = JSON.parse(run.stdout) as Report;
    const portFinding = report.findings.find((f) => f.check === 'targets' && f.subject === `job ${stack.second.source.job}`);
    const portNamed = portFinding?.severity === 'problem' && portFinding.message.includes(`ports are named ${stack.model.catalog.source(rag)!.port.name}, none ${WRONG_PORT}`);
    results.push({
      area: AREA,
      name: `names the ${rag} monitor's port name, which its pods do not declare`,
      outcome: portNamed ? 'pass' : 'fail',
      detail: portFinding ? describe(portFinding) : 'no finding on the job',
    });
    const panelFinding = report.findings.find((f) => f.check === 'queries' && f.subject === `dashboard vllm-speculation / ${PANEL}`);
    const panelNamed = panelFinding?.at?.file === PANEL_FILE && panelFinding.message.includes(`${vllmSpecDecodeNumAcceptedTokens.name} is exposed only when ${vllmSpecDecodeNumAcceptedTokens.conditional}`);
    results.push({
      area: AREA,
      name: 'names the panel on a family the simulator does not emit, with its file and the condition',
      outcome: panelNamed ? 'pass' : 'fail',
      detail: panelFinding ? `${describe(panelFinding)} (${panelFinding.at?.file}: ${panelFinding.at?.path})` : 'no finding on the panel',
    });
    const firstDeployment = report.findings.filter((f) => f.check === 'targets' && f.subject === `job ${vllm.spec.job}`);
    results.push({
      area: AREA,
      name: `no target finding on the unchanged ${vllm.spec.name} monitor`,
      outcome: firstDeployment.length === 0 ? 'pass' : 'fail',
      detail: firstDeployment.length === 0 ? `${report.findings.length} finding(s) in all; report in ${join(workDir, 'verify.json')}` : firstDeployment.map(describe).join('; '),
    });
    return results;
  } catch (err) {
    return [{ area: AREA, name: 'broken copy verified', outcome: 'fail', detail: (err as Error).message }];
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}
