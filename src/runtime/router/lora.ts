import { RouterError } from './errors.ts';
import type { CandidateTarget, ModelRoute, ModelServer, PodState } from './topology.ts';

/**
 * Whether a pod serves a LoRA adapter: known from the configuration or from the pod's own model list;
 * undefined while the pod's list has not been read and the configuration does not say.
 */
export function servesAdapter(pod: PodState, adapter: string): boolean | undefined {
  if (pod.config.loraAdapters.includes(adapter)) return true;
  return pod.servedModels?.has(adapter);
}

/** A disaggregated server needs a prefill and a decode pod; an aggregated one any pod. */
function canServe(server: ModelServer, pods: readonly PodState[]): boolean {
  if (!server.disaggregated) return pods.length > 0;
  return pods.some((p) => p.config.role === 'prefill') && pods.some((p) => p.config.role === 'decode');
}

/**
 * The route's targets narrowed to the pods that can answer the request. A base-model request may go to
 * any pod. A request for an adapter goes only to pods known to serve it: a pod that does not would answer
 * 404, and a 4xx is not retried on another pod. When no pod can, the client is told why.
 */
export function candidateTargets(route: ModelRoute, adapter: string | undefined): readonly CandidateTarget[] {
  if (adapter === undefined) return route.baseCandidates;
  const candidates: CandidateTarget[] = [];
  let unknown = 0;
  for (const target of route.targets) {
    const pods = target.server.pods.filter((p) => servesAdapter(p, adapter) === true);
    unknown += target.server.pods.filter((p) => servesAdapter(p, adapter) === undefined).length;
    if (canServe(target.server, pods)) candidates.push({ ...target, pods });
  }
  if (candidates.length > 0) return candidates;
  const servers = route.targets.map((t) => t.server.key).join(', ');
  if (unknown > 0)
    throw new RouterError(
      503,
      'pod_discovery',
      'lora_not_known',
      `no pod of ${servers} is known to serve LoRA adapter \`${adapter}\` yet (${unknown} pod model lists not read)`,
    );
  throw new RouterError(404, 'pod_discovery', 'lora_not_served', `no pod of ${servers} serves LoRA adapter \`${adapter}\``);
}
