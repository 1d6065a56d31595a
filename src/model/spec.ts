import type { z } from 'zod';
import { sourceSpecSchema, type SourceSpec } from './catalog.ts';
import { ruleGroupSpecSchema, type RuleGroupSpec } from './rules.ts';
import { stackSpecSchema, type StackSpec } from './stack.ts';
import { routingSpecSchema, type RoutingSpec } from './routing.ts';
import { logsSpecSchema, type LogsSpec } from './logs.ts';
import { dashboardSpecSchema, type DashboardSpec } from './dashboard.ts';
import { sloServiceSpecSchema, type SloServiceSpec } from './slo.ts';
import type { SchemaProblem } from './schema-issues.ts';

/**
 * Every kind of spec a file under specs/ can export, with the schema that normalises it. A spec file
 * exports values made by the `define*` functions below; the loader finds them by their `kind`.
 */
export const SPEC_KINDS = {
  source: sourceSpecSchema,
  rules: ruleGroupSpecSchema,
  stack: stackSpecSchema,
  routing: routingSpecSchema,
  logs: logsSpecSchema,
  dashboard: dashboardSpecSchema,
  slos: sloServiceSpecSchema,
} as const satisfies Record<string, z.ZodType>;

export type SpecKind = keyof typeof SPEC_KINDS;
export type SpecOutput<K extends SpecKind> = z.output<(typeof SPEC_KINDS)[K]>;

/** Options a bundled factory could not take: the loader reports each and keeps the declaration out. */
export interface RejectedOptions {
  factory: string;
  problems: SchemaProblem[];
}

export interface SpecDeclaration<K extends SpecKind = SpecKind> {
  kind: K;
  spec: z.input<(typeof SPEC_KINDS)[K]>;
  rejectedOptions?: RejectedOptions;
}

export function isSpecDeclaration(value: unknown): value is SpecDeclaration {
  return (
    typeof value === 'object' &&
    value !== null &&
    'kind' in value &&
    'spec' in value &&
    typeof (value as { kind: unknown }).kind === 'string' &&
    (value as { kind: string }).kind in SPEC_KINDS
  );
}

export const defineSource = <const S extends SourceSpec>(spec: S) => ({ kind: 'source' as const, spec });

/** Where and how one deployment of a catalog source runs; everything left out keeps the catalog's value. */
export interface SourceDeployment {
  /** Unique per deployment; names the generated monitor. Defaults `job` to the same value. */
  name?: string;
  job?: string;
  namespace?: string;
  serviceLabels?: Record<string, string>;
  podLabels?: Record<string, string>;
  honorLabels?: boolean;
  annotationsOn?: 'pod' | 'service';
  port?: { name: string; number: number };
  path?: string;
  scrapeInterval?: string;
  /** The upstream release this deployment runs, one of the source's `history.releases`; queries are checked against it. */
  version?: string;
}

type KubernetesSpec = NonNullable<SourceSpec['kubernetes']>;

/** The source's Kubernetes block with the deployment's changes; a source without one gets it from namespace and pod labels. */
function deployedKubernetes(base: KubernetesSpec | undefined, deployment: SourceDeployment): KubernetesSpec | undefined {
  const { namespace, serviceLabels, podLabels, honorLabels, annotationsOn } = deployment;
  const start = base ?? (namespace !== undefined && podLabels !== undefined ? { namespace, podLabels } : undefined);
  if (!start) return undefined;
  return {
    ...start,
    ...(namespace ? { namespace } : {}),
    ...(serviceLabels ? { serviceLabels } : {}),
    ...(podLabels ? { podLabels } : {}),
    ...(honorLabels !== undefined ? { honorLabels } : {}),
    ...(annotationsOn ? { annotationsOn } : {}),
  };
}

/**
 * One deployment of a catalog source: the same metric families under this deployment's name, job,
 * namespace, labels and port. Deploy a source several times (two vLLM fleets in two namespaces) and each
 * gets its own monitor while queries share the families.
 */
export function deploySource<const S extends SourceSpec>(source: { kind: 'source'; spec: S }, deployment: SourceDeployment) {
  const { name, job, port, path, scrapeInterval, version } = deployment;
  const base = source.spec;
  const kubernetes = deployedKubernetes(base.kubernetes, deployment);
  const spec = {
    ...base,
    ...(name ? { name, job: name } : {}),
    ...(job ? { job } : {}),
    ...(port ? { port } : {}),
    ...(path ? { path } : {}),
    ...(scrapeInterval ? { scrapeInterval } : {}),
    ...(version ? { version } : {}),
    ...(kubernetes ? { kubernetes } : {}),
  };
  return { kind: 'source' as const, spec: spec as S };
}
export const defineRuleGroup = (spec: RuleGroupSpec) => ({ kind: 'rules' as const, spec });
export const defineStack = (spec: StackSpec) => ({ kind: 'stack' as const, spec });
export const defineRouting = (spec: RoutingSpec) => ({ kind: 'routing' as const, spec });
export const defineLogs = (spec: LogsSpec) => ({ kind: 'logs' as const, spec });
export const defineDashboard = (spec: DashboardSpec) => ({ kind: 'dashboard' as const, spec });
export const defineSlos = (spec: SloServiceSpec) => ({ kind: 'slos' as const, spec });
