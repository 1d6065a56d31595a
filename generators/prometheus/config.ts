import { OUT } from '../../src/conventions.ts';
import { sortKeys } from '../../src/model/sort-keys.ts';
import { fileHeader, type Artifact } from '../../src/model/artifact.ts';
import { remoteWriteSources, type ScrapeTarget } from '../../src/model/scrape.ts';
import type { Stack } from '../../src/model/stack.ts';
import { runsPlainPrometheus } from '../../src/model/targets.ts';
import { probeScrapeJob, stackProbeJob } from './probe-job.ts';
import type { Plan } from '../../src/plan/index.ts';

/**
 * The plain prometheus.yml, for Prometheus servers run without the operator: one job per scraped source
 * (static targets where the stack names them, pod discovery driven by `prometheus.io/*` annotations
 * otherwise), the blackbox probe job, the federation job of a central Prometheus, external labels, Alertmanager and the generated
 * rule files. Job names are the catalog's `job` values, the same the monitors produce.
 */

type ScrapeConfig = Record<string, unknown>;

/** `scheme`, `host:port` and path prefix of an Alertmanager URL, as `alertmanagers` entries spell them. */
export function alertmanagerTarget(url: string): { scheme: string; target: string; pathPrefix?: string } {
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const path = u.pathname.replace(/\/$/, '');
  return { scheme: u.protocol.replace(':', ''), target: `${u.hostname}:${port}`, ...(path ? { pathPrefix: path } : {}) };
}

function alertingBlock(url: string): Record<string, unknown> {
  const { scheme, target, pathPrefix } = alertmanagerTarget(url);
  return {
    alertmanagers: [{ scheme, ...(pathPrefix ? { path_prefix: pathPrefix } : {}), api_version: 'v2', static_configs: [{ targets: [target] }] }],
  };
}

/** Escapes a literal for an RE2 `regex` field. */
function re2Literal(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** The `__meta_kubernetes_<object>_label_*` name of a pod or Service label. */
function labelMeta(object: 'pod' | 'service', label: string): string {
  return `__meta_kubernetes_${object}_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

function keepLabels(object: 'pod' | 'service', labels: Record<string, string>): ScrapeConfig[] {
  return Object.entries(sortKeys(labels)).map(([label, value]) => ({
    source_labels: [labelMeta(object, label)],
    action: 'keep',
    regex: re2Literal(value),
  }));
}

/** Scheme, path and port taken from the `prometheus.io/*` annotations of a pod or Service. */
function annotationRelabelings(object: 'pod' | 'service'): ScrapeConfig[] {
  const annotation = (name: string) => `__meta_kubernetes_${object}_annotation_prometheus_io_${name}`;
  return [
    { source_labels: [annotation('scheme')], action: 'replace', regex: '(https?)', target_label: '__scheme__' },
    { source_labels: [annotation('path')], action: 'replace', regex: '(.+)', target_label: '__metrics_path__' },
    {
      source_labels: ['__address__', annotation('port')],
      action: 'replace',
      regex: '([^:]+)(?::\\d+)?;(\\d+)',
      replacement: '$1:$2',
      target_label: '__address__',
    },
  ];
}

function baseJob(target: ScrapeTarget): ScrapeConfig {
  const { source } = target;
  return {
    job_name: target.job,
    scrape_interval: source.scrapeInterval,
    metrics_path: source.path,
    ...(source.kubernetes?.honorLabels ? { honor_labels: true } : {}),
  };
}

function staticJob(target: ScrapeTarget, targets: readonly string[]): ScrapeConfig {
  return { ...baseJob(target), static_configs: [{ targets: [...targets] }] };
}

/** One static group per target, each with its own labels. */
function labelledStaticJob(target: ScrapeTarget, targets: readonly string[], labels: Record<string, Record<string, string>>): ScrapeConfig {
  return { ...baseJob(target), static_configs: targets.map((t) => ({ targets: [t], ...(labels[t] ? { labels: sortKeys(labels[t]) } : {}) })) };
}

/** Pods of the source's namespace and labels that opt in with `prometheus.io/scrape: "true"`. */
function podAnnotationJob(target: ScrapeTarget): ScrapeConfig {
  const k8s = target.source.kubernetes!;
  return {
    ...baseJob(target),
    kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [k8s.namespace] } }],
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], action: 'keep', regex: 'true' },
      ...keepLabels('pod', k8s.podLabels),
      ...annotationRelabelings('pod'),
      { source_labels: ['__meta_kubernetes_namespace'], action: 'replace', target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_pod_name'], action: 'replace', target_label: 'pod' },
    ],
  };
}

/**
 * Endpoints of the Services of the source's namespace and labels that opt in with
 * `prometheus.io/scrape: "true"`, on the source's port name: one target per pod behind the Service.
 */
function serviceAnnotationJob(target: ScrapeTarget): ScrapeConfig {
  const k8s = target.source.kubernetes!;
  return {
    ...baseJob(target),
    kubernetes_sd_configs: [{ role: 'endpoints', namespaces: { names: [k8s.namespace] } }],
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_service_annotation_prometheus_io_scrape'], action: 'keep', regex: 'true' },
      ...keepLabels('service', k8s.serviceLabels ?? {}),
      { source_labels: ['__meta_kubernetes_endpoint_port_name'], action: 'keep', regex: re2Literal(target.source.port.name) },
      ...annotationRelabelings('service'),
      { source_labels: ['__meta_kubernetes_namespace'], action: 'replace', target_label: 'namespace' },
      { source_labels: ['__meta_kubernetes_pod_name'], action: 'replace', target_label: 'pod' },
      { source_labels: ['__meta_kubernetes_service_name'], action: 'replace', target_label: 'service' },
    ],
  };
}

