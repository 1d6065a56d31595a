import { z } from 'zod';
import { vllm } from '../../catalog/vllm.ts';
import type { DashboardConfig } from './bundled.ts';
import { dashboardConfigFields } from '../options.ts';

/** For dashboards that pick the model-server pods (GPU and autoscaling panels) by their namespace. */
export interface ModelServerDashboardConfig extends DashboardConfig {
  /** Namespace of the model-server pods; defaults to the selector's `namespace`, else the catalog's vLLM one. */
  modelServerNamespace?: string;
}

export const modelServerDashboardConfigFields = { ...dashboardConfigFields, modelServerNamespace: z.string().min(1).optional() };
export const modelServerDashboardConfigSchema = z.strictObject(modelServerDashboardConfigFields);

export function modelServerNamespace(config: ModelServerDashboardConfig): string {
  return config.modelServerNamespace ?? config.selector?.namespace ?? vllm.spec.kubernetes?.namespace ?? '';
}
