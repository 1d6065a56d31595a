import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import {
  routerFairnessQueueDuration,
  routerFairnessQueueSize,
  routerRequestDecodeDuration,
  routerRequestPrefillDuration,
  routerRequestsTotal,
} from '../../src/catalog/kthena-router.ts';
import { vllm } from '../../src/catalog/vllm.ts';
import { DCGM_HOSTNAME_LABEL } from '../../src/catalog/dcgm.ts';
import {
  arrivals,
  checkEveryArrival,
  checkExpectedAlerts,
  checkInhibition,
  checkMutedBy,
  checkQuietWhileHealthy,
  checkRouterStopped,
  checkTargetlessJobs,
  expectedLabels,
  expectedRouting,
  targetlessJobAlerts,
  type AlertExpectation,
  type PhaseWindow,
} from './alert-assertions.ts';
import { startAlertWatch, type AlertWatcher } from './alert-watch.ts';
import {
  checkDashboards,
  checkExposed,
  checkRecordingRules,
  checkRulesLoaded,
  checkTargets,
  exerciseOf,
  generatedRules,
  type CheckResult,
} from './assertions.ts';
import { startLoopMonitor } from './event-loop.ts';
import { alertmanagerAlerts, postJson, prometheusTargets, type AmAlert } from './http-api.ts';
import { startLoad, successRatio, type LoadGenerator } from './load.ts';
import { checkPintOnline } from './pint-online.ts';
import { summaryLine, writeReport } from './report.ts';
import { checkTraces } from './trace-assertions.ts';
import { checkK6Push } from './k6-assertions.ts';
import { checkSpanMetrics } from './span-metrics.ts';
import { startStack, type BenchSim, type RunningStack } from './stack.ts';
import {
  checkFaultIsolation,
  checkPerPodPanels,
  checkSecondDeploymentLoad,
  checkSecondDeploymentTargets,
  clearSecondDeploymentFault,
  injectSecondDeploymentFault,
  secondDeploymentExpectations,
  startSecondDeploymentLoad,
} from './second-deployment.ts';
import { checkVerifyOnline } from './verify-online.ts';
import { checkVerifyBrokenCopy } from './broken-copy.ts';
import { requestedPrometheusMajor } from '../support/tools.ts';
import { parseExposition } from '../../src/runtime/telemetry/exposition.ts';
import type { LabelsOf } from '../../src/runtime/telemetry/catalog-metrics.ts';

/**
 * The closed loop on a live bench: generate every artifact into a temporary tree, start the simulators,
 * the router, Prometheus and Alertmanager on it, drive load through the router while healthy, with
 * faults, with the router's scrape cut (its down alert must mute its latency and error alerts), with the
 * router stopped (its blackbox probe alert fires while those stay muted), and recovered, then hold the
 * generated rules, alerts, routes, inhibitions and dashboards against what really happened. Exits
 * non-zero when a check fails. out/ is never touched.
 */

/** How often every Prometheus of the loop scrapes. */
const SCRAPE_INTERVAL = '2s';
const HEALTHY_MS = 60_000;
/** Longest `for:` of the expected alerts (2m) + scrape, evaluation and group_wait (30s) delays + slack. */
const FAULT_MAX_MS = 220_000;
/**
 * The router's scrape stays cut until its down alert (`for: 1m`) mutes the router alerts in Alertmanager,
 * at most this long. Faults are cleared when it starts, so it is recovery for the load.
 */
const ROUTER_UNSCRAPED_MAX_MS = 110_000;
/** After the scrape is back: a few scrapes of the router before the checks read its series. */
const RECOVERY_MS = 10_000;
const ROUTER_DOWN_ALERT = 'KthenaRouterDown';
/**
 * The router process stays stopped until its probe alert (`for: 2m`) is active in Alertmanager, at most
 * this long. It follows the scrape cut directly, while the router alerts still fire and are muted.
 */