/** Pulls the generated jobs' series from each cluster Prometheus, keeping their labels. */
export function federationJob(stack: Stack, jobs: readonly string[]): ScrapeConfig | undefined {
  const federation = stack.plainPrometheus.federation;
  if (!federation) return undefined;
  return {
    job_name: federation.jobName,
    scrape_interval: federation.scrapeInterval,
    honor_labels: true,
    metrics_path: '/federate',
    params: { 'match[]': [`{job=~"${[...jobs].sort().map(re2Literal).join('|')}"}`] },
    static_configs: [{ targets: [...federation.targets] }],
  };
}

/** The scrape job of one source in the cluster config; undefined when it has neither targets nor pods. */
export function clusterScrapeJob(target: ScrapeTarget, stack: Stack): ScrapeConfig | undefined {
  const fixed = stack.plainPrometheus.staticTargets[target.source.name];
  if (fixed) return staticJob(target, fixed);
  const k8s = target.source.kubernetes;
  if (k8s) return k8s.annotationsOn === 'service' ? serviceAnnotationJob(target) : podAnnotationJob(target);
  return undefined;
}

export function prometheusConfig(model: Plan): Record<string, unknown> {
  const stack = model.stack.value;
  const targets = model.scrapeTargets;
  const jobs = targets.flatMap((t) => {
    const job = clusterScrapeJob(t, stack);
    return job ? [job] : [];
  });
  const probes = stackProbeJob(stack);
  const federation = federationJob(stack, [...targets.map((t) => t.job), ...(probes ? [probes.job_name as string] : [])]);
  return {
    global: {
      scrape_interval: '15s',
      evaluation_interval: stack.evaluationInterval,
      external_labels: sortKeys(stack.externalLabels),
    },
    alerting: alertingBlock(stack.alertmanagerUrl),
    rule_files: [`${stack.plainPrometheus.ruleDir.replace(/\/$/, '')}/*.yml`],
    scrape_configs: [...jobs, ...(probes ? [probes] : []), ...(federation ? [federation] : [])],
  };
}

export function prometheusConfigGenerator(model: Plan): Artifact[] {
  if (!runsPlainPrometheus(model.stack.value.targets)) return [];
  const pushed = remoteWriteSources(model);
  const files = [model.stack.file, ...model.scrapeTargets.map((t) => t.file), ...pushed.map((s) => s.file)];
  // The receiver is a command-line switch, not a setting of this file: the header says to turn it on.
  const receiver =
    pushed.length > 0
      ? [`Start Prometheus with --web.enable-remote-write-receiver: ${pushed.map((s) => s.value.component).join(', ')} push${pushed.length === 1 ? 'es' : ''} to its /api/v1/write.`]
      : [];
  return [{ path: OUT.prometheusConfig, format: 'yaml', document: prometheusConfig(model), header: fileHeader(model.stack.value, files, receiver) }];
}

export interface LocalPrometheusOptions {
  /** `host:port` targets per catalog source name (loopback addresses of the simulators). */
  targets: Record<string, readonly string[]>;
  /**
   * Labels per source and target address, standing in for the ones Kubernetes discovery sets (`namespace`,
   * `pod`), so rules that join sources by pod work on loopback targets too.
   */
  targetLabels?: Record<string, Record<string, Record<string, string>>>;
  ruleFiles: readonly string[];
  /** `host:port` of the Alertmanager, or a URL. */
  alertmanager: string;
  scrapeInterval: string;
  evaluationInterval?: string;
  /** A local blackbox exporter (`host:port`) and the local URL of each of the stack's probes, by name. */
  probes?: { exporter: string; urls: Record<string, string> };
}

/**
 * A prometheus.yml for a local run: static loopback targets, a short scrape interval, the same job names
 * and external labels as the cluster config, the given rule files and Alertmanager.
 */
export function localPrometheusConfig(model: Plan, options: LocalPrometheusOptions): Record<string, unknown> {
  const byName = new Map(model.scrapeTargets.map((t) => [t.source.name, t]));
  const jobs: ScrapeConfig[] = Object.entries(options.targets).map(([name, addresses]) => {
    const target = byName.get(name);
    if (!target) throw new Error(`no scraped catalog source is called ${name}; known: ${[...byName.keys()].join(', ')}`);
    const labelled = options.targetLabels?.[name] ?? {};
    const job = Object.keys(labelled).length === 0 ? staticJob(target, addresses) : labelledStaticJob(target, addresses, labelled);
    return { ...job, scrape_interval: options.scrapeInterval };
  });
  const probes = options.probes;
  if (probes) {
    const local = model.stack.value.probes.flatMap((p) => (probes.urls[p.name] ? [{ ...p, url: probes.urls[p.name]! }] : []));
    if (local.length > 0) jobs.push(probeScrapeJob(local, probes.exporter, options.scrapeInterval));
  }
  const alertmanagerUrl = /^https?:\/\//.test(options.alertmanager) ? options.alertmanager : `http://${options.alertmanager}`;
  const config = {
    global: {
      scrape_interval: options.scrapeInterval,
      evaluation_interval: options.evaluationInterval ?? options.scrapeInterval,
      external_labels: sortKeys(model.stack.value.externalLabels),
    },
    alerting: alertingBlock(alertmanagerUrl),
    rule_files: [...options.ruleFiles],
    scrape_configs: jobs,
  };
  return config;
}
