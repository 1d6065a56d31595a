import { spanMetricsCalls } from '../catalog/otel-spanmetrics.ts';
import type { Source } from '../model/catalog.ts';
import { monitorObjects, type MonitorObject } from '../model/monitors.ts';
import { RECORDING_RULES_SOURCE } from '../model/catalog-index.ts';
import type { Diagnostics, SpecLocation } from '../model/diagnostics.ts';
import { locate } from '../model/model.ts';
import { effectiveSelector, knownJobs, type SelectedKind } from '../model/scrape.ts';
import { selectors } from '../promql/analyze.ts';
import type { Plan } from '../plan/index.ts';

/**
 * Cross-artifact wiring: generated objects carry the labels their selectors need, monitors name their
 * ports, every scraped source is reachable, span metrics are scraped where the generated collector serves
 * them, and every `job` a query selects is one the scrape wiring produces.
 */

/** A container port name (IANA_SVC_NAME): ≤ 15 chars, lower-case alphanumerics and single inner dashes, a letter. */
const CONTAINER_PORT_NAME = /^(?=.*[a-z])[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,14}$/;
/** A Service port name (DNS-1123 label): ≤ 63 chars, lower-case alphanumerics and inner dashes. */
const SERVICE_PORT_NAME = /^(?=.{1,63}$)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;

/** A ServiceMonitor names a Service port, a PodMonitor a container port; Kubernetes spells them differently. */
function portNameProblem(source: Source): string | undefined {
  if (source.kubernetes?.serviceLabels)
    return SERVICE_PORT_NAME.test(source.port.name) ? undefined : 'not a valid Service port name (at most 63 lower-case letters, digits and inner dashes)';
  return CONTAINER_PORT_NAME.test(source.port.name)
    ? undefined
    : 'not a valid Kubernetes port name (at most 15 lower-case letters, digits and inner dashes, with a letter)';
}

export interface LabelledObject {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
}

/** `wiring/missing-selector-label` for an object the selector of its kind would not pick up. */
export function checkSelectorLabels(
  object: LabelledObject,
  kind: SelectedKind,
  model: Plan,
  at: SpecLocation,
  diagnostics: Diagnostics,
): void {
  const selector = effectiveSelector(model.stack.value, kind);
  const labels = object.metadata.labels ?? {};
  for (const [key, value] of Object.entries(selector)) {
    if (labels[key] === value) continue;
    const has = key in labels ? `carries ${key}=${labels[key]}` : `has no ${key} label`;
    const whose = Object.keys(model.stack.value.selectors[kind]).length > 0
      ? `stack.selectors.${kind}`
      : `the default selector of kube-prometheus-stack release "${model.stack.value.kubePrometheusStackRelease}"`;
    diagnostics.error(
      'wiring/missing-selector-label',
      at,
      `${object.kind} ${object.metadata.name} ${has}, but ${whose} selects ${key}=${value}: the object would be ignored`,
      `add \`${key}: '${value}'\` to stack.selectors.${kind} in ${model.stack.file}, so every generated ${object.kind} carries it`,
    );
  }
}

/** `wiring/numeric-port` when a monitor endpoint names its port by number. */
export function checkMonitorPorts(object: MonitorObject, at: SpecLocation, diagnostics: Diagnostics): void {
  const endpoints = (object.spec.endpoints ?? object.spec.podMetricsEndpoints ?? []) as Array<{ port?: unknown }>;
  endpoints.forEach((endpoint, i) => {
    const port = endpoint.port;
    if (typeof port === 'number' || (typeof port === 'string' && /^\d+$/.test(port)))
      diagnostics.error(
        'wiring/numeric-port',
        at,
        `${object.kind} ${object.metadata.name} endpoint ${i} selects port ${String(port)} by number; a monitor port is a port *name*, so it matches nothing`,
        'name the port in the Service/Pod spec (e.g. `metrics`) and set the source\'s `port.name` to that name',
      );
  });
}

