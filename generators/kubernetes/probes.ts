import { OUT, k8sName } from '../../src/conventions.ts';
import { fileHeader, type Artifact } from '../../src/model/artifact.ts';
import type { Model } from '../../src/model/model.ts';
import type { SizedObject } from '../../src/model/object-size.ts';
import { PROBE_JOB, blackboxExporterAddress, type Probe } from '../../src/model/probes.ts';
import { objectLabels } from '../../src/model/scrape.ts';
import type { Stack } from '../../src/model/stack.ts';
import { runsPrometheusOperator } from '../../src/model/targets.ts';
import { kubernetesArtifact } from './objects.ts';

/**
 * One Probe CR per probed endpoint, for clusters with the operator. `jobName` pins `job` to the same
 * value the plain probe job uses, and the static label `probe` names the endpoint, so the probe alerts
 * select the same series whichever Prometheus runs them.
 */

export const PROBE_DIR = `${OUT.kubernetes}/probes`;

export interface ProbeObject extends SizedObject {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'Probe';
  spec: Record<string, unknown>;
}

export function probeObject(probe: Probe, stack: Stack): ProbeObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'Probe',
    metadata: { name: k8sName(probe.name), namespace: stack.namespace, labels: objectLabels(stack, 'probes') },
    spec: {
      jobName: PROBE_JOB,
      interval: stack.probing.interval,
      module: probe.module,
      prober: { url: blackboxExporterAddress(stack), path: '/probe', scheme: 'http' },
      targets: { staticConfig: { static: [probe.url], labels: { probe: probe.name } } },
    },
  };
}

export function probesGenerator(model: Model): Artifact[] {
  const stack = model.stack.value;
  if (!runsPrometheusOperator(stack.targets)) return [];
  return stack.probes.map((probe, i) => {
    const object = probeObject(probe, stack);
    return kubernetesArtifact(
      `${PROBE_DIR}/${object.metadata.name}.yaml`,
      [{ object, at: { file: model.stack.file, path: `probes.${i}` } }],
      fileHeader(stack, [model.stack.file]),
    );
  });
}
