/**
 * Plain data printed as a TypeScript object literal for a spec file: two-space indent, identifier keys
 * unquoted, single-quoted strings, multi-line strings as template literals when that keeps them exact.
 * `Code` holds source text printed as it is (an imported metric, a `promql` template).
 */
export class Code {
  constructor(readonly text: string) {}
}

export type LiteralValue = string | number | boolean | Code | LiteralValue[] | { [key: string]: LiteralValue };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function quoted(s: string): string {
  const json = JSON.stringify(s);
  // JSON escapes are valid TypeScript escapes; only the quote character changes.
  return `'${json.slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

function stringLiteral(s: string): string {
  const templateSafe = s.includes('\n') && !/[`\\\r\t]|\$\{/.test(s);
  return templateSafe ? `\`${s}\`` : quoted(s);
}

const keyText = (k: string): string => (IDENTIFIER.test(k) ? k : quoted(k));

export function tsLiteral(value: LiteralValue, indent = ''): string {
  if (value instanceof Code) return value.text;
  if (typeof value === 'string') return stringLiteral(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NaN';
  if (typeof value === 'boolean') return String(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => `${inner}${tsLiteral(v, inner)},\n`).join('')}${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${keyText(k)}: ${tsLiteral(v, inner)},\n`).join('')}${indent}}`;
}