const ROUTER_STOPPED_MAX_MS = 170_000;
const PROBE_ALERT = 'EndpointProbeFailing';
/** After the restart: how long the router may take to answer its health endpoint again. */
const ROUTER_RESTART_MAX_MS = 15_000;
/** Load runs this long before Prometheus starts, so start-up costs stay out of every rate window. */
const SETTLE_MS = 10_000;
/** Injected latency: above the 2 s thresholds of the router p99 and vLLM TTFT alerts, in one bucket. */
const SLOW_TTFT_MS = 4000;
/**
 * The slow model fails a few requests before monitoring starts and none after: its error counter series
 * exist (they only do after a first error), yet while its first tokens are slow it succeeds 100%, so
 * its goodput burn is latency alone.
 */
const SEED_ERROR_RATE = 0.5;
const SEED_ERRORS_MS = 2000;
const SEED_ERRORS_MAX_MS = 20_000;
/** Router fairness: requests per model in flight before the queue holds them. */
const MAX_CONCURRENCY = 16;
/** The XID lands on the GPU of the slow model's pod: it explains that model's slow first tokens. */
const XID = { code: 79, message: 'GPU has fallen off the bus' };
/** The alert that attaches a GPU fault to a model, and what routing mutes while it fires. */
const GPU_FAULT_ALERT = 'GpuFaultUnderModel';
const GPU_RESET_ALERT = 'GpuNeedsReset';
/** service.name of the router's spans (its tracing default). */
const ROUTER_SERVICE = 'kthena-router';

const abort = new AbortController();
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const wait = (ms: number) => sleep(ms, undefined, { signal: abort.signal });

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    log(`${signal}: stopping the bench`);
    abort.abort(new Error(`interrupted by ${signal}`));
  });

function expectations(stack: RunningStack): AlertExpectation[] {
  const { first, second } = stack.models;
  const gpu = stack.sims.find((s) => s.model === second)!.gpu;
  const slow = `${second} answers its first token after ${SLOW_TTFT_MS / 1000}s`;
  return [
    { alertname: 'KthenaRouterHighErrorRatio', labels: { model: first }, cause: `every streamed ${first} request (half of them) broken mid-stream by its pod` },
    { alertname: 'KthenaRouterHighLatencyP99', labels: { model: second }, cause: slow },
    { alertname: 'RouterGoodputBudgetBurn', labels: goodputPage(stack, second), cause: `${slow}, while every request of it succeeds` },
    { alertname: GPU_RESET_ALERT, labels: { gpu: String(gpu) }, cause: `XID ${XID.code} on GPU ${gpu}` },
    { alertname: GPU_FAULT_ALERT, labels: { gpu: String(gpu), model: second, model_name: second }, cause: `XID ${XID.code} on GPU ${gpu}, which serves ${second}` },
    { ...availabilityBurn(first, 'page-fast'), cause: `half of ${first}'s requests fail: its share of the grouped router availability SLO burns 2 % of its budget within the hour` },
  ];
}

/** Labels of the page of a model's goodput SLO: its Sloth ids name the SLO and its service. */
function goodputPage(stack: RunningStack, model: string): Record<string, string> {
  const slo = `${model}-goodput`;
  const service = stack.model.specs.slos.find((s) => s.value.slos.some((x) => x.name === slo))?.value.service;
  if (!service) throw new Error(`no SLO ${slo} in the specs`);
  return { model, severity: 'critical', sloth_severity: 'page', sloth_slo: slo, sloth_id: `${service}-${slo}` };
}

/** What the GPU fault under the slow model holds back in Alertmanager instead of notifying. */
function gpuFaultMutes(stack: RunningStack): AlertExpectation[] {
  const { second } = stack.models;
  return [{ alertname: 'VllmHighTimeToFirstToken', labels: { model_name: second }, cause: `${second} answers its first token after ${SLOW_TTFT_MS / 1000}s on a GPU with an XID` }];
}

/** An XID that takes the GPU out until a reset: the new-XID warning adds nothing to its page. */
function gpuResetMutes(stack: RunningStack): AlertExpectation[] {
  const gpu = stack.sims.find((s) => s.model === stack.models.second)!.gpu;
  return [{ alertname: 'GpuXidError', labels: { [DCGM_HOSTNAME_LABEL]: stack.dcgm.hostname, gpu: String(gpu) }, cause: `XID ${XID.code} on GPU ${gpu}, which needs a reset` }];
}

