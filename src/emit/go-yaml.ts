import { goYamlSortedKeys } from '../model/go-key-order.ts';

/**
 * A YAML writer that reproduces gopkg.in/yaml.v2 output byte for byte for the shapes Sloth prints: block
 * mappings and sequences (sequences not indented under their key), plain / single / double-quoted /
 * literal scalars chosen as yaml.v2 chooses them, long lines folded at spaces past column 80, and map
 * keys in yaml.v2's order.
 */

/** A mapping whose keys are written in the given order (Go structs). */
export class OrderedMap {
  constructor(readonly entries: ReadonlyArray<readonly [string, GoYamlValue]>) {}
}

export type GoYamlValue = string | number | boolean | OrderedMap | Record<string, unknown> | readonly GoYamlValue[];

const BEST_WIDTH = 80;
// ---- scalar resolution: which strings yaml.v2 must quote because they would read back as another type

const BOOL_OR_NULL = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
  'on', 'On', 'ON', 'off', 'Off', 'OFF', '~', 'null', 'Null', 'NULL', '', '<<',
  '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '.nan', '.NaN', '.NAN',
]);
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[0-9]+)$/;
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const TIMESTAMP = /^\d{4}-\d{1,2}-\d{1,2}([Tt ]|$)/;
const BASE60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

function resolvesToNonString(s: string): boolean {
  if (BOOL_OR_NULL.has(s)) return true;
  const first = s[0] ?? '';
  if (!/[-+.0-9]/.test(first)) return false;
  const plain = s.replaceAll('_', '');
  return GO_INT.test(plain) || YAML_FLOAT.test(plain) || TIMESTAMP.test(s) || BASE60.test(s);
}

interface ScalarAnalysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

const isBlankOrEnd = (c: string | undefined): boolean => c === undefined || c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isPrintable = (c: string): boolean => {
  const code = c.codePointAt(0)!;
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0x7e) || code === 0x85 || (code >= 0xa0 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff) || (code >= 0x10000 && code <= 0x10ffff);
};

/** libyaml's `yaml_emitter_analyze_scalar`, block context only. */
function analyze(value: string): ScalarAnalysis {
  if (value.length === 0) return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  const chars = [...value];
  let blockIndicators = value.startsWith('---') || value.startsWith('...');
  let specialCharacters = false;
  let lineBreaks = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const followedByWhitespace = isBlankOrEnd(chars[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true;
      if ((c === '?' || c === ':') && followedByWhitespace) blockIndicators = true;
      if (c === '-' && followedByWhitespace) blockIndicators = true;
    } else {
      if (c === ':' && followedByWhitespace) blockIndicators = true;
      if (c === '#' && precededByWhitespace) blockIndicators = true;
    }
    if (!isPrintable(c)) specialCharacters = true;
    if (c === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (c === '\n' || c === '\r') {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousBreak = true;
      previousSpace = false;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankOrEnd(c);
  }
  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
    blockAllowed = false;
  }
  if (lineBreaks) blockPlainAllowed = false;
  if (blockIndicators) blockPlainAllowed = false;
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

type Style = 'plain' | 'single' | 'double' | 'literal';

function scalarStyle(value: string, simpleKey: boolean): Style {
  let style: Style = value.includes('\n') ? 'literal' : resolvesToNonString(value) ? 'double' : 'plain';
  const a = analyze(value);
  if (simpleKey && a.multiline) style = 'double';
  if (style === 'plain') {
    if (!a.blockPlainAllowed) style = 'single';
    if (value.length === 0 && simpleKey) style = 'single';
  }
  if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
  if (style === 'literal' && (!a.blockAllowed || simpleKey)) style = 'double';
  return style;
}

/** Writes text while tracking the column, the way libyaml's emitter does. */
class Writer {
  out = '';
  column = 0;
  /** True right after whitespace (start of line, after an indent or a space). */
  whitespace = true;

  put(text: string): void {
    for (const c of text) {
      if (c === '\n') {
        this.out += '\n';
        this.column = 0;
      } else {
        this.out += c;
        this.column++;
      }
    }
    this.whitespace = text.endsWith(' ') || text.endsWith('\n');
  }

  /** Starts a new line (unless the current one is empty) and pads it to `indent`. */
  indent(indent: number): void {
    if (this.column > 0) this.put('\n');
    if (indent > 0) this.put(' '.repeat(indent));
    this.whitespace = true;
  }
}

function writePlain(w: Writer, value: string, indent: number, allowBreaks: boolean): void {
  if (!w.whitespace) w.put(' ');
  const chars = [...value];
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === ' ') {
      if (allowBreaks && !spaces && w.column > BEST_WIDTH && chars[i + 1] !== ' ') {
        w.put('\n');
        w.put(' '.repeat(indent));
      } else w.put(c);
      spaces = true;
    } else {
      w.put(c);
      spaces = false;
    }
  }
}

