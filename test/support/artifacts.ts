import { artifactText } from '../../src/emit/render.ts';
import type { Artifact } from '../../src/model/artifact.ts';

/** The text of an artifact that may not have been generated. */
export function maybeText(artifact: Artifact | undefined): string | undefined {
  return artifact ? artifactText(artifact) : undefined;
}
