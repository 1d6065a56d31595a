import { dcgm } from '../../src/catalog/dcgm.ts';
import { vllm, vllmNumRequestsRunning } from '../../src/catalog/vllm.ts';
import type { Source } from '../../src/model/catalog.ts';
import type { Plan } from '../../src/plan/index.ts';
import { outputLabels, selectors } from '../../src/promql/analyze.ts';
import { dashboardQueries } from '../../generators/grafana/index.ts';
import { startVllmSim, type RunningVllmSim } from '../../src/runtime/sim/index.ts';
import type { AlertExpectation, PhaseWindow } from './alert-assertions.ts';
import type { AlertTimeline } from './alert-watch.ts';
import { substituted, type CheckResult } from './assertions.ts';
import { instantQuery, postJson, prometheusTargets } from './http-api.ts';
import { startLoad, successRatio, type LoadGenerator } from './load.ts';

/**
 * The example platform's second vLLM deployment on the bench: the RAG application's own vLLM (`ragVllm` in
 * specs/sources.ts), simulated pods in its namespace under its own job, loaded directly as the RAG backend
 * calls it (not through the router). Its checks: both deployments' targets carry their own namespace and
 * job, the per-pod dashboard panels show the pods of both namespaces, and a fault in this deployment alone
 * raises alerts that name it alone, while the first deployment's faults never name it.
 */

/** The catalog source the specs declare for the RAG application's vLLM. */
export const SECOND_DEPLOYMENT_SOURCE = 'rag-vllm';
/** The model the RAG application serves: none of the first deployment's, so alerts by model tell them apart. */
const MODEL = 'mistral-7b-rag';
const PODS = 2;
/** Per pod; low enough that the pods stay idle-looking while healthy. */
const REQUESTS_PER_SECOND = 1.5;
const MAX_IN_FLIGHT = 8;
/** Above the 2 s threshold of the vLLM TTFT alert. */
const SLOW_TTFT_MS = 4000;

export interface SecondDeployment {
  source: Source;
  namespace: string;
  model: string;
  pods: Array<{ pod: string; sim: RunningVllmSim }>;
  /** Scrape addresses with the labels Kubernetes discovery gives each pod. */
  targetLabels: Record<string, Record<string, string>>;
  close(): Promise<void>;
}

export async function startSecondDeployment(model: Plan): Promise<SecondDeployment> {
  const source = model.catalog.source(SECOND_DEPLOYMENT_SOURCE);
  const k8s = source?.kubernetes;
  if (!source || !k8s) throw new Error(`the specs declare no source ${SECOND_DEPLOYMENT_SOURCE} deployed on Kubernetes`);
  const app = k8s.podLabels.app ?? source.name;
  const pods: SecondDeployment['pods'] = [];
  try {
    for (let i = 0; i < PODS; i++) pods.push({ pod: `${app}-${i}`, sim: await startVllmSim({ model: MODEL }) });
  } catch (err) {
    await Promise.all(pods.map((p) => p.sim.close()));
    throw err;
  }
  return {
    source,
    namespace: k8s.namespace,
    model: MODEL,
    pods,
    targetLabels: Object.fromEntries(pods.map((p) => [`127.0.0.1:${p.sim.port}`, { namespace: k8s.namespace, pod: p.pod }])),
    close: async () => {
      await Promise.all(pods.map((p) => p.sim.close()));
    },
  };
}

/** Load straight at each pod, as the application's own client does; one generator per pod. */
export function startSecondDeploymentLoad(d: SecondDeployment, users: readonly string[]): LoadGenerator[] {
  return d.pods.map((p) => startLoad(p.sim.url, [{ model: d.model, rate: REQUESTS_PER_SECOND, maxInFlight: MAX_IN_FLIGHT }], users));
}

export async function injectSecondDeploymentFault(d: SecondDeployment): Promise<void> {
  for (const p of d.pods) await postJson(`${p.sim.url}/admin/faults`, { ttftMs: SLOW_TTFT_MS });
}

export async function clearSecondDeploymentFault(d: SecondDeployment): Promise<void> {
  for (const p of d.pods) await postJson(`${p.sim.url}/admin/faults`, { errorRate: 0, breakRate: 0, ttftMs: 20 });
}

/** What the fault in this deployment raises. */
export function secondDeploymentExpectations(d: SecondDeployment): AlertExpectation[] {
  return [
    {
      alertname: 'VllmHighTimeToFirstToken',
      labels: { model_name: d.model, namespace: d.namespace },
      cause: `${d.model} in ${d.namespace} answers its first token after ${SLOW_TTFT_MS / 1000}s, the ${vllm.spec.name} deployment is healthy`,
    },
  ];
}