function writeSingle(w: Writer, value: string, indent: number, allowBreaks: boolean): void {
  if (!w.whitespace) w.put(' ');
  w.put("'");
  const chars = [...value];
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === ' ') {
      if (allowBreaks && !spaces && w.column > BEST_WIDTH && i !== 0 && i !== chars.length - 1 && chars[i + 1] !== ' ') {
        w.put('\n');
        w.put(' '.repeat(indent));
      } else w.put(c);
      spaces = true;
    } else {
      w.put(c === "'" ? "''" : c);
      spaces = false;
    }
  }
  w.put("'");
}

/** The short escapes yaml.v2 writes in a double-quoted scalar. */
const DOUBLE_QUOTED_ESCAPES: Readonly<Record<string, string>> = { '\0': '0', '\x07': 'a', '\b': 'b', '\t': 't', '\n': 'n', '\x0b': 'v', '\f': 'f', '\r': 'r', '\x1b': 'e', '"': '"', '\\': '\\' };

function writeDouble(w: Writer, value: string, indent: number, allowBreaks: boolean): void {
  if (!w.whitespace) w.put(' ');
  w.put('"');
  const chars = [...value];
  let spaces = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const code = c.codePointAt(0)!;
    if (!isPrintable(c) || c === '"' || c === '\\' || c === '\n' || c === '\r' || c === '\t' || code === 0xfeff) {
      const e = DOUBLE_QUOTED_ESCAPES[c];
      if (e) w.put(`\\${e}`);
      else if (code <= 0xff) w.put(`\\x${code.toString(16).toUpperCase().padStart(2, '0')}`);
      else if (code <= 0xffff) w.put(`\\u${code.toString(16).toUpperCase().padStart(4, '0')}`);
      else w.put(`\\U${code.toString(16).toUpperCase().padStart(8, '0')}`);
      spaces = false;
    } else if (c === ' ') {
      if (allowBreaks && !spaces && w.column > BEST_WIDTH && i !== 0 && i !== chars.length - 1) {
        w.put('\n');
        w.put(' '.repeat(indent));
        if (chars[i + 1] === ' ') w.put('\\');
      } else w.put(c);
      spaces = true;
    } else {
      w.put(c);
      spaces = false;
    }
  }
  w.put('"');
}

function writeLiteral(w: Writer, value: string, indent: number): void {
  let chomp = '';
  if (!value.endsWith('\n')) chomp = '-';
  else if (value === '\n' || value.endsWith('\n\n')) chomp = '+';
  const indicator = value.startsWith(' ') || value.startsWith('\n') ? String(2) : '';
  if (!w.whitespace) w.put(' ');
  w.put(`|${indicator}${chomp}`);
  const body = value.endsWith('\n') ? value.slice(0, -1) : value;
  for (const line of body.split('\n')) {
    w.put('\n');
    if (line.length > 0) w.put(' '.repeat(indent) + line);
  }
  w.whitespace = false;
}