function kindOfMonitor(object: MonitorObject): SelectedKind {
  return object.kind === 'ServiceMonitor' ? 'serviceMonitors' : 'podMonitors';
}

export const checkScrapeWiring = (model: Plan, diagnostics: Diagnostics): void => {
  const stack = model.stack.value;
  const byJob = new Map<string, string>();
  for (const target of model.scrapeTargets) {
    const at = { file: target.file, path: target.root };
    const { source } = target;
    const portProblem = portNameProblem(source);
    if (portProblem)
      diagnostics.error(
        'wiring/invalid-port-name',
        { file: target.file, path: `${target.root}.port.name` },
        `port name "${source.port.name}" is ${portProblem}`,
        'use a short name such as `metrics` and give the container/Service port the same name',
      );
    const previous = byJob.get(target.job);
    if (previous)
      diagnostics.error(
        'wiring/duplicate-job',
        { file: target.file, path: `${target.root}.job` },
        `sources ${previous} and ${source.name} both produce job="${target.job}"; their series and alerts would mix`,
        'give each scraped source its own `job`',
      );
    byJob.set(target.job, source.name);
    if (source.kubernetes && !stack.workloadNamespaces.includes(source.kubernetes.namespace))
      diagnostics.warning(
        'wiring/namespace-not-watched',
        { file: target.file, path: `${target.root}.kubernetes.namespace` },
        `${source.name} runs in namespace ${source.kubernetes.namespace}, which is not in stack.workloadNamespaces`,
        `add ${source.kubernetes.namespace} to stack.workloadNamespaces (and grant Prometheus access to it)`,
      );
    const spanMetricsPort = stack.tracing?.collector.prometheusPort;
    if (spanMetricsPort !== undefined && source.port.number !== spanMetricsPort && source.metrics.some((m) => m.name === spanMetricsCalls.name))
      diagnostics.error(
        'wiring/span-metrics-port',
        { file: target.file, path: `${target.root}.port.number` },
        `${source.name} scrapes port ${source.port.number}, but the generated collector config serves span metrics on ${spanMetricsPort} (stack.tracing.collector.prometheusPort)`,
        `deploy ${source.name} with \`port: { name: '${source.port.name}', number: ${spanMetricsPort} }\`, or set stack.tracing.collector.prometheusPort to ${source.port.number}`,
      );
    if (!source.kubernetes && !stack.plainPrometheus.staticTargets[source.name])
      diagnostics.error(
        'wiring/unscraped-source',
        at,
        `${source.name} is delivered by scrape but has neither a kubernetes block nor static targets: nothing scrapes it`,
        `add \`${source.name}: ['host:port']\` to stack.plainPrometheus.staticTargets, or describe where it runs in Kubernetes`,
      );
  }
  for (const name of Object.keys(stack.plainPrometheus.staticTargets)) {
    if (!model.scrapeTargets.some((t) => t.source.name === name))
      diagnostics.error(
        'wiring/unknown-source',
        locate(model.stack, `plainPrometheus.staticTargets.${name}`),
        `static targets are given for ${name}, which is not a scraped catalog source`,
        `use one of: ${model.scrapeTargets.map((t) => t.source.name).join(', ')}`,
      );
  }
  for (const { target, object } of monitorObjects(model.scrapeTargets, model.stack.value)) {
    const at = { file: target.file, path: target.root };
    checkSelectorLabels(object, kindOfMonitor(object), model, at, diagnostics);
    checkMonitorPorts(object, at, diagnostics);
  }
};

/** Literal values a `job` matcher can take, or undefined when its regex is not a plain alternation. */
function jobValues(op: string, value: string): string[] | undefined {
  if (op === '=') return [value];
  if (op === '=~' && /^[A-Za-z0-9_:\-/|]+$/.test(value) && !value.includes('||')) return value.split('|');
  return undefined;
}

/**
 * `wiring/unknown-job` for a `job` matcher no scrape job produces, `wiring/job-mismatch` when the job exists
 * but is not the one the selected metric's source is scraped under.
 */
