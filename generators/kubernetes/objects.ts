import type { FileHeader, YamlDocumentsArtifact } from '../../src/model/artifact.ts';
import type { SpecLocation } from '../../src/model/diagnostics.ts';
import type { SizedObject } from '../../src/model/object-size.ts';

/** An object to write and the spec it came from. */
export interface LocatedObject {
  object: SizedObject;
  at: SpecLocation;
}

/** A file of Kubernetes objects (one YAML document each), each with the spec a size diagnostic points at. */
export function kubernetesArtifact(path: string, objects: readonly LocatedObject[], header: FileHeader): YamlDocumentsArtifact {
  return {
    path,
    format: 'yaml-documents',
    documents: objects.map((o) => o.object),
    header,
    origins: objects.map((o) => o.at),
  };
}