function writeScalar(w: Writer, value: string | number | boolean, indent: number, simpleKey: boolean): void {
  if (typeof value === 'number') {
    if (!w.whitespace) w.put(' ');
    w.put(Number.isInteger(value) ? String(value) : goYamlFloat(value));
    return;
  }
  if (typeof value === 'boolean') {
    if (!w.whitespace) w.put(' ');
    w.put(String(value));
    return;
  }
  const style = scalarStyle(value, simpleKey);
  const allowBreaks = !simpleKey;
  if (style === 'plain') writePlain(w, value, indent, allowBreaks);
  else if (style === 'single') writeSingle(w, value, indent, allowBreaks);
  else if (style === 'double') writeDouble(w, value, indent, allowBreaks);
  else writeLiteral(w, value, indent);
}

function goYamlFloat(v: number): string {
  const s = String(v);
  return s.includes('e') ? s.replace(/e([+-])(\d)$/, 'e$10$2') : s;
}

function entriesOf(value: OrderedMap | Record<string, unknown>): Array<readonly [string, GoYamlValue]> {
  if (value instanceof OrderedMap) return value.entries.filter(([, v]) => v !== undefined) as Array<readonly [string, GoYamlValue]>;
  const rec = value as Record<string, GoYamlValue | undefined>;
  return goYamlSortedKeys(Object.keys(rec).filter((k) => rec[k] !== undefined)).map((k) => [k, rec[k]!] as const);
}

const isCollection = (v: GoYamlValue): v is OrderedMap | Record<string, unknown> | readonly GoYamlValue[] =>
  typeof v === 'object' && v !== null;

function writeNode(w: Writer, value: GoYamlValue, indent: number): void {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      if (!w.whitespace) w.put(' ');
      w.put('[]');
      return;
    }
    for (const item of value) {
      w.indent(indent);
      w.put('- ');
      writeItem(w, item, indent + 2);
    }
    return;
  }
  if (isCollection(value)) {
    const entries = entriesOf(value as OrderedMap | Record<string, unknown>);
    if (entries.length === 0) {
      if (!w.whitespace) w.put(' ');
      w.put('{}');
      return;
    }
    entries.forEach(([k, v]) => {
      w.indent(indent);
      writeEntry(w, k, v, indent);
    });
    return;
  }
  writeScalar(w, value as string | number | boolean, indent + 2, false);
}

/** A sequence item: a mapping starts on the dash's line. */
function writeItem(w: Writer, value: GoYamlValue, indent: number): void {
  if (isCollection(value) && !Array.isArray(value)) {
    const entries = entriesOf(value as OrderedMap | Record<string, unknown>);
    if (entries.length === 0) {
      w.put('{}');
      return;
    }
    entries.forEach(([k, v], i) => {
      if (i > 0) w.indent(indent);
      writeEntry(w, k, v, indent);
    });
    return;
  }
  if (Array.isArray(value)) {
    writeNode(w, value, indent);
    return;
  }
  w.whitespace = true;
  writeScalar(w, value as string | number | boolean, indent, false);
}

function writeEntry(w: Writer, key: string, value: GoYamlValue, indent: number): void {
  w.whitespace = true;
  writeScalar(w, key, indent, true);
  w.put(':');
  w.whitespace = false;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      w.put(' []');
      return;
    }
    writeNode(w, value, indent);
  } else if (isCollection(value)) {
    const entries = entriesOf(value as OrderedMap | Record<string, unknown>);
    if (entries.length === 0) {
      w.put(' {}');
      return;
    }
    writeNode(w, value, indent + 2);
  } else {
    writeScalar(w, value as string | number | boolean, indent + 2, false);
  }
}

/** The document as `yaml.Marshal` (gopkg.in/yaml.v2) prints it. */
export function goYaml(value: GoYamlValue): string {
  const w = new Writer();
  writeNode(w, value, 0);
  return `${w.out}\n`;
}
