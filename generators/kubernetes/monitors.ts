import { OUT } from '../../src/conventions.ts';
import { fileHeader, type Artifact } from '../../src/model/artifact.ts';
import type { Model } from '../../src/model/model.ts';
import { monitorObjects } from '../../src/model/monitors.ts';
import { runsPrometheusOperator } from '../../src/model/targets.ts';
import { kubernetesArtifact } from './objects.ts';

/** The ServiceMonitors and PodMonitors of the scrape plan, one file each, for clusters with the operator. */

export const SERVICE_MONITOR_DIR = `${OUT.kubernetes}/service-monitors`;
export const POD_MONITOR_DIR = `${OUT.kubernetes}/pod-monitors`;

export function monitorsGenerator(model: Model): Artifact[] {
  if (!runsPrometheusOperator(model.stack.value.targets)) return [];
  return monitorObjects(model).map(({ target, object }) =>
    kubernetesArtifact(
      `${object.kind === 'ServiceMonitor' ? SERVICE_MONITOR_DIR : POD_MONITOR_DIR}/${object.metadata.name}.yaml`,
      [{ object, at: { file: target.file, path: target.root } }],
      fileHeader(model.stack.value, [target.file, model.stack.file]),
    ),
  );
}
