import { EmbeddedDocument } from '../model/artifact.ts';
import { toJson } from './json.ts';

/**
 * A fast path for the YAML infermon writes: block-style maps and sequences of plain JSON-like data. It
 * produces exactly the bytes the `yaml` library produces with the options in serialize.ts, and returns
 * undefined for anything outside the subset it knows to match (the caller then uses the library).
 * It exists because the library's node tree dominated generation time on large spec sets; the property
 * test in test/unit/yaml-fast.test.ts holds it to the library's output.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };

const NEEDS_QUOTES = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
/** Plain scalars the YAML 1.2 core schema would read back as something other than a string. */
const OTHER_TYPES = [
  /^(?:~|[Nn]ull|NULL)?$/,
  /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];
const OTHER_TYPE = new RegExp(OTHER_TYPES.map((re) => `(?:${re.source})`).join('|'));
/** Characters whose escaping or whitespace status differs between JSON and YAML: left to the library. */
const UNSAFE_CHARS = /[\x00-\x08\x0b-\x1f\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;
const DOCUMENT_MARKER = /^(?:%|---|\.\.\.)/m;

class Unsupported extends Error {}

function isPlainObject(v: unknown): v is Record<string, Json | undefined> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Names, label values and the like: plain unless they spell a boolean or null. */
const SIMPLE = /^[A-Za-z_][\w./-]*$/;
const SIMPLE_BUT_TYPED = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;

/**
 * Scalars as written, by their text: label values, names and whole expressions recur (a rule group is
 * written in both of its envelopes), and deciding how to write a string scans it several times.
 */
const SCALAR_TEXT = new Map<string, string>();
const SCALAR_TEXT_LIMIT = 65_536;

/** A single-line string as a plain or double-quoted scalar. */
function inlineString(s: string): string {
  if (SIMPLE.test(s) && !SIMPLE_BUT_TYPED.test(s)) return s;
  let text = SCALAR_TEXT.get(s);
  if (text === undefined) {
    text = renderInlineString(s);
    if (SCALAR_TEXT.size >= SCALAR_TEXT_LIMIT) SCALAR_TEXT.clear();
    SCALAR_TEXT.set(s, text);
  }
  return text;
}

function renderInlineString(s: string): string {
  if (UNSAFE_CHARS.test(s) || DOCUMENT_MARKER.test(s) || s.includes('\n')) throw new Unsupported();
  if (s === '' || NEEDS_QUOTES.test(s) || OTHER_TYPE.test(s)) return JSON.stringify(s);
  return s;
}

/** null, a boolean or a number (strings are written by `value`). */
function scalar(v: Json): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Unsupported();
    return Object.is(v, -0) ? '-0' : JSON.stringify(v);
  }
  throw new Unsupported();
}

/** A multi-line string as a literal block scalar whose content sits at `indent`. */
function blockString(s: string, indent: number): string {
  if (UNSAFE_CHARS.test(s) || DOCUMENT_MARKER.test(s) || s.startsWith('\n')) throw new Unsupported();
  let end = s.length;
  while (s.charCodeAt(end - 1) === 0x0a) end--;
  const body = s.slice(0, end);
  // A blank line of spaces, or spaces at the very end, make the library quote the string instead.
  const last = body.charCodeAt(end - 1);
  if (last === 0x20 || last === 0x09 || /\n[ \t]+\n/.test(body)) throw new Unsupported();
  const trailing = s.length - end;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const indicator = body.startsWith(' ') ? '2' : '';
  // Every line that is not empty is indented; the body neither starts nor ends with a newline.
  const pad = padding(indent);
  const lines = pad + body.replace(LINE_WITH_TEXT, `\n${pad}`);
  return `|${indicator}${chomp}\n${lines}\n${'\n'.repeat(Math.max(0, trailing - 1))}`;
}

const LINE_WITH_TEXT = /\n(?=[^\n])/g;

const PADDING: string[] = [];
function padding(indent: number): string {
  return (PADDING[indent] ??= ' '.repeat(indent));
}

function hasDefinedValue(obj: Record<string, unknown>): boolean {
  for (const key in obj) if (obj[key] !== undefined) return true;
  return false;
}

