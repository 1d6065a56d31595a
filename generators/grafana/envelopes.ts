import {
  GRAFANA_DASHBOARD_LABEL,
  GRAFANA_DASHBOARDS_MOUNT,
  GRAFANA_FOLDER,
  GRAFANA_FOLDER_ANNOTATION,
  MANAGED_BY_LABEL,
  OUT,
  TOOL,
  grafanaDashboardConfigMapName,
} from '../../src/conventions.ts';
import { EmbeddedDocument, fileHeader, type Artifact } from '../../src/model/artifact.ts';
import type { Stack } from '../../src/model/stack.ts';
import { sortKeys } from '../../src/model/sort-keys.ts';
import { kubernetesArtifact } from '../kubernetes/objects.ts';
import type { DashboardJson } from './dashboard.ts';
import type { ResolvedDashboard } from '../../src/grafana/resolve.ts';

/** One dashboard built once, wrapped three ways: a JSON file, a sidecar ConfigMap, and the file provider. */

export function dashboardFileName(id: string): string {
  return `${id}.json`;
}

export function dashboardFile(dashboard: ResolvedDashboard, json: DashboardJson): Artifact {
  return { path: `${OUT.grafanaDashboards}/${dashboardFileName(dashboard.spec.id)}`, format: 'json', document: json };
}

/** A ConfigMap the kube-prometheus-stack Grafana sidecar imports into the folder named by its annotation. */
export function dashboardConfigMap(dashboard: ResolvedDashboard, json: DashboardJson, stack: Stack): Artifact {
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: grafanaDashboardConfigMapName(dashboard.spec.id),
      namespace: stack.namespace,
      labels: sortKeys({ ...stack.commonLabels, ...MANAGED_BY_LABEL, ...GRAFANA_DASHBOARD_LABEL }),
      annotations: { [GRAFANA_FOLDER_ANNOTATION]: GRAFANA_FOLDER },
    },
    data: { [dashboardFileName(dashboard.spec.id)]: new EmbeddedDocument('json', json) },
  };
  return kubernetesArtifact(`${OUT.grafanaDashboardConfigMaps}/${dashboard.spec.id}.yaml`, [{ object: configMap, at: dashboard.at }], fileHeader(stack, [dashboard.at.file]));
}

/** Grafana file provisioning: the dashboards directory mounted at GRAFANA_DASHBOARDS_MOUNT, in one folder. */
export function provisioningFile(dashboards: readonly ResolvedDashboard[], stack: Stack): Artifact {
  const provisioning = {
    apiVersion: 1,
    providers: [
      {
        name: TOOL,
        orgId: 1,
        folder: GRAFANA_FOLDER,
        type: 'file',
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 60,
        options: { path: GRAFANA_DASHBOARDS_MOUNT, foldersFromFilesStructure: false },
      },
    ],
  };
  return {
    path: `${OUT.grafanaProvisioning}/dashboards.yaml`,
    format: 'yaml',
    document: provisioning,
    header: fileHeader(stack, dashboards.map((d) => d.at.file)),
  };
}
