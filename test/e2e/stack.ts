import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { localAlertmanagerConfig } from '../../generators/alertmanager/config.ts';
import { NOTIFICATION_TEMPLATES } from '../../generators/alertmanager/templates.ts';
import { localPrometheusConfig } from '../../generators/prometheus/config.ts';
import { dcgm } from '../../src/catalog/dcgm.ts';
import { k6 } from '../../src/catalog/k6.ts';
import { kthenaRouter } from '../../src/catalog/kthena-router.ts';
import { otelSpanMetrics } from '../../src/catalog/otel-spanmetrics.ts';
import { vllm } from '../../src/catalog/vllm.ts';
import { OUT } from '../../src/conventions.ts';
import { writeTree } from '../../src/emit/write.ts';
import { remoteWriteSources } from '../../src/model/scrape.ts';
import { planOf, type Plan } from '../../src/plan/index.ts';
import { formatDuration } from '../../src/model/duration.ts';
import { buildModel, checkModel, generateArtifacts } from '../../src/pipeline.ts';
import { request } from 'undici';
import { parseRouterConfig, startRouter, type RouterConfigInput, type RunningRouter } from '../../src/runtime/router/index.ts';
import { startDcgmSim, startVllmSim, type RunningDcgmSim, type RunningVllmSim } from '../../src/runtime/sim/index.ts';
import { prometheusBinaries, reportedMajor, toolPath, type PrometheusMajor } from '../support/tools.ts';
import { findBinary, freePort, startChild, waitReady, type ChildHandle } from './processes.ts';
import { startScrapeGate, type ScrapeGate } from './scrape-gate.ts';
import { startWebhookRecorder, type WebhookRecorder } from './webhook-recorder.ts';
import { startSecondDeployment, type SecondDeployment } from './second-deployment.ts';
import { Tracing } from '../../src/runtime/telemetry/tracing.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.ts';
import { K6Results, startK6Push, type K6Push } from './k6-results.ts';
import { startBenchCollector, type BenchCollector } from './span-metrics.ts';
import { artifactText } from '../../src/emit/render.ts';
import { toYaml } from '../../src/emit/serialize.ts';

/**
 * The whole bench, started from the specs: artifacts generated into a temporary tree, two vLLM
 * simulators, a prefill/decode pair, the pods of a second vLLM deployment in its own namespace (the
 * RAG application's), a DCGM exporter simulator, the reference router in front of the first three,
 * the blackbox exporter probing the router's health endpoint, Prometheus with the generated rules and Alertmanager with the generated routing tree, whose receivers
 * all post to an in-process webhook recorder. The router and the simulators send their spans to an
 * in-process OTLP/HTTP receiver, which relays them to an OpenTelemetry Collector running the generated
 * config; its span metrics are scraped. The load's results, reported as k6 reports them, reach Prometheus
 * by remote write from a Prometheus agent. Only what runs is scraped.
 */

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

export interface StackOptions {
  /** Configs, TSDB, logs and the generated tree go here. */
  workDir: string;
  scrapeInterval: string;
  evaluationInterval: string;
  /** Prometheus that runs: 3 is the pinned build, 2 Debian's 2.42 (the Prometheus 2 target). */
  prometheusMajor: PrometheusMajor;
  /** Router fairness: requests per model in flight before the queue holds them. */
  maxConcurrency: number;
  /**
   * Runs once the simulators and the router serve, before Prometheus starts: start the load here, so its
   * ramp-up (first compilations, connection set-up) happens before the first scrape and no rate window
   * holds it.
   */
  beforeMonitoring?: (servers: { routerUrl: string; models: BenchModels; users: readonly string[]; sims: readonly BenchSim[]; second: SecondDeployment; k6: K6Results }) => Promise<void>;
  log?: (line: string) => void;
}

/** The models the bench serves: two whole-request models and one disaggregated (prefill/decode). */
export interface BenchModels {
  first: string;
  second: string;
  disaggregated: string;
}

export interface BenchSim {
  /** Pod name in the router config and the DCGM exporter's `pod` label. */
  pod: string;
  model: string;
  role: 'both' | 'prefill' | 'decode';
  /** Index of the simulated GPU that follows this simulator's load. */
  gpu: number;
  sim: RunningVllmSim;
}

