import { parseAllDocuments } from 'yaml';
import { isKubernetesManifest } from '../conventions.ts';
import type { Artifact } from '../model/artifact.ts';
import type { Diagnostics } from '../model/diagnostics.ts';
import {
  ANNOTATIONS_LIMIT_BYTES,
  OBJECT_LIMIT_BYTES,
  objectSize,
  type KubernetesObjectSize,
  type SizedObject,
} from '../model/object-size.ts';

/**
 * Every generated Kubernetes object against the limits it is applied under. Generators split what they
 * can (a PrometheusRule per group, a PrometheusServiceLevel per SLO), so what is still too large is
 * reported: above 1 MiB nothing applies it (error); above the 256 KiB of annotations client-side
 * `kubectl apply` needs for its last-applied copy, only server-side apply does (warning).
 */

const SERVER_SIDE_APPLY = 'apply it with server-side apply (`kubectl apply --server-side -k`, Argo CD sync option `ServerSideApply=true`)';

const SPLIT_ADVICE: Record<string, string> = {
  PrometheusRule: 'split its rule group into smaller groups (each group gets its own PrometheusRule once a file is too large)',
  ConfigMap: 'split the dashboard or rule group it carries into smaller ones',
  PrometheusServiceLevel: 'split the SLO service into smaller services',
};

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** The objects of an artifact: as its generator measured them, else read back from its text. */
function objectsOf(artifact: Artifact): KubernetesObjectSize[] {
  if (artifact.objects) return [...artifact.objects];
  return parseAllDocuments(artifact.body).flatMap((doc) => {
    const object = doc.toJS() as SizedObject | null;
    if (!object?.kind || !object.metadata?.name) return [];
    return [objectSize(object, { file: artifact.path, path: `${object.kind}/${object.metadata.name}` })];
  });
}

export function checkObjectSizes(artifacts: readonly Artifact[], diagnostics: Diagnostics): void {
  for (const artifact of artifacts) {
    if (!artifact.objects && !isKubernetesManifest(artifact.path)) continue;
    for (const object of objectsOf(artifact)) {
      const what = `${object.kind} ${object.name} (out/${artifact.path})`;
      const split = SPLIT_ADVICE[object.kind] ?? 'split it into smaller objects';
      if (object.bytes > OBJECT_LIMIT_BYTES)
        diagnostics.error(
          'kubernetes/object-too-large',
          object.at,
          `${what} is ${kib(object.bytes)}, over the 1 MiB an object may have: no way of applying it succeeds`,
          split,
        );
      else if (object.annotationBytes > ANNOTATIONS_LIMIT_BYTES)
        diagnostics.warning(
          'kubernetes/object-too-large',
          object.at,
          `${what} needs ${kib(object.annotationBytes)} of annotations once client-side \`kubectl apply\` adds its last-applied copy, over the 256 KiB limit: \`kubectl apply -k\` and a default Argo CD sync fail on it`,
          `${split}, or ${SERVER_SIDE_APPLY}`,
        );
    }
  }
}
