import { OUT, generatedHeader } from '../../src/conventions.ts';
import { toYaml } from '../../src/emit/serialize.ts';
import type { Artifact } from '../../src/model/artifact.ts';
import type { Model } from '../../src/model/model.ts';
import { monitorObjects } from '../../src/model/monitors.ts';

/** The ServiceMonitors and PodMonitors of the scrape plan, one file each. */

export const SERVICE_MONITOR_DIR = `${OUT.kubernetes}/service-monitors`;
export const POD_MONITOR_DIR = `${OUT.kubernetes}/pod-monitors`;

export function monitorsGenerator(model: Model): Artifact[] {
  return monitorObjects(model).map(({ target, object }) => ({
    path: `${object.kind === 'ServiceMonitor' ? SERVICE_MONITOR_DIR : POD_MONITOR_DIR}/${object.metadata.name}.yaml`,
    body: toYaml(object, generatedHeader(model.stack.value, [target.file, model.stack.file])),
  }));
}
