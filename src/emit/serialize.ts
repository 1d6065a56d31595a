import { Document } from 'yaml';
import { fastYaml } from './yaml-fast.ts';

/**
 * Serialisation shared by every generator: deterministic, unfolded YAML with LF endings and a trailing
 * newline; JSON with two-space indent. Key order is the order of the object passed in; callers sort
 * keys where order carries no meaning (`sortKeys`).
 */
export function toYaml(value: unknown, header = ''): string {
  return header + (fastYaml(value) ?? libraryYaml(value));
}

/** The `yaml` library's rendering: the reference the fast path is held to. */
export function libraryYaml(value: unknown): string {
  // Shared objects are written out in full: anchors and aliases confuse people and some YAML consumers.
  const doc = new Document(value, { keepUndefined: false, aliasDuplicateObjects: false });
  return doc.toString({ lineWidth: 0, minContentWidth: 0, indentSeq: true, singleQuote: false });
}

/** Several YAML documents in one file (`---` separated). */
export function toYamlStream(values: readonly unknown[], header = ''): string {
  return header + values.map((v) => toYaml(v)).join('---\n');
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}