/** Every request of the deployment answered below 500, however slow. */
export function checkSecondDeploymentLoad(d: SecondDeployment, loads: readonly LoadGenerator[]): CheckResult[] {
  return loads.map((load, i) => {
    const all = Object.values(load.counts()).flatMap((byModel) => Object.values(byModel));
    const merged = { sent: 0, skipped: 0, statuses: {} as Record<string, number> };
    for (const c of all) {
      merged.sent += c.sent;
      merged.skipped += c.skipped;
      for (const [s, n] of Object.entries(c.statuses)) merged.statuses[s] = (merged.statuses[s] ?? 0) + n;
    }
    const ratio = successRatio(merged);
    return {
      area: 'second deployment',
      name: `load on ${d.namespace}/${d.pods[i]!.pod} succeeds`,
      outcome: merged.sent > 0 && ratio >= 0.99 ? 'pass' : 'fail',
      detail: `${(ratio * 100).toFixed(1)}% of ${merged.sent} requests below 500 (${JSON.stringify(merged.statuses)})`,
    };
  });
}

interface Deployment {
  job: string;
  namespace: string;
}

/** The two vLLM deployments the bench runs: the catalog's own and the second one. */
function deploymentsOf(d: SecondDeployment): Deployment[] {
  return [
    { job: vllm.spec.job, namespace: vllm.spec.kubernetes!.namespace },
    { job: d.source.job, namespace: d.namespace },
  ];
}

/** Each deployment's targets are up under its own job, every one labelled with its own namespace and a pod. */
export async function checkSecondDeploymentTargets(prometheusUrl: string, d: SecondDeployment, expectedPods: Record<string, number>): Promise<CheckResult[]> {
  const targets = await prometheusTargets(prometheusUrl);
  return deploymentsOf(d).map(({ job, namespace }) => {
    const own = targets.filter((t) => t.labels.job === job);
    const wrong = own.filter((t) => t.health !== 'up' || t.labels.namespace !== namespace || !t.labels.pod);
    const want = expectedPods[job] ?? 0;
    return {
      area: 'second deployment',
      name: `job ${job}: ${want} targets up in namespace ${namespace}`,
      outcome: own.length === want && wrong.length === 0 ? 'pass' : 'fail',
      detail:
        `${own.length} targets: ` +
        own.map((t) => `${t.labels.namespace ?? '(no namespace)'}/${t.labels.pod ?? '(no pod)'} ${t.health}`).join(', '),
    };
  });
}

/** Namespace of each vLLM scrape target, by instance and by pod. */
async function placements(prometheusUrl: string, d: SecondDeployment): Promise<{ byInstance: Map<string, string>; byPod: Map<string, string> }> {
  const jobs = new Set(deploymentsOf(d).map((x) => x.job));
  const targets = (await prometheusTargets(prometheusUrl)).filter((t) => jobs.has(t.labels.job ?? ''));
  return {
    byInstance: new Map(targets.map((t) => [t.labels.instance!, t.labels.namespace ?? ''])),
    byPod: new Map(targets.map((t) => [t.labels.pod ?? '', t.labels.namespace ?? ''])),
  };
}

/** Families with series per model-server pod: vLLM's (whichever deployment the catalog index names for them) and those of the GPUs under the pods. */
const POD_FAMILIES: ReadonlySet<string> = new Set([...vllm.spec.metrics, ...dcgm.spec.metrics].map((m) => m.name));

function readsPodFamilies(model: Plan, expr: string): boolean {
  return selectors(expr).some((s) => POD_FAMILIES.has(model.catalog.lookupSeries(s.metric)?.metric.name ?? ''));
}

/** A panel pinned to one namespace (`namespace="inference"`) is about that deployment alone. */
function pinnedToNamespace(expr: string): boolean {
  return selectors(expr).some((s) => s.matchers.some((m) => m.label === 'namespace' && m.op === '=' && !m.value.includes('$')));
}

/**
 * The dashboard panels that split vLLM or GPU series by pod (their result keeps `instance`, `pod` or
 * `namespace`) and are not pinned to one namespace show series of both deployments' namespaces, read at `at`.
 */
export async function checkPerPodPanels(stack: { model: Plan; prometheusUrl: string }, d: SecondDeployment, at?: number): Promise<CheckResult[]> {
  const where = await placements(stack.prometheusUrl, d);
  const wanted = deploymentsOf(d).map((x) => x.namespace);
  const results: CheckResult[] = [];
  for (const q of dashboardQueries(stack.model)) {
    if (!readsPodFamilies(stack.model, q.expr) || pinnedToNamespace(q.expr)) continue;
    const kept = outputLabels(q.expr, stack.model.catalog).labels.filter((l) => l === 'instance' || l === 'pod' || l === 'namespace');
    if (kept.length === 0) continue;
    const series = await instantQuery(stack.prometheusUrl, await substituted(q.expr, stack.prometheusUrl), at);
    const seen = new Set(
      series.map((s) => s.metric.namespace ?? (s.metric.pod !== undefined ? where.byPod.get(s.metric.pod) : undefined) ?? where.byInstance.get(s.metric.instance ?? '') ?? '?'),
    );
    const missing = wanted.filter((n) => !seen.has(n));
    results.push({
      area: 'second deployment',
      name: `${q.dashboard} / ${q.panel}: pods of ${wanted.join(' and ')}`,
      outcome: missing.length === 0 ? 'pass' : 'fail',
      detail: missing.length === 0 ? `${series.length} series by ${kept.join(', ')} across ${[...seen].sort().join(', ')}` : `no series of ${missing.join(', ')} (seen: ${[...seen].join(', ') || 'none'}): ${q.expr}`,
      series: series.length,
    });
  }
  if (results.length === 0) results.push({ area: 'second deployment', name: 'per-pod panels', outcome: 'fail', detail: 'no dashboard panel splits vLLM or GPU series by pod' });
  return results;
}

