import { isKubernetesManifest } from '../conventions.ts';
import { EmbeddedDocument, type Artifact } from '../model/artifact.ts';
import type { Diagnostics, SpecLocation } from '../model/diagnostics.ts';
import { embeddedText } from './serialize.ts';
import {
  ANNOTATIONS_LIMIT_BYTES,
  OBJECT_LIMIT_BYTES,
  goJsonByteRange,
  goJsonBytes,
  objectSize,
  surelyWithinLimits,
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

function isObject(document: unknown): document is SizedObject {
  const object = document as Partial<SizedObject> | null;
  return typeof object?.kind === 'string' && typeof object.metadata?.name === 'string';
}

/** A ConfigMap's data as the API server stores it: embedded documents are strings by then. */
function asStored(object: SizedObject): SizedObject {
  const data = (object as { data?: Record<string, unknown> }).data;
  if (object.kind !== 'ConfigMap' || !data || !Object.values(data).some((v) => v instanceof EmbeddedDocument)) return object;
  return { ...object, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v instanceof EmbeddedDocument ? embeddedText(v) : v])) } as SizedObject;
}

/** The Kubernetes objects of an artifact as the API server stores them, each with the spec it came from. */
function storedObjects(artifact: Artifact): Array<{ object: SizedObject; at: SpecLocation }> {
  const origins = artifact.format === 'yaml-documents' ? artifact.origins : undefined;
  // Decided before the documents are read: a file built when written is no Kubernetes object.
  if (!origins && !isKubernetesManifest(artifact.path)) return [];
  const documents = artifact.format === 'yaml-documents' ? artifact.documents : artifact.format === 'yaml' ? [artifact.document] : [];
  return documents.flatMap((document, i) => {
    if (!isObject(document)) return [];
    const at = origins?.[i] ?? { file: artifact.path, path: `${document.kind}/${document.metadata.name}` };
    return [{ object: asStored(document), at }];
  });
}

/** The Kubernetes objects of an artifact, each measured as Kubernetes measures it. */
export function kubernetesObjects(artifact: Artifact): KubernetesObjectSize[] {
  return storedObjects(artifact).map(({ object, at }) => objectSize(object, at, goJsonBytes(object)));
}

export function checkObjectSizes(artifacts: readonly Artifact[], diagnostics: Diagnostics): void {
  for (const artifact of artifacts) {
    for (const stored of storedObjects(artifact)) {
      // Most objects are far from both limits, which their string lengths alone show.
      if (surelyWithinLimits(stored.object, goJsonByteRange(stored.object))) continue;
      const object = objectSize(stored.object, stored.at, goJsonBytes(stored.object));
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