/** The grouped router availability SLO's alert of one model and burn-rate tier. */
function availabilityBurn(model: string, tier: string): Omit<AlertExpectation, 'cause'> {
  return { alertname: 'KthenaRouterAvailabilityBudgetBurn', labels: { model, slo_tier: tier, severity: 'critical', sloth_severity: 'page' } };
}

/** While the fast page of a model fires, the slow page of the same SLO and model is muted (routing spec). */
function tierInhibition(stack: RunningStack, watch: AlertWatcher): CheckResult[] {
  const [routing] = stack.model.specs.routing;
  const { first } = stack.models;
  const fast = { ...availabilityBurn(first, 'page-fast'), cause: 'the fast burn' };
  const slow = { ...availabilityBurn(first, 'page-slow'), cause: 'the slow burn over the same errors' };
  return checkMutedBy(stack.model, routing!.value, fast, slow, watch.timelines());
}

/** Scrape targets per vLLM job: the first deployment's simulators and the second deployment's pods. */
function podsPerJob(stack: RunningStack): Record<string, number> {
  return { [vllm.spec.job]: stack.sims.length, [stack.second.source.job]: stack.second.pods.length };
}

async function waitForTargets(stack: RunningStack): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const targets = await prometheusTargets(stack.prometheusUrl);
    if (targets.length > 0 && targets.every((t) => t.health === 'up')) return;
    await wait(1000);
  }
  log('not every target is up after 30s; the target checks will say which');
}

async function injectFaults(stack: RunningStack): Promise<void> {
  const first = stack.sims.find((s) => s.model === stack.models.first)!;
  const second = stack.sims.find((s) => s.model === stack.models.second)!;
  // Only broken streams fail: their 200 headers are out, so the alert fires only if the router counts them as errors.
  await postJson(`${first.sim.url}/admin/faults`, { breakRate: 1 });
  await postJson(`${second.sim.url}/admin/faults`, { ttftMs: SLOW_TTFT_MS });
  await postJson(`${stack.dcgm.url}/admin/xid`, { gpu: second.gpu, ...XID });
  await injectSecondDeploymentFault(stack.second);
}

/** A short burst of upstream errors on one model, so the router reports its 5xx series from its start. */
/**
 * Errors on `model`'s pods for SEED_ERRORS_MS and, given the router's admin URL, until the router has counted
 * a 5xx of the model: a slow or rate-limited route can pass a fixed window without one of its few requests failing.
 */
async function seedErrors(sims: readonly BenchSim[], model: string, routerAdminUrl?: string): Promise<void> {
  const sim = sims.find((s) => s.model === model)!.sim;
  await postJson(`${sim.url}/admin/faults`, { errorRate: SEED_ERROR_RATE });
  const started = Date.now();
  await wait(SEED_ERRORS_MS);
  while (routerAdminUrl && Date.now() - started < SEED_ERRORS_MAX_MS && !(await routerCountedServerErrors(routerAdminUrl, model))) await sleep(250);
  await postJson(`${sim.url}/admin/faults`, { errorRate: 0 });
}

async function routerCountedServerErrors(adminUrl: string, model: string): Promise<boolean> {
  const res = await request(`${adminUrl}/metrics`).catch(() => undefined);
  if (!res || res.statusCode !== 200) {
    await res?.body.dump();
    return false;
  }
  const samples = [...parseExposition(await res.body.text()).values()].flatMap((family) => family.samples);
  return samples.some((sample) => {
    const labels = sample.labels as Partial<Record<LabelsOf<typeof routerRequestsTotal>, string>>;
    return sample.name === routerRequestsTotal.name && labels.model === model && labels.status_code?.startsWith('5') === true && sample.value > 0;
  });
}