export interface RunningStack {
  /** The specs' plan for the Prometheus major the bench runs. */
  model: Plan;
  /** The Prometheus major the specs target, which the bench may not run. */
  specsPrometheusMajor: 2 | 3;
  workDir: string;
  /** Root of the generated tree (the layout of out/). */
  artifactsDir: string;
  ruleFiles: string[];
  models: BenchModels;
  sims: BenchSim[];
  dcgm: RunningDcgmSim;
  /** The second vLLM deployment, in its own namespace and job; its GPUs follow the first deployment's on the DCGM simulator. */
  second: SecondDeployment;
  /** The router now running (a new one after `restartRouter`). */
  readonly router: RunningRouter;
  /** Stops the router process: its API, which the blackbox probe reads, and its metrics port go away. */
  stopRouter(): Promise<void>;
  /** Starts the router again on the same ports, so the load, the probe and the scrape find it as before. */
  restartRouter(): Promise<void>;
  /** What Prometheus scrapes the router through: close it to take the router's target down. */
  routerScrape: ScrapeGate;
  recorder: WebhookRecorder;
  /** Where the router and the simulators send their spans. */
  traces: OtlpReceiver;
  prometheusUrl: string;
  alertmanagerUrl: string;
  /** The Prometheus and Alertmanager binaries that run, with the versions they report. */
  servers: { prometheus: string; alertmanager: string };
  /** Catalog sources Prometheus scrapes on the bench. */
  scrapedSources: string[];
  /** Catalog sources whose series reach Prometheus by remote write on the bench. */
  pushedSources: string[];
  /** The load's results as k6 reports them, and the agent that remote-writes them. */
  k6: { results: K6Results; push: K6Push } | undefined;
  /** The collector the spans are relayed to, when the stack has a tracing backend. */
  collector: BenchCollector | undefined;
  /** Fairness users the router reports by name. */
  users: string[];
  /** How the bench departs from the stack the specs target, for the report. */
  notes: string[];
  stop(): Promise<void>;
}

const NAMESPACE = 'inference';
const FAIRNESS_USERS = ['team-search', 'team-chat'];
/** The router's goodput targets per model: those the example's goodput SLOs are written for. */
const GOODPUT_TARGETS = { timeToFirstToken: '1s', interTokenLatency: '100ms' };
/** Request limit of the disaggregated model's route. */
export const DISAGGREGATED_REQUESTS_PER_SECOND = 3;

/**
 * The models the bench serves: two on plain model servers, one on a prefill/decode pair. The router's SLOs
 * are grouped by model, so they hold each of them to account without naming any; `specs/slos.ts` gives the
 * disaggregated one a latency objective of its own.
 */
export function benchModels(): BenchModels {
  return { first: 'llama-3-8b', second: 'qwen2-7b', disaggregated: 'deepseek-r1' };
}

/** The checked model of a spec directory (the example platform by default); any error throws. */
export async function loadModel(specDir = join(PROJECT_ROOT, 'specs'), projectRoot = PROJECT_ROOT): Promise<Plan> {
  const { model, diagnostics } = await buildModel(specDir, projectRoot);
  if (!model) throw new Error(`the specs do not build:\n${diagnostics.items.map((d) => `${d.file} ${d.path}: ${d.message}`).join('\n')}`);
  const problems = checkModel(model, diagnostics).items.filter((d) => d.severity === 'error');
  if (problems.length > 0) throw new Error(`the specs do not check:\n${problems.map((d) => `${d.code} ${d.file} ${d.path}: ${d.message}`).join('\n')}`);
  return model;
}

/** Spans leave every component this often, so a trace is complete at the receiver within a second or two. */
const SPAN_EXPORT_INTERVAL_MS = 500;

function routerConfig(sims: readonly BenchSim[], models: BenchModels, options: StackOptions, tracesUrl: string): RouterConfigInput {
  const server = (model: string) => `${model}-server`;
  const modelNames = [models.first, models.second, models.disaggregated];
  return {
    server: { host: '127.0.0.1', port: 0 },
    accessLogger: { enabled: true, format: 'json', output: join(options.workDir, 'router-access.log') },
    observability: {
      metrics: { enabled: true, port: 0, path: kthenaRouter.spec.path },
      tracing: { enabled: true, endpoint: tracesUrl, samplingRatio: 1, exportInterval: `${SPAN_EXPORT_INTERVAL_MS}ms` },
    },
    scheduler: { podMetricsInterval: '2s' },
    fairness: { enabled: true, maxConcurrency: options.maxConcurrency, userHeader: 'x-user-id', users: FAIRNESS_USERS, queueTimeout: '30s' },
    modelServers: modelNames.map((model) => ({
      namespace: NAMESPACE,
      name: server(model),
      engine: 'vllm' as const,
      pods: sims
        .filter((s) => s.model === model)
        .map((s) => ({ name: s.pod, address: `127.0.0.1:${s.sim.port}`, ...(s.role === 'both' ? {} : { role: s.role }) })),
    })),
    modelRoutes: modelNames.map((model) => ({
      namespace: NAMESPACE,
      name: model,
      model,
      targets: [{ modelServer: `${NAMESPACE}/${server(model)}` }],
      goodput: GOODPUT_TARGETS,
      // One limited route, so the rate-limit family has series.
      ...(model === models.disaggregated ? { rateLimit: { requestsPerUnit: DISAGGREGATED_REQUESTS_PER_SECOND, unit: 'second' as const } } : {}),
    })),
  };
}

