import type { Artifact } from '../../src/model/artifact.ts';
import type { Plan } from '../../src/plan/index.ts';
import { dashboardJson } from './dashboard.ts';
import { dashboardsDoc } from './docs.ts';
import { dashboardConfigMap, dashboardFile, provisioningFile } from './envelopes.ts';

export { dashboardQueries } from './queries.ts';

/** Grafana dashboards: JSON files, sidecar ConfigMaps, file provisioning, and their documentation. */
export function generateDashboards(model: Plan): Artifact[] {
  const dashboards = model.dashboards;
  if (dashboards.length === 0) return [];
  const artifacts: Artifact[] = [];
  for (const dashboard of dashboards) {
    const json = dashboardJson(dashboard, dashboards);
    artifacts.push(dashboardFile(dashboard, json), dashboardConfigMap(dashboard, json, model.stack.value));
  }
  artifacts.push(provisioningFile(dashboards, model.stack.value), dashboardsDoc(dashboards, model));
  return artifacts;
}