async function clearFaults(stack: RunningStack): Promise<void> {
  for (const s of stack.sims) await postJson(`${s.sim.url}/admin/faults`, { errorRate: 0, breakRate: 0, ttftMs: 20 });
  await clearSecondDeploymentFault(stack.second);
  // The exporter keeps reporting a GPU's last XID: it stays, as on real hardware until the driver reloads.
}

/**
 * The router alerts the faults raise; the routing spec mutes them while the router is down. The SLO burn
 * alerts are not among them: their long windows keep counting the errors the router reported.
 */
function routerAlerts(expected: readonly AlertExpectation[]): AlertExpectation[] {
  return expected.filter((e) => e.alertname.startsWith('KthenaRouter') && !('slo_tier' in e.labels));
}

/** True once Alertmanager holds every expected router alert inhibited by a firing router-down alert. */
function routerAlertsMuted(expected: readonly AlertExpectation[], watch: AlertWatcher): boolean {
  const timelines = watch.timelines();
  const down = new Set(timelines.filter((t) => t.alertname === ROUTER_DOWN_ALERT && t.fingerprint).map((t) => t.fingerprint));
  return routerAlerts(expected).every((e) =>
    timelines.some(
      (t) => t.alertname === e.alertname && Object.entries(e.labels).every(([k, v]) => t.labels[k] === v) && t.inhibitedBy.some((fp) => down.has(fp)),
    ),
  );
}

/** Waits until the restarted router's health endpoint answers 200, so the recovery load finds it ready. */
async function routerReady(stack: RunningStack): Promise<boolean> {
  const deadline = Date.now() + ROUTER_RESTART_MAX_MS;
  const path = new URL(stack.model.stack.value.probes[0]?.url ?? 'http://x/readyz').pathname;
  while (Date.now() < deadline) {
    const res = await request(`${stack.router.apiUrl}${path}`).catch(() => undefined);
    await res?.body.dump();
    if (res?.statusCode === 200) return true;
    await wait(250);
  }
  return false;
}

/** True once Alertmanager holds every one of `targets` inhibited by a `source` alert. */
function mutedBy(source: string, targets: readonly AlertExpectation[], watch: AlertWatcher): boolean {
  const timelines = watch.timelines();
  const faults = new Set(timelines.filter((t) => t.alertname === source && t.fingerprint).map((t) => t.fingerprint));
  return targets.every((e) =>
    timelines.some((t) => t.alertname === e.alertname && Object.entries(e.labels).every(([k, v]) => t.labels[k] === v) && t.inhibitedBy.some((fp) => faults.has(fp))),
  );
}

/** True once every expected alert arrived at every receiver that must be notified. */
function allArrived(stack: RunningStack, expected: readonly AlertExpectation[]): boolean {
  const [routing] = stack.model.specs.routing;
  const notifications = stack.recorder.notifications();
  return expected.every((e) => {
    const labels = expectedLabels(stack.model, e);
    const got = new Set(arrivals(notifications, labels).map((a) => a.receiver));
    return expectedRouting(routing!.value, labels).notified.every((r) => got.has(r));
  });
}

function loadChecks(load: LoadGenerator, stack: RunningStack): CheckResult[] {
  const counts = load.counts();
  const results: CheckResult[] = [];
  for (const phase of ['healthy', 'router-unscraped', 'recovery']) {
    for (const [model, c] of Object.entries(counts[phase] ?? {})) {
      const ratio = successRatio(c);
      results.push({
        area: 'load',
        name: `${phase}: ${model} succeeds`,
        outcome: c.sent > 0 && ratio >= 0.99 ? 'pass' : 'fail',
        detail: `${(ratio * 100).toFixed(1)}% of ${c.sent} requests below 500 (${JSON.stringify(c.statuses)})`,
      });
    }
  }
  const slow = counts.faults?.[stack.models.second];
  results.push({
    area: 'load',
    name: `faults: every ${stack.models.second} request succeeds, however slow`,
    outcome: slow && slow.sent > 0 && successRatio(slow) === 1 && Object.keys(slow.statuses).every((s) => s.startsWith('2')) ? 'pass' : 'fail',
    detail: `${slow?.sent ?? 0} requests sent (${JSON.stringify(slow?.statuses ?? {})})`,
  });
  const faulted = counts.faults?.[stack.models.first];
  const failedShare = faulted ? 1 - successRatio(faulted) : 0;
  results.push({
    area: 'load',
    name: `faults: about half of ${stack.models.first} fails`,
    outcome: failedShare > 0.3 && failedShare < 0.7 ? 'pass' : 'fail',
    detail: `${(failedShare * 100).toFixed(1)}% of ${faulted?.sent ?? 0} requests answered 5xx or broken mid-stream`,
  });
  return results;
}

