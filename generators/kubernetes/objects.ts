import { toYamlStream } from '../../src/emit/serialize.ts';
import type { Artifact } from '../../src/model/artifact.ts';
import type { SpecLocation } from '../../src/model/diagnostics.ts';
import { objectSize, type SizedObject } from '../../src/model/object-size.ts';

/** An object to write and the spec it came from. */
export interface LocatedObject {
  object: SizedObject;
  at: SpecLocation;
}

/** A file of Kubernetes objects (one YAML document each), every object measured for the size check. */
export function kubernetesArtifact(path: string, objects: readonly LocatedObject[], header: string): Artifact {
  return {
    path,
    body: toYamlStream(
      objects.map((o) => o.object),
      header,
    ),
    objects: objects.map(({ object, at }) => objectSize(object, at)),
  };
}
