import { GRAFANA_LOKI_DATASOURCE_UID, OUT, generatedHeader } from '../../src/conventions.ts';
import { toYaml } from '../../src/emit/serialize.ts';
import type { Artifact } from '../../src/model/artifact.ts';
import type { Model } from '../../src/model/model.ts';
import { grafanaPrometheusUrl } from '../../src/model/stack.ts';
import { runsPrometheusOperator } from '../../src/model/targets.ts';
import { lokiUrl } from '../../src/model/logs.ts';

/**
 * The datasources the dashboards and log queries read: Prometheus (panels pick it through the
 * dashboards' datasource variable) and Loki when the stack names one. UIDs are fixed so links and
 * provisioned alerts can name them.
 */

export interface GrafanaDatasource {
  name: string;
  type: 'prometheus' | 'loki';
  uid: string;
  access: 'proxy';
  url: string;
  isDefault: boolean;
}

export const DATASOURCES_FILE = `${OUT.grafanaProvisioning}/datasources.yaml`;

export function prometheusDatasource(model: Model): GrafanaDatasource | undefined {
  const stack = model.stack.value;
  const url = grafanaPrometheusUrl(stack, runsPrometheusOperator(stack.targets));
  return url ? { name: 'Prometheus', type: 'prometheus', uid: 'prometheus', access: 'proxy', url, isDefault: true } : undefined;
}

export function lokiDatasource(model: Model): GrafanaDatasource | undefined {
  const [logs] = model.specs.logs;
  const url = logs ? lokiUrl(logs.value, model.stack.value) : model.stack.value.lokiUrl;
  return url ? { name: 'Loki', type: 'loki', uid: GRAFANA_LOKI_DATASOURCE_UID, access: 'proxy', url, isDefault: false } : undefined;
}

/** out/grafana/provisioning/datasources.yaml, Grafana's datasource provisioning format. */
export function datasourcesGenerator(model: Model): Artifact[] {
  const datasources = [prometheusDatasource(model), lokiDatasource(model)].filter((d) => d !== undefined);
  if (datasources.length === 0) return [];
  const files = [model.stack.file, ...model.specs.logs.map((l) => l.file)];
  return [{ path: DATASOURCES_FILE, body: toYaml({ apiVersion: 1, datasources }, generatedHeader(model.stack.value, files)) }];
}
