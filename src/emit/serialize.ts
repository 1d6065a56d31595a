import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { EmbeddedDocument } from '../model/artifact.ts';
import { toJson } from './json.ts';
import { fastYamlChunks } from './yaml-fast.ts';

export { toJson } from './json.ts';

/**
 * Serialisation of every generated document: deterministic, unfolded YAML with LF endings and a trailing
 * newline; JSON with two-space indent. Key order is the order of the object passed in; generators sort
 * keys where order carries no meaning (`sortKeys`).
 */
export function toYaml(value: unknown): string {
  return toYamlChunks(value).join('');
}

/** `toYaml` in consecutive pieces, for a writer that need not hold a large file's text as one string. */
export function toYamlChunks(value: unknown): string[] {
  return fastYamlChunks(value) ?? [libraryYaml(withEmbeddedText(value))];
}

/** The `yaml` library, loaded when the fast path first declines a document: most runs never need it. */
let yamlLibrary: typeof Yaml | undefined;

/** The `yaml` library's rendering: the reference the fast path is held to. */
export function libraryYaml(value: unknown): string {
  yamlLibrary ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  // Shared objects are written out in full: anchors and aliases confuse people and some YAML consumers.
  const doc = new yamlLibrary.Document(value, { keepUndefined: false, aliasDuplicateObjects: false });
  return doc.toString({ lineWidth: 0, minContentWidth: 0, indentSeq: true, singleQuote: false });
}

/** The text of a document embedded as a string value. */
export function embeddedText(embedded: EmbeddedDocument): string {
  return embedded.format === 'json' ? toJson(embedded.document) : toYaml(embedded.document);
}

/** `value` with every embedded document replaced by its text, for the library, which knows nothing of them. */
function withEmbeddedText(value: unknown): unknown {
  if (value instanceof EmbeddedDocument) return embeddedText(value);
  if (Array.isArray(value)) return value.map(withEmbeddedText);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withEmbeddedText(v)]));
  return value;
}
