import { deploySource } from '../../model/spec.ts';
import { sglang } from '../sglang.ts';
import { vllm } from '../vllm.ts';
import { factsAt, named, type ConfirmedFacts } from './confirmed.ts';

/**
 * Model runtimes an Arks operator runs for an ArksApplication. The operator fronts each application's
 * leader pods with a Service labelled for its own `runtime-monitor` ServiceMonitor, which selects those
 * labels in every namespace. That monitor also strips the `vllm:`/`sglang:` prefix off every series and
 * renames SGLang's queue gauges to vLLM's; this preset scrapes the same Services but keeps the names the
 * runtimes expose, which is what the catalog, the bundled rules and the dashboards read.
 */

export const ARKS_VERSIONS = ['main@e1732a9'] as const;
export type ArksVersion = (typeof ARKS_VERSIONS)[number];

interface ArksRuntimeFacts {
  serviceLabels: Record<string, string>;
  /** The pod label marking the leader pod of each group, the one that serves. */
  leader: Record<string, string>;
  port: { name: string; number: number };
}

// scitix/arks main at e1732a9: config/prometheus/monitor-runtime.yaml selects Services labelled
// managed-by: arks, prometheus-discovery: "true" on port http in any namespace; the ArksApplication
// controller (internal/controller/arksapplication_controller.go) creates Service arks-application-<name>
// with those labels, port 8080 named http, selecting arks.ai/application: <name> and
// arks.ai/work-load-role: leader (api/v1 labels); vLLM and SGLang leaders listen on --port 8080, SGLang
// always with --enable-metrics.
const RUNTIME: ReadonlyArray<ConfirmedFacts<ArksVersion, ArksRuntimeFacts>> = [
  {
    versions: ARKS_VERSIONS,
    facts: {
      serviceLabels: { 'managed-by': 'arks', 'prometheus-discovery': 'true' },
      leader: { 'arks.ai/work-load-role': 'leader' },
      port: { name: 'http', number: 8080 },
    },
  },
];

export interface ArksRuntimeOptions {
  version?: ArksVersion;
  /** The engine the ArksApplication runs (`spec.runtime`); Arks defaults to vLLM. */
  runtime?: 'vllm' | 'sglang';
  /** The namespace of the ArksApplications. */
  namespace?: string;
  name?: string;
}

export const arksPresets = {
  /**
   * The leader pods of every ArksApplication of one runtime in a namespace, through the Services the
   * operator creates for them.
   */
  runtime(options: ArksRuntimeOptions = {}) {
    const { version = 'main@e1732a9', runtime = 'vllm', namespace = 'default', name } = options;
    const facts = factsAt('Arks', RUNTIME, version);
    const deployment = { ...named(name ?? `arks-${runtime}`), namespace, serviceLabels: facts.serviceLabels, podLabels: facts.leader, port: facts.port };
    return runtime === 'sglang' ? deploySource(sglang, deployment) : deploySource(vllm, deployment);
  },
};