/**
 * The model as generated for the Prometheus that runs: Prometheus 3 spells integral `le` boundaries
 * "1.0", 2 spells them "1", so rules generated for one select nothing on the other.
 */
function forMajor(model: Plan, major: 2 | 3): Plan {
  if (model.stack.value.prometheusMajor === major) return model;
  return planOf({ ...model, stack: { ...model.stack, value: { ...model.stack.value, prometheusMajor: major } } });
}

/**
 * As much history as the longest SLO period: the period windows read that far back, so a Prometheus
 * running these rules must keep it (pint's promql/range_query holds the bench to that too).
 */
function retentionFor(model: Plan): string {
  const periods = model.slos.flatMap(({ slos }) => slos.map((slo) => slo.period));
  return formatDuration(Math.max(15 * 24 * 3600_000, ...periods));
}

/** First line of `--version`, e.g. `prometheus, version 3.16.0 (branch: , revision: unknown)`. */
function versionLine(binary: string): string {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return `${binary}: ${`${r.stdout}${r.stderr}`.split('\n')[0]!.trim()}`;
}

/**
 * A few requests per model before Prometheus starts: first-request costs (compilation, connection set-up,
 * the scheduler's first pod-metrics read) land before the first scrape, so no rate window sees them.
 */
async function warmUp(routerUrl: string, models: BenchModels, users: readonly string[]): Promise<void> {
  for (let i = 0; i < 5; i++)
    await Promise.all(
      [models.first, models.second, models.disaggregated].map(async (model) => {
        const res = await request(`${routerUrl}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-user-id': users[i % users.length] ?? 'warm-up' },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: `warm-up ${i}` }], max_tokens: 4 }),
        });
        await res.body.dump();
      }),
    );
}

function ruleFilesOf(artifactsDir: string): string[] {
  const dir = join(artifactsDir, OUT.prometheusRules);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const log = options.log ?? (() => {});
  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    // Reverse start order: Prometheus and Alertmanager first, so nothing scrapes a closed server.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((err: Error) => log(`stop: ${err.message}`));
  };
  try {
    const alertmanagerBinary = toolPath('alertmanager');
    const prometheusBinary = prometheusBinaries(options.prometheusMajor).prometheus;
    const major = options.prometheusMajor;
    if (reportedMajor(prometheusBinary) !== major) throw new Error(`${prometheusBinary} is not Prometheus ${major}`);
    const blackboxBinary = findBinary(['prometheus-blackbox-exporter', 'blackbox_exporter']);
    if (!blackboxBinary) throw new Error('the blackbox exporter is needed: apt-get install -y prometheus-blackbox-exporter');

    const specModel = await loadModel();
    const notes: string[] = [];
    const model = forMajor(specModel, major);
    const artifacts = generateArtifacts(model);
    if (model !== specModel) {
      const asSpecified = new Map(generateArtifacts(specModel).map((a) => [a.path, artifactText(a)]));
      const differing = artifacts.filter((a) => asSpecified.get(a.path) !== artifactText(a)).map((a) => a.path);
      notes.push(
        `the specs target Prometheus ${specModel.stack.value.prometheusMajor}, the bench runs ${major}: artifacts generated for ${major}; ` +
          `${differing.length} differ from what npm run generate writes (${differing.join(', ')})`,
      );
    }
    const artifactsDir = join(options.workDir, 'generated');
    writeTree(artifactsDir, artifacts);
    const ruleFiles = ruleFilesOf(artifactsDir);
    log(`generated ${artifactsDir} (${ruleFiles.length} rule files)`);

    const models = benchModels();
    const layout: Array<Omit<BenchSim, 'sim' | 'gpu'>> = [
      { pod: `${models.first}-0`, model: models.first, role: 'both' },
      { pod: `${models.second}-0`, model: models.second, role: 'both' },
      { pod: `${models.disaggregated}-prefill-0`, model: models.disaggregated, role: 'prefill' },
      { pod: `${models.disaggregated}-decode-0`, model: models.disaggregated, role: 'decode' },
    ];
    const tracingSpec = model.stack.value.tracing;
    const collector = tracingSpec ? await startBenchCollector(tracingSpec, options.workDir) : undefined;
    if (collector) {
      cleanups.push(() => collector.stop());
      notes.push(...collector.notes);
    }
    const traces = await startOtlpReceiver(collector ? { relayTo: collector.tracesUrl } : {});
    cleanups.push(() => traces.close());
    const sims: BenchSim[] = [];
    for (const [gpu, s] of layout.entries()) {
      const tracing = Tracing.otlp({ serviceName: `vllm-${s.pod}`, endpoint: traces.url, samplingRatio: 1, exportIntervalMs: SPAN_EXPORT_INTERVAL_MS });
      const sim = await startVllmSim({ model: s.model, role: s.role, tracing });
      cleanups.push(async () => {
        await sim.close();
        await tracing.shutdown();
      });
      sims.push({ ...s, gpu, sim });
    }
    const second = await startSecondDeployment(model);
    cleanups.push(() => second.close());
    const dcgmSim = await startDcgmSim({
      gpus: sims.length + second.pods.length,
      vllmUrls: [...sims.map((s) => s.sim.url), ...second.pods.map((p) => p.sim.url)],
      namespaces: [...sims.map(() => NAMESPACE), ...second.pods.map(() => second.namespace)],
      pods: [...sims.map((s) => s.pod), ...second.pods.map((p) => p.pod)],
    });
    cleanups.push(() => dcgmSim.close());

    const config = routerConfig(sims, models, options, traces.url);
    let router: RunningRouter | undefined = await startRouter(parseRouterConfig(config, 'bench router'));
    const ports = { api: Number(new URL(router.apiUrl).port), admin: Number(new URL(router.adminUrl).port) };
    const routerUrls = { apiUrl: router.apiUrl, adminUrl: router.adminUrl };
    let lastRouter = router;
    const stopRouter = async () => {
      const running = router;
      router = undefined;
      await running?.close();
    };
    cleanups.push(stopRouter);
    const restartRouter = async () => {
      if (router) return;
      const samePorts = {
        ...config,
        server: { ...config.server, port: ports.api },
        observability: { ...config.observability, metrics: { ...config.observability!.metrics!, port: ports.admin } },
      };
      router = await startRouter(parseRouterConfig(samePorts, 'bench router'));
      lastRouter = router;
    };
    const routerScrape = await startScrapeGate(new URL(routerUrls.adminUrl));
    cleanups.push(() => routerScrape.close());
    const recorder = await startWebhookRecorder();
    cleanups.push(() => recorder.close());
    await warmUp(routerUrls.apiUrl, models, FAIRNESS_USERS);
    const k6Results = new K6Results();
    await options.beforeMonitoring?.({ routerUrl: routerUrls.apiUrl, models, users: FAIRNESS_USERS, sims, second, k6: k6Results });

    // The stack's probes aim at public URLs; on the bench each probes the local router's health endpoint.
    const blackboxAddress = `127.0.0.1:${await freePort()}`;
    const blackbox = startChild(
      'blackbox exporter',
      blackboxBinary,
      [`--config.file=${join(artifactsDir, OUT.blackbox, 'blackbox.yml')}`, `--web.listen-address=${blackboxAddress}`],
      join(options.workDir, 'blackbox.log'),
    );
    cleanups.push(() => blackbox.stop());
    await waitReady(blackbox, `http://${blackboxAddress}/metrics`);
    const probeUrls = Object.fromEntries(model.stack.value.probes.map((p) => [p.name, `${routerUrls.apiUrl}${new URL(p.url).pathname}`]));

    const [prometheusPort, alertmanagerPort] = [await freePort(), await freePort()];
    const alertmanagerAddress = `127.0.0.1:${alertmanagerPort}`;
    const hostPort = (url: string) => new URL(url).host;
    const scrape = {
      [vllm.spec.name]: sims.map((s) => `127.0.0.1:${s.sim.port}`),
      [dcgm.spec.name]: [hostPort(dcgmSim.url)],
      [kthenaRouter.spec.name]: [routerScrape.address],
      [second.source.name]: Object.keys(second.targetLabels),
      ...(collector ? { [otelSpanMetrics.spec.name]: [collector.metricsAddress] } : {}),
    };
    const prometheusYml = join(options.workDir, 'prometheus.yml');
    writeFileSync(
      prometheusYml,
      toYaml(
        localPrometheusConfig(model, {
          targets: scrape,
          // What a PodMonitor or ServiceMonitor sets on each vLLM pod, the labels the GPU-to-model join reads.
          targetLabels: {
            [vllm.spec.name]: Object.fromEntries(sims.map((s) => [`127.0.0.1:${s.sim.port}`, { namespace: NAMESPACE, pod: s.pod }])),
            [second.source.name]: second.targetLabels,
          },
          ruleFiles,
          alertmanager: alertmanagerAddress,
          scrapeInterval: options.scrapeInterval,
          evaluationInterval: options.evaluationInterval,
          probes: { exporter: blackboxAddress, urls: probeUrls },
        }),
      ),
    );
    const [routing] = model.specs.routing;
    if (!routing) throw new Error('the specs declare no alert routing');
    const alertmanagerYml = join(options.workDir, 'alertmanager.yml');
    const templates = join(artifactsDir, dirname(NOTIFICATION_TEMPLATES), '*.tmpl');
    writeFileSync(alertmanagerYml, toYaml(localAlertmanagerConfig(routing.value, { webhookUrl: recorder.url, templates: [templates] })));

    mkdirSync(join(options.workDir, 'alertmanager-data'), { recursive: true });
    const alertmanager: ChildHandle = startChild(
      'alertmanager',
      alertmanagerBinary,
      [
        `--config.file=${alertmanagerYml}`,
        `--storage.path=${join(options.workDir, 'alertmanager-data')}`,
        `--web.listen-address=${alertmanagerAddress}`,
        '--cluster.listen-address=',
      ],
      join(options.workDir, 'alertmanager.log'),
    );
    cleanups.push(() => alertmanager.stop());
    const alertmanagerUrl = `http://${alertmanagerAddress}`;

    // Started before Prometheus, so its start-up lands before the first scrape; it retries until the receiver is up.
    const pushedSources = remoteWriteSources(model).map((s) => s.value.name);
    let k6Push: K6Push | undefined;
    if (pushedSources.includes(k6.spec.name)) {
      k6Push = await startK6Push({
        results: k6Results,
        prometheusBinary: toolPath('prometheus'),
        writeUrl: `http://127.0.0.1:${prometheusPort}/api/v1/write`,
        workDir: options.workDir,
        scrapeInterval: options.scrapeInterval,
        agentPort: await freePort(),
      });
      cleanups.push(() => k6Push!.stop());
      notes.push(`k6 results are the loop's own load, written by a Prometheus agent (${versionLine(toolPath('prometheus'))}) in k6's series names and labels`);
    }
    const prometheus: ChildHandle = startChild(
      'prometheus',
      prometheusBinary,
      [
        `--config.file=${prometheusYml}`,
        `--storage.tsdb.path=${join(options.workDir, 'prometheus-data')}`,
        `--storage.tsdb.retention.time=${retentionFor(model)}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
        // The router's latency histograms carry trace exemplars; both 2.42 and 3.x keep them behind this flag.
        '--enable-feature=exemplar-storage',
        // What the generated prometheus.yml asks for when a source pushes (k6).
        ...(pushedSources.length > 0 ? ['--web.enable-remote-write-receiver'] : []),
      ],
      join(options.workDir, 'prometheus.log'),
    );
    cleanups.push(() => prometheus.stop());
    const prometheusUrl = `http://127.0.0.1:${prometheusPort}`;

    await Promise.all([waitReady(alertmanager, `${alertmanagerUrl}/-/ready`), waitReady(prometheus, `${prometheusUrl}/-/ready`)]);
    log(`Prometheus ${prometheusUrl}, Alertmanager ${alertmanagerUrl}, router ${routerUrls.apiUrl}`);

    return {
      model,
      specsPrometheusMajor: specModel.stack.value.prometheusMajor,
      workDir: options.workDir,
      artifactsDir,
      ruleFiles,
      models,
      sims,
      dcgm: dcgmSim,
      second,
      get router() {
        return lastRouter;
      },
      stopRouter,
      restartRouter,
      routerScrape,
      recorder,
      traces,
      prometheusUrl,
      alertmanagerUrl,
      servers: { prometheus: versionLine(prometheusBinary), alertmanager: versionLine(alertmanagerBinary) },
      scrapedSources: Object.keys(scrape),
      pushedSources: k6Push ? [k6.spec.name] : [],
      k6: k6Push ? { results: k6Results, push: k6Push } : undefined,
      collector,
      users: FAIRNESS_USERS,
      notes,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
