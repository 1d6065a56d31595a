import type { Stack } from '../../src/model/stack.ts';
import { KUSTOMIZATION, OUT, isKubernetesManifest } from '../../src/conventions.ts';
import { fileHeader, type Artifact } from '../../src/model/artifact.ts';

const K8S_PREFIX = `${OUT.kubernetes}/`;

/**
 * `out/kubernetes/kustomization.yaml` over every generated object, so `kubectl apply -k out/kubernetes`
 * applies them all. `paths` are relative to out/kubernetes; values files and the kustomization itself are
 * left out, and the list is sorted so the output never depends on generator order.
 */
export function kustomizationArtifact(paths: readonly string[], stack: Stack): Artifact {
  const resources = [...new Set(paths)]
    .map((p) => (p.startsWith(K8S_PREFIX) ? p : `${K8S_PREFIX}${p}`))
    .filter(isKubernetesManifest)
    .map((p) => p.slice(K8S_PREFIX.length))
    .sort();
  const document = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources,
  };
  return { path: KUSTOMIZATION, format: 'yaml', document, header: fileHeader(stack, ['specs/']) };
}
