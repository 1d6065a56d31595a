import type { SpecLocation } from './diagnostics.ts';

/**
 * How large a Kubernetes object is where Kubernetes measures it. Client-side `kubectl apply` (and Argo
 * CD's default sync) keep a JSON copy of the whole object in the last-applied annotation, and the API
 * server rejects an object whose annotations add up to more than 256 KiB (`TotalAnnotationSizeLimitB` in
 * k8s.io/apimachinery pkg/api/validation/objectmeta.go). Without that copy an object still has to stay
 * within 1 MiB: the API refuses ConfigMaps whose data is larger, and etcd's request limit stops objects
 * not much larger than that.
 */

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
export const ANNOTATIONS_LIMIT_BYTES = 262_144;
export const OBJECT_LIMIT_BYTES = 1_048_576;

export interface KubernetesObjectSize {
  kind: string;
  name: string;
  /** The spec the object was generated from: where a size diagnostic points. */
  at: SpecLocation;
  /** The object as JSON. */
  bytes: number;
  /** Every annotation of the object once `kubectl apply` has added its last-applied copy. */
  annotationBytes: number;
}

export interface SizedObject {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

// Go's encoding/json, which kubectl writes the annotation with, escapes these to six-byte `\uXXXX` forms.
const GO_ESCAPED_ASCII = /[<>&]/g;
const GO_ESCAPED_SEPARATORS = /[\u2028\u2029]/g;
const GO_ESCAPED = /[<>&\u2028\u2029]/;

/**
 * Bytes of `value` as Go's encoding/json writes it (HTML-safe escaping, no indentation), added up part by
 * part down to each string, so no object is ever written out as JSON to be measured.
 */
export function goJsonBytes(value: unknown): number {
  const bytes = jsonBytes(value) ?? 0;
  if (typeof value === 'object' && value !== null) measured.set(value, bytes);
  return bytes;
}

/**
 * Sizes of the objects measured so far. A generator measures the parts of an object where it decides how
 * to split it (each rule group of a PrometheusRule), and the size check measures the finished object
 * again; generated documents are never changed once made, so a part measured before is not measured
 * again.
 */
const measured = new WeakMap<object, number>();

/** Bytes as `JSON.stringify` writes `value`, re-escaped as Go does; undefined where it leaves the value out. */
function jsonBytes(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null || typeof (value as { toJSON?: unknown }).toJSON === 'function') return stringBytes(value);
  return measured.get(value) ?? partBytes(value);
}

/** Printable ASCII that JSON and Go's encoder write as it is, one byte each (all but `"`, backslash, `<`, `>`, `&`). */
const NOT_AS_IS = /[^\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\x5b\x5d-\x7e]/;
/** Anything but printable ASCII, `"` and backslash: what is left are the HTML characters Go escapes. */
const BEYOND_HTML = /[^\x20-\x7e]|["\\]/;
/** What JSON or Go's encoder writes as more than the character itself, and surrogates, which need a closer look. */
const WRITTEN_ESCAPED = /["\\\x00-\x1f<>&\u2028\u2029\ud800-\udfff]/;

function stringBytes(value: unknown): number | undefined {
  if (typeof value === 'string') {
    // Most strings (names, label values) are written as they are, between quotes; expressions often
    // carry a comparison, which Go writes as a six-byte `\u003e`.
    if (!NOT_AS_IS.test(value)) return value.length + 2;
    if (!BEYOND_HTML.test(value)) return value.length + 2 + 5 * htmlCharacters(value);
    if (!WRITTEN_ESCAPED.test(value)) return Buffer.byteLength(value) + 2;
  }
  const json = JSON.stringify(value) as string | undefined;
  return json === undefined ? undefined : goJsonTextBytes(json);
}

function htmlCharacters(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3c || c === 0x3e || c === 0x26) count++;
  }
  return count;
}

/** An object or array added up member by member. */
function partBytes(value: object): number {
  if (Array.isArray(value)) {
    let total = 2 + Math.max(0, value.length - 1);
    for (const item of value) total += jsonBytes(item) ?? NULL_BYTES;
    return total;
  }
  let total = 2;
  let members = 0;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const bytes = jsonBytes(record[key]);
    if (bytes === undefined) continue;
    total += stringBytes(key)! + 1 + bytes;
    members++;
  }
  return total + Math.max(0, members - 1);
}

const NULL_BYTES = 4;

/** The fewest and the most bytes `goJsonBytes` can give for a value. */
export interface ByteRange {
  least: number;
  most: number;
}

/** Go escapes a character into at most six bytes (`\u003c`); UTF-8 needs at most three per UTF-16 unit. */
const MOST_BYTES_PER_CHAR = 6;

/**
 * Bounds on `goJsonBytes(value)` from the lengths of its strings alone, without looking at their
 * characters: enough to tell that an object is far from a limit, which most are.
 */
export function goJsonByteRange(value: unknown): ByteRange {
  const range = { least: 0, most: 0 };
  if (!addRange(value, range)) return { least: NULL_BYTES, most: NULL_BYTES };
  if (typeof value === 'object' && value !== null) bounded.set(value, range);
  return range;
}

