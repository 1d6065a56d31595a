/** Longest config argument kept on the call's line; longer objects get one property per line. */
const INLINE_WIDTH = 72;

function inline(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{ ${entries.map(([k, v]) => `${propertyKey(k)}: ${inline(v)}`).join(', ')} }`;
  }
  throw new Error(`no TypeScript literal for ${String(value)}`);
}

function propertyKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : inline(key);
}

/**
 * A plain value as a TypeScript expression in the style of hand-written specs: single-quoted strings,
 * bare keys; an object too long for one line has one property per line.
 */
export function tsLiteral(value: unknown): string {
  const oneLine = inline(value);
  if (oneLine.length <= INLINE_WIDTH || !value || typeof value !== 'object' || Array.isArray(value)) return oneLine;
  const properties = Object.entries(value).filter(([, v]) => v !== undefined);
  return `{\n${properties.map(([k, v]) => `  ${propertyKey(k)}: ${inline(v)},\n`).join('')}}`;
}
