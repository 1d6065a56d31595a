import { z } from 'zod';
import { labelNameSchema } from './label-name.ts';
import { probeSpecSchema, probingSchema } from './probes.ts';
import { DEFAULT_TARGETS, targetsSchema } from './targets.ts';
import { tracingSpecSchema } from './tracing.ts';

/**
 * Settings of the monitoring stack the output is generated for. Every generated CR carries the labels
 * these selectors need, and every rule selects the `job` labels the scrape wiring produces.
 */
export const stackSpecSchema = z.strictObject({
  /** Namespace of the generated CRs and ConfigMaps. */
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/),
  /** What the cluster runs; only the artifacts these targets consume are written (see targets.ts). */
  targets: targetsSchema.default(() => ({ ...DEFAULT_TARGETS })),
  /** Namespaces the monitored workloads run in. */
  workloadNamespaces: z.array(z.string()).min(1),
  /** Prometheus major version: decides `le` spelling (3.x normalises `1` to `1.0`) and config keys. */
  prometheusMajor: z.union([z.literal(2), z.literal(3)]).default(3),
  /** kube-prometheus-stack release name, when the Prometheus CR uses the chart's default selectors. */
  kubePrometheusStackRelease: z.string().optional(),
  /** Labels the Prometheus CR's ruleSelector / serviceMonitorSelector / podMonitorSelector match. */
  selectors: z
    .strictObject({
      rules: z.record(z.string(), z.string()).default({}),
      serviceMonitors: z.record(z.string(), z.string()).default({}),
      podMonitors: z.record(z.string(), z.string()).default({}),
      probes: z.record(z.string(), z.string()).default({}),
      /** Labels the Alertmanager CR's alertmanagerConfigSelector matches. */
      alertmanagerConfigs: z.record(z.string(), z.string()).default({}),
    })
    .default({ rules: {}, serviceMonitors: {}, podMonitors: {}, probes: {}, alertmanagerConfigs: {} }),
  /**
   * How the operator scopes an AlertmanagerConfig: `OnNamespace` (its default) adds a
   * `namespace="<CR namespace>"` matcher to the CR's top route; `None` routes alerts from every namespace.
   */
  alertmanagerConfigMatcherStrategy: z.enum(['OnNamespace', 'OnNamespaceExceptForAlertmanagerNamespace', 'None']).default('None'),
  /** Settings of the plain (non-operator) prometheus.yml. */
  plainPrometheus: z
    .strictObject({
      /** Fixed `host:port` targets per catalog source; sources without any are found through pod annotations. */
      staticTargets: z.record(z.string(), z.array(z.string()).min(1)).default({}),
      /** Directory the rule files are mounted at, as `rule_files` sees it. */
      ruleDir: z.string().default('rules'),
      /** A central Prometheus that federates the generated jobs from the cluster Prometheus instances. */
      federation: z
        .strictObject({
          jobName: z.string().default('federate'),
          /** `host:port` of each cluster Prometheus. */
          targets: z.array(z.string()).min(1),
          scrapeInterval: z.string().default('1m'),
        })
        .optional(),
    })
    .default({ staticTargets: {}, ruleDir: 'rules' }),
  /** Public endpoints probed through the blackbox exporter (see probes.ts). */
  probes: z
    .array(probeSpecSchema)
    .default([])
    .refine((probes) => new Set(probes.map((p) => p.name)).size === probes.length, 'probe names must be unique'),
  /** Where and how often the probes run. */
  probing: probingSchema.default({ interval: '30s' }),
  /** Labels every generated object carries (`app.kubernetes.io/part-of`, ...). */
  commonLabels: z.record(z.string(), z.string()).default({}),
  /** Prometheus external labels for cross-cluster comparison. */
  externalLabels: z.record(z.string(), z.string()).default({}),
  /**
   * Rules evaluated above the clusters: by a global Prometheus over the series every cluster federates or
   * remote-writes up, by Thanos Ruler over Thanos Query, or by Mimir's ruler. Each series arrives with its
   * cluster's external labels; every aggregation in the generated rules keeps `clusterLabels`, so an alert
   * says which cluster it fired for, and every dashboard gets a variable per label.
   */
  global: z
    .strictObject({
      /** The external labels each cluster's Prometheus sets (`external_labels`) that tell clusters apart. */
      clusterLabels: z.array(labelNameSchema).min(1),
      /** What evaluates the rules; Thanos Ruler and Mimir's ruler also get rule files in their own format. */
      ruler: z.enum(['prometheus', 'thanos', 'mimir']).default('prometheus'),
      /**
       * Thanos Ruler: what a rule does when a store does not answer. `abort` (Thanos' default) fails the
       * evaluation, so a cluster that cannot be reached never looks healthy; `warn` evaluates what answered.
       */
      partialResponseStrategy: z.enum(['abort', 'warn']).default('abort'),
    })
    .optional(),
  evaluationInterval: z.string().default('30s'),
  alertmanagerUrl: z.string().url(),
  /**
   * Prometheus as Grafana reaches it, for the provisioned datasource. Defaults to the Service
   * prometheus-operator creates for every Prometheus (`prometheus-operated`, port 9090) in `namespace`.
   */
  prometheusUrl: z.string().url().optional(),
  lokiUrl: z.string().url().optional(),
  /** The tracing backend: an OpenTelemetry Collector config and a linked trace datasource are written for it. */
  tracing: tracingSpecSchema.optional(),
  /** Base URL of the runbook pages (out/docs/runbooks/*.md once published). */
  runbookBaseUrl: z.string().url(),
  /** Base URL of Grafana, for dashboard links in alerts. */
  grafanaUrl: z.string().url().optional(),
  /** How this repository regenerates its output; named in every generated file's header. */
  generateCommand: z.string().min(1).default('npx infermon generate'),
});
export type StackSpec = z.input<typeof stackSpecSchema>;
export type Stack = z.output<typeof stackSpecSchema>;

/** The governing Service prometheus-operator creates for the Prometheus pods it runs (prometheus-operator v0.93). */
const OPERATOR_PROMETHEUS_SERVICE = { name: 'prometheus-operated', port: 9090 } as const;

/** Where Grafana reaches Prometheus: the stack's `prometheusUrl`, else the operator's Service when an operator runs. */
export function grafanaPrometheusUrl(stack: Stack, operatorRuns: boolean): string | undefined {
  if (stack.prometheusUrl) return stack.prometheusUrl;
  return operatorRuns ? `http://${OPERATOR_PROMETHEUS_SERVICE.name}.${stack.namespace}.svc:${OPERATOR_PROMETHEUS_SERVICE.port}` : undefined;
}

/** Labels the series carry beyond their targets' own: the stack's external labels and, above the clusters, the cluster labels. */
export function seriesLabelsAddedAbove(stack: Stack): string[] {
  return [...new Set([...Object.keys(stack.externalLabels), ...(stack.global?.clusterLabels ?? [])])];
}

/** The labels every generated rule keeps through its aggregations: the cluster labels when rules run above the clusters. */
export function ruleKeptLabels(stack: Stack): readonly string[] {
  return stack.global?.clusterLabels ?? [];
}
