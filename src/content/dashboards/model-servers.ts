import { vllm } from '../../catalog/vllm.ts';
import type { DashboardConfig } from './bundled.ts';

/** For dashboards that pick the model-server pods (GPU and autoscaling panels) by their namespace. */
export interface ModelServerDashboardConfig extends DashboardConfig {
  /** Namespace of the model-server pods; defaults to the selector's `namespace`, else the catalog's vLLM one. */
  modelServerNamespace?: string;
}

export function modelServerNamespace(config: ModelServerDashboardConfig): string {
  return config.modelServerNamespace ?? config.selector?.namespace ?? vllm.spec.kubernetes?.namespace ?? '';
}