/** The vLLM deployments (namespaces) an alert is about: by its namespace, its instance or pod, or the model it names. */
function namespacesOf(alert: AlertTimeline, where: Awaited<ReturnType<typeof placements>>, servedIn: Map<string, Set<string>>, known: ReadonlySet<string>): Set<string> {
  const l = alert.labels;
  if (l.namespace !== undefined) return new Set(known.has(l.namespace) ? [l.namespace] : []);
  const byTarget = where.byInstance.get(l.instance ?? '') ?? where.byPod.get(l.pod ?? '');
  if (byTarget) return new Set([byTarget]);
  const model = l.model_name ?? l.model;
  return new Set(model === undefined ? [] : (servedIn.get(model) ?? []));
}

/**
 * A fault in one deployment raises alerts about it alone: every alert active during the faults that is
 * about a vLLM deployment names exactly one namespace; those naming the second deployment are about its
 * model, and the second deployment's expected alert names its namespace alone.
 */
export async function checkFaultIsolation(
  prometheusUrl: string,
  d: SecondDeployment,
  timelines: readonly AlertTimeline[],
  faults: PhaseWindow,
): Promise<CheckResult[]> {
  const where = await placements(prometheusUrl, d);
  const known = new Set(deploymentsOf(d).map((x) => x.namespace));
  const served = await instantQuery(prometheusUrl, `group by (namespace, model_name) (last_over_time(${vllmNumRequestsRunning.name}[1h]))`);
  const servedIn = new Map<string, Set<string>>();
  for (const s of served) {
    const model = s.metric.model_name;
    if (model && s.metric.namespace) servedIn.set(model, new Set([...(servedIn.get(model) ?? []), s.metric.namespace]));
  }
  const duringFaults = timelines.filter((t) => t.firstFiring !== undefined && t.firstFiring >= faults.start && t.firstFiring <= faults.end);
  const results: CheckResult[] = [];
  let about = 0;
  for (const t of duringFaults) {
    const namespaces = namespacesOf(t, where, servedIn, known);
    if (namespaces.size === 0) continue;
    about++;
    const label = `${t.alertname}{${Object.entries(t.labels).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}="${v}"`).join(',')}}`;
    const model = t.labels.model_name ?? t.labels.model;
    const wrong =
      namespaces.size !== 1
        ? `names ${[...namespaces].sort().join(' and ')}`
        : namespaces.has(d.namespace) && model !== undefined && model !== d.model
          ? `names ${d.namespace} but model ${model}, which it does not serve`
          : !namespaces.has(d.namespace) && model === d.model
            ? `is about ${d.model} but names ${[...namespaces][0]}`
            : undefined;
    if (wrong) results.push({ area: 'second deployment', name: `fault isolation: ${t.alertname}`, outcome: 'fail', detail: `${label} ${wrong}` });
  }
  for (const e of secondDeploymentExpectations(d)) {
    const raised = duringFaults.filter((t) => t.alertname === e.alertname && Object.entries(e.labels).every(([k, v]) => t.labels[k] === v));
    const named = raised.map((t) => [...namespacesOf(t, where, servedIn, known)].sort().join('+'));
    results.push({
      area: 'second deployment',
      name: `fault in ${d.namespace} only: ${e.alertname} names ${d.namespace} alone`,
      outcome: raised.length > 0 && named.every((n) => n === d.namespace) ? 'pass' : 'fail',
      detail: raised.length > 0 ? `${raised.length} alert(s), about ${named.join(', ')}` : `never fired during the faults (${e.cause})`,
    });
  }
  results.push({
    area: 'second deployment',
    name: 'fault isolation: every alert about a vLLM deployment names one namespace',
    outcome: results.some((r) => r.outcome === 'fail' && r.name.startsWith('fault isolation')) ? 'fail' : 'pass',
    detail: `${about} of ${duringFaults.length} alerts fired during the faults are about a vLLM deployment; models served: ${[...servedIn].map(([m, ns]) => `${m} in ${[...ns].join('+')}`).join(', ')}`,
  });
  return results;
}
