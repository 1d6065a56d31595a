import type { KubernetesObjectSize } from './object-size.ts';

/**
 * What generators return: a path under out/ and the exact bytes to write there.
 * Generators are pure; only src/emit touches the file system.
 */
export interface Artifact {
  /** POSIX path relative to the output root, e.g. `prometheus/rules/vllm.yml`. */
  path: string;
  body: string;
  /**
   * The Kubernetes objects in `body`, one per YAML document, measured by the generator that built them,
   * so the size check need not parse the text back.
   */
  objects?: readonly KubernetesObjectSize[];
}