/** Keys as written, with their colon: a document repeats a few keys (`expr`, `labels`, label names) many times over. */
const KEY_TEXT = new Map<string, string>();
const KEY_TEXT_LIMIT = 16_384;

function keyText(key: string): string {
  let text = KEY_TEXT.get(key);
  if (text === undefined) {
    text = `${inlineString(key)}:`;
    if (KEY_TEXT.size < KEY_TEXT_LIMIT) KEY_TEXT.set(key, text);
  }
  return text;
}

/** A document embedded as a string value, as the string it becomes. */
function embeddedText(e: EmbeddedDocument): string {
  if (e.format === 'json') return toJson(e.document);
  const text = fastYaml(e.document);
  if (text === undefined) throw new Unsupported();
  return text;
}

/**
 * Collects the text in chunks of about CHUNK_CHARS: small enough to stay out of V8's large-object space,
 * where a whole file's string would wait for a full garbage collection, so a written file's text goes as
 * soon as the writer is done with it.
 */
const CHUNK_CHARS = 32_768;

class Chunks {
  private current = '';

  constructor(private readonly emit: (chunk: string) => void) {}

  write(text: string): void {
    this.current += text;
    if (this.current.length >= CHUNK_CHARS) {
      this.emit(this.current);
      this.current = '';
    }
  }

  end(): void {
    if (this.current !== '') this.emit(this.current);
    this.current = '';
  }
}

/**
 * `value` after `lead` (`key:` or `-`), where nested content is indented to `indent`. The lead goes out
 * with the value's first line, so a line is one piece of text.
 */
function value(v: Json | EmbeddedDocument | undefined, indent: number, out: Chunks, lead: string): void {
  if (typeof v === 'string') {
    out.write(v.includes('\n') ? `${lead} ${blockString(v, indent)}` : `${lead} ${inlineString(v)}\n`);
    return;
  }
  if (v instanceof EmbeddedDocument) return value(embeddedText(v), indent, out, lead);
  if (Array.isArray(v)) {
    if (v.length === 0) return out.write(`${lead} []\n`);
    out.write(`${lead}\n`);
    return sequence(v, indent, out);
  }
  if (isPlainObject(v)) {
    if (!hasDefinedValue(v)) return out.write(`${lead} {}\n`);
    out.write(`${lead}\n`);
    return mapping(v, indent, out);
  }
  out.write(`${lead} ${scalar(v as Json)}\n`);
}

/** A block mapping at `indent`; its first key follows `lead` (the `- ` of a sequence item) when given. */
function mapping(obj: Record<string, Json | undefined>, indent: number, out: Chunks, lead = padding(indent)): void {
  const pad = padding(indent);
  let before = lead;
  for (const key in obj) {
    const v = obj[key];
    if (v === undefined) continue;
    value(v, indent + 2, out, before + keyText(key));
    before = pad;
  }
}

function sequence(items: Json[], indent: number, out: Chunks): void {
  const pad = padding(indent);
  const dash = `${pad}-`;
  const dashSpace = `${pad}- `;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === undefined || Array.isArray(item)) throw new Unsupported();
    if (isPlainObject(item) && hasDefinedValue(item)) mapping(item, indent + 2, out, dashSpace);
    else value(item, indent + 2, out, dash);
  }
}

/**
 * The YAML of a non-empty top-level mapping, handed to `emit` in consecutive chunks as it is produced.
 * False when the library must do it; chunks emitted before that are then void.
 */
export function fastYamlInto(document: unknown, emit: (chunk: string) => void): boolean {
  if (!isPlainObject(document) || !hasDefinedValue(document)) return false;
  const out = new Chunks(emit);
  try {
    mapping(document, 0, out);
  } catch (err) {
    if (err instanceof Unsupported) return false;
    throw err;
  }
  out.end();
  return true;
}

/** The YAML of a non-empty top-level mapping in consecutive chunks, or undefined when the library must do it. */
export function fastYamlChunks(document: unknown): string[] | undefined {
  const chunks: string[] = [];
  return fastYamlInto(document, (chunk) => chunks.push(chunk)) ? chunks : undefined;
}

/** The YAML of a non-empty top-level mapping, or undefined when the library must do it. */
export function fastYaml(document: unknown): string | undefined {
  return fastYamlChunks(document)?.join('');
}
