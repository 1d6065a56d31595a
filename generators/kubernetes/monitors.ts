import { OUT } from '../../src/conventions.ts';
import { fileHeader, type Artifact } from '../../src/model/artifact.ts';
import { monitorObjects } from '../../src/model/monitors.ts';
import { runsPrometheusOperator } from '../../src/model/targets.ts';
import { kubernetesArtifact } from './objects.ts';
import type { Plan } from '../../src/plan/index.ts';

/** The ServiceMonitors and PodMonitors of the scrape plan, one file each, for clusters with the operator. */

export const SERVICE_MONITOR_DIR = `${OUT.kubernetes}/service-monitors`;
export const POD_MONITOR_DIR = `${OUT.kubernetes}/pod-monitors`;

export function monitorsGenerator(model: Plan): Artifact[] {
  if (!runsPrometheusOperator(model.stack.value.targets)) return [];
  return monitorObjects(model.scrapeTargets, model.stack.value).map(({ target, object }) =>
    kubernetesArtifact(
      `${object.kind === 'ServiceMonitor' ? SERVICE_MONITOR_DIR : POD_MONITOR_DIR}/${object.metadata.name}.yaml`,
      [{ object, at: { file: target.file, path: target.root } }],
      fileHeader(model.stack.value, [target.file, model.stack.file]),
    ),
  );
}