async function main(): Promise<number> {
  const startedAt = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 'infermon-e2e-'));
  log(`bench files in ${workDir}`);
  let stack: RunningStack | undefined;
  let load: LoadGenerator | undefined;
  let secondLoad: LoadGenerator[] = [];
  let watch: AlertWatcher | undefined;
  const loop = startLoopMonitor();
  const prometheusMajor = requestedPrometheusMajor();
  log(`Prometheus ${prometheusMajor} (--prometheus 2|3 or INFERMON_PROMETHEUS_MAJOR picks it)`);
  try {
    const phases: PhaseWindow[] = [];
    const phase = (name: string) => {
      const now = Date.now();
      const last = phases.at(-1);
      if (last) last.end = now;
      phases.push({ name, start: now, end: now });
      load?.setPhase(name);
      for (const l of secondLoad) l.setPhase(name);
      watch?.setPhase(name);
      loop.setPhase(name);
      log(`phase ${name}`);
    };
    stack = await startStack({
      workDir,
      scrapeInterval: SCRAPE_INTERVAL,
      evaluationInterval: '2s',
      prometheusMajor,
      maxConcurrency: MAX_CONCURRENCY,
      log,
      beforeMonitoring: async ({ routerUrl, models, users, sims, second, k6 }) => {
        secondLoad = startSecondDeploymentLoad(second, users);
        const scenarios = [
          { model: models.first, rate: 8, maxInFlight: 24 },
          // Two above the fairness limit: when its first tokens slow down it queues a little, but never
          // long enough for a queue timeout, so every request of it still succeeds.
          { model: models.second, rate: 8, maxInFlight: MAX_CONCURRENCY + 2 },
          // Just above the route's rate limit: about one rejection every two seconds.
          { model: models.disaggregated, rate: 3.5, maxInFlight: 16 },
        ];
        load = startLoad(routerUrl, scenarios, users, k6.observe);
        k6.track(load, scenarios);
        phase('settle');
        await seedErrors(sims, models.second);
        await wait(SETTLE_MS - SEED_ERRORS_MS);
      },
    });
    if (!load) throw new Error('the load did not start');
    log(`running ${stack.servers.prometheus}; ${stack.servers.alertmanager}`);
    const [routing] = stack.model.specs.routing;
    const expected = [...expectations(stack), ...secondDeploymentExpectations(stack.second)];
    expected.forEach((e) => expectedLabels(stack!.model, e));
    watch = startAlertWatch(stack.prometheusUrl, stack.alertmanagerUrl, stack.model.stack.value.externalLabels);
    const { first, second, disaggregated } = stack.models;
    phase('healthy');
    await waitForTargets(stack);
    const healthy = phases.at(-1)!;
    await wait(Math.max(0, healthy.start + HEALTHY_MS - Date.now()));
    await watch.poll();

    phase('faults');
    const faultStart = Date.now();
    await injectFaults(stack);
    log(`faults injected: every stream of ${first} cut off mid-stream, ${SLOW_TTFT_MS} ms TTFT on ${second} and XID ${XID.code} on its GPU`);
    const faultsShown = () =>
      allArrived(stack!, expected) && mutedBy(GPU_FAULT_ALERT, gpuFaultMutes(stack!), watch!) && mutedBy(GPU_RESET_ALERT, gpuResetMutes(stack!), watch!);
    while (Date.now() - faultStart < FAULT_MAX_MS && !faultsShown()) {
      await wait(2000);
      await watch.poll();
    }
    log(faultsShown() ? `every expected alert arrived, and ${GPU_FAULT_ALERT} and ${GPU_RESET_ALERT} mute what they explain, after ${((Date.now() - faultStart) / 1000).toFixed(0)}s` : 'gave up waiting for the expected alerts');
    const faults = phases.at(-1)!;

    phase('router-unscraped');
    const unscraped = phases.at(-1)!;
    await clearFaults(stack);
    await stack.routerScrape.close();
    log(`router scrape cut: waiting for ${ROUTER_DOWN_ALERT} to mute ${routerAlerts(expected).map((e) => e.alertname).join(', ')}`);
    while (Date.now() - unscraped.start < ROUTER_UNSCRAPED_MAX_MS && !routerAlertsMuted(expected, watch)) {
      await wait(2000);
      await watch.poll();
    }
    log(routerAlertsMuted(expected, watch) ? `muted after ${((Date.now() - unscraped.start) / 1000).toFixed(0)}s` : 'gave up waiting for the inhibition');

    phase('router-stopped');
    const stopped = phases.at(-1)!;
    const probed = { alertname: PROBE_ALERT, labels: { probe: stack.model.stack.value.probes[0]!.name }, cause: 'the router process is stopped' };
    await stack.stopRouter();
    log(`router stopped: waiting for ${PROBE_ALERT} while ${ROUTER_DOWN_ALERT} keeps the router alerts muted`);
    const stoppedChecks = (alerts: readonly AmAlert[]) =>
      checkRouterStopped(stack!.model, routing!.value, probed, ROUTER_DOWN_ALERT, routerAlerts(expected), alerts, watch!.timelines(), stopped);
    let routerStopped = stoppedChecks([]);
    while (Date.now() - stopped.start < ROUTER_STOPPED_MAX_MS) {
      await wait(2000);
      await watch.poll();
      routerStopped = stoppedChecks(await alertmanagerAlerts(stack.alertmanagerUrl));
      if (routerStopped.every((r) => r.outcome === 'pass')) break;
    }
    log(routerStopped.every((r) => r.outcome === 'pass') ? `${PROBE_ALERT} active after ${((Date.now() - stopped.start) / 1000).toFixed(0)}s` : `gave up waiting for ${PROBE_ALERT}`);
    await stack.restartRouter();
    await stack.routerScrape.open();
    if (!(await routerReady(stack))) log(`the restarted router is not ready after ${ROUTER_RESTART_MAX_MS / 1000}s`);
    // A new router process has no 5xx series until it fails again; pint, which reads after the recovery,
    // asks for them.
    await seedErrors(stack.sims, second, stack.router.adminUrl);
    // Its route is rate limited but never fails on its own: without this no 5xx series of it exists, which
    // its availability SLO's error query reads.
    await seedErrors(stack.sims, disaggregated, stack.router.adminUrl);

    phase('recovery');
    await wait(RECOVERY_MS);
    phase('checks');
    await load.stop();
    await Promise.all(secondLoad.map((l) => l.stop()));
    await watch.poll();
    await watch.stop();
    // With the load stopped, the traced request's exemplar is the last one on its bucket.
    const traces = await checkTraces(stack);
    const pushed = stack.k6 ? await checkK6Push(stack, stack.k6.push, stack.k6.results, load.counts()) : [];
    const spans = stack.collector ? await checkSpanMetrics(stack.prometheusUrl, ROUTER_SERVICE, () => stack!.traces.spans(), stack.traces.relayFailures(), () => stack!.collector!.backendSpans()) : [];

    const scrapedJobs = new Set(stack.scrapedSources.map((name) => stack!.model.catalog.source(name)?.job).filter((j) => j !== undefined));
    const targetless = targetlessJobAlerts(stack.model, scrapedJobs);
    const rules = generatedRules(stack.ruleFiles);
    const exercise = await exerciseOf(stack, rules);
    const results: CheckResult[] = [
      ...(await checkTargets(stack)),
      ...(await checkRulesLoaded(stack, rules)),
      ...loadChecks(load, stack),
      ...checkSecondDeploymentLoad(stack.second, secondLoad),
      ...(await checkSecondDeploymentTargets(stack.prometheusUrl, stack.second, podsPerJob(stack))),
      ...(await checkPerPodPanels(stack, stack.second, unscraped.start - 1000)),
      ...(await checkFaultIsolation(stack.prometheusUrl, stack.second, watch.timelines(), faults)),
      ...(await checkExposed(stack, [
        { ...routerFairnessQueueSize, why: 'fairness is on and a slow model queues' },
        { ...routerFairnessQueueDuration, why: 'fairness is on' },
        { ...routerRequestPrefillDuration, why: `${disaggregated} is served by a prefill/decode pair` },
        { ...routerRequestDecodeDuration, why: `${disaggregated} is served by a prefill/decode pair` },
      ])),
      ...(await checkRecordingRules(stack, rules, exercise)),
      // Read where every source had served for minutes: the router restarted since, and a fresh router has
      // no series yet for what it has not done again (a fairness queue forms only under the slow model).
      ...(await checkDashboards(stack, exercise, unscraped.start - 1000)),
      ...checkQuietWhileHealthy(watch.timelines(), stack.recorder.notifications(), healthy, targetless),
      ...checkTargetlessJobs(targetless, watch.timelines()),
      ...checkExpectedAlerts(stack.model, routing!.value, expected, watch.timelines(), stack.recorder.notifications(), faultStart),
      ...checkInhibition(stack.model, routing!.value, ROUTER_DOWN_ALERT, 'once the router\'s target is down', routerAlerts(expected), watch.timelines(), unscraped),
      ...checkInhibition(stack.model, routing!.value, GPU_FAULT_ALERT, `once XID ${XID.code} hits the GPU of ${second}`, gpuFaultMutes(stack), watch.timelines(), faults),
      ...checkInhibition(stack.model, routing!.value, GPU_RESET_ALERT, `once XID ${XID.code} hits the GPU of ${second}`, gpuResetMutes(stack), watch.timelines(), faults),
      ...routerStopped,
      ...tierInhibition(stack, watch),
      ...checkEveryArrival(routing!.value, stack.recorder.notifications()),
      ...(await checkPintOnline(stack, rules, exercise)),
      ...traces,
      ...(await checkVerifyOnline(stack, exercise, unscraped.start - 1000)),
      ...(await checkVerifyBrokenCopy(stack, prometheusMajor, SCRAPE_INTERVAL)),
      ...pushed,
      ...spans,
    ];
    for (const e of watch.errors()) results.push({ area: 'polling', name: 'alert API poll', outcome: 'warn', detail: e });
    for (const note of stack.notes) results.push({ area: 'bench', name: 'differs from the target stack', outcome: 'warn', detail: note });
    phases.at(-1)!.end = Date.now();
    loop.stop();

    const text = writeReport(
      { workDir, startedAt, finishedAt: Date.now(), phases, faultStart, load: load.counts(), loopDelay: loop.byPhase(), results },
      stack.model,
      routing!.value,
      watch.timelines(),
      stack.recorder.notifications(),
    );
    console.log(`\n${text}\n`);
    for (const r of results.filter((x) => x.outcome === 'fail')) console.log(`FAILED ${r.area}: ${r.name}\n       ${r.detail}`);
    console.log(`report: ${join(workDir, 'report.txt')} and report.json`);
    console.log(summaryLine(results));
    return results.some((r) => r.outcome === 'fail') ? 1 : 0;
  } finally {
    loop.stop();
    await load?.stop().catch(() => {});
    await Promise.all(secondLoad.map((l) => l.stop().catch(() => {})));
    await watch?.stop().catch(() => {});
    await stack?.stop();
    log(`bench stopped after ${((Date.now() - startedAt) / 1000).toFixed(0)}s`);
  }
}

main().then(
  (code) => process.exit(abort.signal.aborted ? 130 : code),
  (err: Error) => {
    console.error(abort.signal.aborted ? err.message : err.stack ?? err.message);
    console.log('0 passed, 1 failed');
    process.exit(abort.signal.aborted ? 130 : 1);
  },
);