export function checkJobMatchers(expr: string, model: Plan, at: SpecLocation, diagnostics: Diagnostics): void {
  const jobs = knownJobs(model);
  for (const selector of selectors(expr)) {
    for (const matcher of selector.matchers) {
      if (matcher.label !== 'job') continue;
      const values = jobValues(matcher.op, matcher.value);
      if (!values) continue;
      const unknown = values.filter((v) => !jobs.has(v));
      if (unknown.length === values.length) {
        diagnostics.error(
          'wiring/unknown-job',
          at,
          `job${matcher.op}"${matcher.value}" selects a job no monitor or scrape config produces`,
          `use one of the generated jobs: ${[...jobs].sort().join(', ')}`,
        );
        continue;
      }
      const family = selector.metric ? model.catalog.lookupSeries(selector.metric)?.metric : undefined;
      const source = family && family.source !== RECORDING_RULES_SOURCE ? model.catalog.source(family.source) : undefined;
      // Series Prometheus makes itself (`up`) carry the job of whichever target they describe.
      if (source && source.delivery !== 'prometheus' && matcher.op === '=' && source.job !== matcher.value)
        diagnostics.error(
          'wiring/job-mismatch',
          at,
          `${selector.metric} comes from ${source.name}, scraped as job="${source.job}", so job="${matcher.value}" matches no series`,
          `select job="${source.job}" or drop the job matcher`,
        );
    }
  }
}

export const checkRuleJobs = (model: Plan, diagnostics: Diagnostics): void => {
  for (const group of model.specs.rules) {
    group.value.rules.forEach((rule, i) => checkJobMatchers(rule.expr, model, locate(group, `rules[${i}].expr`), diagnostics));
  }
  for (const salvaged of model.salvaged?.rules ?? [])
    for (const { index, rule } of salvaged.value) checkJobMatchers(rule.expr, model, locate(salvaged, `rules[${index}].expr`), diagnostics);
};

/** Query fields of dashboard and SLO specs: PromQL strings, SLO window templates. */
const QUERY_FIELDS = new Set(['expr', 'errors', 'total', 'errorRatio']);

/**
 * Walks a spec value and checks every query string and every `matchers: { job: ... }` map it holds, so
 * dashboards and SLOs are held to the generated jobs without this check knowing their shapes.
 */
function checkSpecJobs(value: unknown, path: string, model: Plan, file: string, diagnostics: Diagnostics): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkSpecJobs(v, `${path}[${i}]`, model, file, diagnostics));
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [key, v] of Object.entries(value)) {
    const at = { file, path: `${path}.${key}` };
    if (QUERY_FIELDS.has(key) && typeof v === 'string') {
      checkJobMatchers(v.replaceAll('{{.window}}', '5m'), model, at, diagnostics);
    } else if (key === 'matchers' && v && typeof v === 'object' && !Array.isArray(v) && 'job' in v) {
      const job = (v as Record<string, unknown>).job;
      if (typeof job === 'string') checkJobMatchers(`up{job=${JSON.stringify(job)}}`, model, { file, path: `${at.path}.job` }, diagnostics);
    } else if (key !== 'metric' && key !== 'histogram') {
      checkSpecJobs(v, at.path, model, file, diagnostics);
    }
  }
}

export const checkDashboardAndSloJobs = (model: Plan, diagnostics: Diagnostics): void => {
  for (const located of [...model.specs.dashboard, ...model.specs.slos]) checkSpecJobs(located.value, located.root, model, located.file, diagnostics);
  // The valid panels and SLOs of declarations that failed their schema, at their places.
  for (const { value, file, root } of model.salvaged?.dashboards ?? [])
    for (const row of value.rows) for (const { index, panel } of row.panels) checkSpecJobs(panel, `${root}.rows[${row.index}].panels[${index}]`, model, file, diagnostics);
  for (const { value, file, root } of model.salvaged?.slos ?? []) for (const { index, slo } of value.slos) checkSpecJobs(slo, `${root}.slos[${index}]`, model, file, diagnostics);
};
