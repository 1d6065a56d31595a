import { sortKeys } from './sort-keys.ts';
import { MANAGED_BY_LABEL, k8sName } from '../conventions.ts';
import type { Source } from './catalog.ts';
import { targetLabelsOf } from './target-labels.ts';
import type { Located, Model } from './model.ts';
import type { Stack } from './stack.ts';

/**
 * The scrape wiring of every catalog source, computed once: which monitor scrapes it, under which `job`,
 * and which target labels its series carry. Generators emit these; checks hold rules, SLOs and dashboards
 * against the `job` values they produce.
 */

export type MonitorKind = 'ServiceMonitor' | 'PodMonitor';

export interface ScrapeTarget {
  source: Source;
  /** Spec file declaring the source. */
  file: string;
  /** Export name of the source declaration, the root of its diagnostic paths. */
  root: string;
  /** The `job` label every series of the source carries. */
  job: string;
  /** Absent for sources that run outside Kubernetes (static targets only). */
  monitor?: { kind: MonitorKind; name: string; namespace: string };
  /** Labels Prometheus attaches to each series of the target, sorted. */
  targetLabels: string[];
}


/** Sources whose scrape wiring infermon generates. */
export function scrapedSources(model: Model): Array<Located<Source>> {
  const located = new Map(model.specs.source.map((s) => [s.value.name, s]));
  return model.catalog.sources
    .filter((s) => s.delivery === 'scrape')
    .map((s) => located.get(s.name) ?? { value: s, file: 'infermon/catalog', root: s.name });
}

export function monitorKind(source: Source): MonitorKind {
  return source.kubernetes?.serviceLabels ? 'ServiceMonitor' : 'PodMonitor';
}

/**
 * Declared sources that push their series (k6 through `experimental-prometheus-rw`): the Prometheus they
 * push to must run its remote-write receiver.
 */
export function remoteWriteSources(model: Model): Array<Located<Source>> {
  return model.specs.source.filter((s) => s.value.delivery === 'remote-write');
}

/** Every scraped source with its job and target labels, in catalog order. */
export function scrapeTargets(model: Model): ScrapeTarget[] {
  return scrapedSources(model).map(({ value: source, file, root }) => {
    const kind = source.kubernetes ? monitorKind(source) : undefined;
    const targetLabels = targetLabelsOf(source);
    return {
      source,
      file,
      root,
      job: source.job,
      monitor: kind ? { kind, name: k8sName(source.name), namespace: model.stack.value.namespace } : undefined,
      targetLabels: [...targetLabels],
    };
  });
}

/**
 * Every `job` value a query may select: the generated scrape jobs, the jobs of sources the stack scrapes
 * itself (`platform`) or that push their series, and the federation job.
 */
export function knownJobs(model: Model): Set<string> {
  const jobs = new Set(model.catalog.sources.map((s) => s.job));
  const federation = model.stack.value.plainPrometheus.federation;
  if (federation) jobs.add(federation.jobName);
  return jobs;
}

export type SelectedKind = 'rules' | 'serviceMonitors' | 'podMonitors' | 'probes' | 'alertmanagerConfigs';

/**
 * The selector the target Prometheus or Alertmanager applies to objects of this kind: the stack's
 * declared selector, or — when it declares none and the stack is a kube-prometheus-stack release — the
 * chart's default: `release: <name>` for rules and monitors, every AlertmanagerConfig for the
 * Alertmanager (`alertmanagerConfigSelector: {}`, kube-prometheus-stack 67.x).
 */
export function effectiveSelector(stack: Stack, kind: SelectedKind): Record<string, string> {
  const declared = stack.selectors[kind];
  if (Object.keys(declared).length > 0) return declared;
  if (kind === 'alertmanagerConfigs') return {};
  return stack.kubePrometheusStackRelease ? { release: stack.kubePrometheusStackRelease } : {};
}

/** The labels generated objects of this kind carry: common labels, managed-by, then the declared selector. */
export function objectLabels(stack: Stack, kind: SelectedKind): Record<string, string> {
  return sortKeys({ ...stack.commonLabels, ...MANAGED_BY_LABEL, ...stack.selectors[kind] });
}