/** Bounds found so far, as `measured` keeps sizes: the size check bounds objects whose parts a generator bounded. */
const bounded = new WeakMap<object, ByteRange>();

/**
 * A string built by concatenation is a tree of its pieces in V8 until it is first read, several times the
 * size of its text. Generated documents live until they are written, so reading one character of each
 * string while the documents are young has V8 lay it out flat before it is copied to the old generation
 * (at 10,000 models: 718 MB promoted instead of 815 MB when the walk read lengths only).
 */
function layOutFlat(text: string): void {
  text.charCodeAt(0);
}

/** Adds the bounds of `value` to `range`, laying its strings out flat; false where JSON leaves the value out. */
function addRange(value: unknown, range: ByteRange): boolean {
  if (typeof value === 'string') {
    layOutFlat(value);
    range.least += value.length + 2;
    range.most += value.length * MOST_BYTES_PER_CHAR + 2;
    return true;
  }
  if (typeof value !== 'object' || value === null || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    const bytes = stringBytes(value);
    if (bytes === undefined) return false;
    range.least += bytes;
    range.most += bytes;
    return true;
  }
  const known = bounded.get(value);
  if (known) {
    range.least += known.least;
    range.most += known.most;
    return true;
  }
  if (Array.isArray(value)) {
    const separators = 2 + Math.max(0, value.length - 1);
    range.least += separators;
    range.most += separators;
    for (const item of value) {
      if (addRange(item, range)) continue;
      range.least += NULL_BYTES;
      range.most += NULL_BYTES;
    }
    return true;
  }
  let members = 0;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!addRange(record[key], range)) continue;
    range.least += key.length + 3;
    range.most += key.length * MOST_BYTES_PER_CHAR + 3;
    members++;
  }
  const separators = 2 + Math.max(0, members - 1);
  range.least += separators;
  range.most += separators;
  return true;
}

/** Bytes of JSON text once re-escaped as Go writes it. */
export function goJsonTextBytes(json: string): number {
  if (!GO_ESCAPED.test(json)) return Buffer.byteLength(json);
  const ascii = json.match(GO_ESCAPED_ASCII)?.length ?? 0;
  const separators = json.match(GO_ESCAPED_SEPARATORS)?.length ?? 0;
  return Buffer.byteLength(json) + 5 * ascii + 3 * separators;
}

/**
 * Bytes of an object whose one list is written empty in `envelope` and holds items of the given sizes:
 * `[]` becomes `[a,b,…]`, so the parts add up without serialising the whole object again.
 */
export function bytesWithItems(envelopeBytes: number, itemBytes: readonly number[]): number {
  let total = envelopeBytes + Math.max(0, itemBytes.length - 1);
  for (const b of itemBytes) total += b;
  return total;
}

export function objectSize(object: SizedObject, at: SpecLocation, bytes = goJsonBytes(object)): KubernetesObjectSize {
  return { kind: object.kind, name: object.metadata.name, at, bytes, annotationBytes: annotationBytes(object, bytes) };
}

/** Bytes of every annotation of an object of `bytes` once `kubectl apply` has added its last-applied copy. */
function annotationBytes(object: SizedObject, bytes: number): number {
  let own = 0;
  for (const [key, value] of Object.entries(object.metadata.annotations ?? {})) own += Buffer.byteLength(key) + Buffer.byteLength(value);
  // The annotation value ends in the newline Go's JSON encoder writes after the object.
  return own + LAST_APPLIED_ANNOTATION.length + bytes + 1;
}

/** Whether `goJsonBytes(value)` is at most `limit`, measured only where the byte range does not settle it. */
export function goJsonBytesWithin(value: unknown, limit: number): boolean {
  const range = goJsonByteRange(value);
  if (range.most <= limit) return true;
  return range.least <= limit && goJsonBytes(value) <= limit;
}

/** Whether an object goes through client-side `kubectl apply`, measured only where its byte range does not settle it. */
export function fitsLastAppliedAsIs(object: SizedObject): boolean {
  return goJsonBytesWithin(object, ANNOTATIONS_LIMIT_BYTES - annotationBytes(object, 0));
}

/** Whether an object is within both limits whatever its exact size in `range`. */
export function surelyWithinLimits(object: SizedObject, range: ByteRange): boolean {
  return range.most <= OBJECT_LIMIT_BYTES && annotationBytes(object, range.most) <= ANNOTATIONS_LIMIT_BYTES;
}

/**
 * Whether `object`, whose one list is written empty in `emptyBytes`, goes through client-side `kubectl
 * apply` once the list holds `items`: settled by the items' byte ranges where they can, else measured.
 */
export function fitsLastAppliedWithItems(object: SizedObject, emptyBytes: number, items: readonly object[]): boolean {
  const ranges = items.map(goJsonByteRange);
  const fits = (itemBytes: readonly number[]) => annotationBytes(object, bytesWithItems(emptyBytes, itemBytes)) <= ANNOTATIONS_LIMIT_BYTES;
  if (fits(ranges.map((r) => r.most))) return true;
  if (!fits(ranges.map((r) => r.least))) return false;
  return fits(items.map(goJsonBytes));
}
