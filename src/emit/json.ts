import { EmbeddedDocument } from '../model/artifact.ts';

/** JSON with two-space indent and a trailing newline; embedded documents become their text. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, embeddedAsText, 2)}\n`;
}

function embeddedAsText(_key: string, value: unknown): unknown {
  if (!(value instanceof EmbeddedDocument)) return value;
  if (value.format !== 'json') throw new Error('a YAML document cannot be embedded in JSON');
  return toJson(value.document);
}
