import type { z } from 'zod';
import { closest } from '../promql/did-you-mean.ts';
import { schemaBehind } from './validated-once.ts';

/**
 * zod's issues turned into sentences a spec author can act on: the field, the value given and what is
 * allowed (`severity: 'page'` is not one of critical, warning, info), with a fix. A union (an alert or a
 * recording rule) is explained by the alternative the value comes closest to, not as "Invalid input".
 */
export interface SchemaProblem {
  path: PropertyKey[];
  message: string;
  fix: string;
}

type Issue = z.core.$ZodIssue;
type Path = PropertyKey[];

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

const MAX_SHOWN = 40;

/** A value as it would be written in a spec, shortened. */
export function shownValue(value: unknown): string {
  if (typeof value === 'string') {
    const text = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN - 1)}…` : value;
    return `'${text.replace(/'/g, "\\'")}'`;
  }
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `[${value.length} item${value.length === 1 ? '' : 's'}]`;
  if (value === null) return 'null';
  if (typeof value === 'object') return '{…}';
  if (typeof value === 'function') return 'a function';
  return String(value);
}

/** The field's name as the author wrote it: the last key, with any list indices after it (`firing[0]`). */
function fieldName(path: readonly PropertyKey[]): string {
  let start = path.length - 1;
  while (start > 0 && typeof path[start] === 'number') start--;
  return path.slice(start).reduce<string>((name, part) => (typeof part === 'number' ? `${name}[${part}]` : name === '' ? String(part) : `${name}.${String(part)}`), '');
}

function subject(path: readonly PropertyKey[], value: unknown): string {
  const name = fieldName(path);
  return value === undefined ? `\`${name}\`` : `\`${name}: ${shownValue(value)}\``;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  record: 'an object',
  map: 'a map',
  function: 'a function',
  undefined: 'left out',
  null: 'null',
};

function typeName(type: string): string {
  return TYPE_NAMES[type] ?? `a ${type}`;
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value;
}

function optionList(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? v : shownValue(v))).join(', ');
}

function joinOr(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** The shape of the object schema at `path`, following optionals, defaults, pipes and the union branch `input` fits. */
interface SchemaDef {
  type: string;
  shape?: Record<string, Schema>;
  element?: Schema;
  valueType?: Schema;
  innerType?: Schema;
  in?: Schema;
  options?: Schema[];
  getter?: () => Schema;
}
interface Schema {
  _zod: { def: SchemaDef };
}

function unwrap(schema: Schema): Schema {
  for (let depth = 0; depth < 20; depth++) {
    const def = schema._zod.def;
    const next = (schemaBehind(schema) as Schema | undefined) ?? def.innerType ?? def.in ?? (def.type === 'lazy' ? def.getter?.() : undefined);
    if (!next) return schema;
    schema = next;
  }
  return schema;
}

function fittingOption(options: readonly Schema[], value: unknown): Schema | undefined {
  const keys = value !== null && typeof value === 'object' ? Object.keys(value) : [];
  let best: Schema | undefined;
  let bestScore = -1;
  for (const option of options) {
    const shape = unwrap(option)._zod.def.shape;
    if (!shape) continue;
    const score = keys.filter((k) => k in shape).length;
    if (score > bestScore) [best, bestScore] = [option, score];
  }
  return best;
}

function knownKeys(schema: Schema, path: readonly PropertyKey[], input: unknown): string[] | undefined {
  let current = unwrap(schema);
  for (let i = 0; i <= path.length; i++) {
    const def = current._zod.def;
    if (def.type === 'union' && def.options) {
      const option = fittingOption(def.options, valueAt(input, path.slice(0, i)));
      if (!option) return undefined;
      current = unwrap(option);
    }
    if (i === path.length) break;
    const d = current._zod.def;
    const next = d.type === 'object' ? d.shape?.[String(path[i])] : d.type === 'array' ? d.element : d.type === 'record' ? d.valueType : undefined;
    if (!next) return undefined;
    current = unwrap(next);
  }
  const shape = current._zod.def.shape;
  return shape ? Object.keys(shape) : undefined;
}

/** Issues of the union branch the value comes closest to, or undefined when it fits none of their shapes. */
function closestBranch(branches: readonly Issue[][], at: Path, input: unknown): Issue[] | undefined {
  const value = valueAt(input, at);
  const atRoot = (i: Issue) => i.path.length === 0;
  const shapeFits = branches.filter((b) => !b.some((i) => atRoot(i) && (i.code === 'invalid_type' || i.code === 'invalid_value')));
  let best: Issue[] | undefined;
  let bestScore = Infinity;
  for (const branch of shapeFits) {
    const unknownKeys = branch.filter((i) => atRoot(i) && i.code === 'unrecognized_keys').reduce((n, i) => n + (i as { keys: string[] }).keys.length, 0);
    const missing = branch.filter((i) => i.path.length === 1 && valueAt(value, i.path) === undefined).length;
    const score = (unknownKeys + missing) * 1000 + branch.length;
    if (score < bestScore) [best, bestScore] = [branch, score];
  }
  return best;
}

interface Located {
  issue: Issue;
  path: Path;
}

function flatten(issue: Issue, base: Path, input: unknown): Located[] {
  const path = [...base, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const branch = closestBranch(issue.errors, path, input);
    if (branch) return branch.flatMap((inner) => flatten(inner, path, input));
  }
  return [{ issue, path }];
}

/** What each alternative of a union expects of a value that fits none of them. */
function alternatives(issue: Issue & { code: 'invalid_union' }): { allowed: string[]; onlyValues: boolean } {
  const allowed: string[] = [];
  let onlyValues = true;
  for (const branch of issue.errors)
    for (const inner of branch.filter((i) => i.path.length === 0)) {
      if (inner.code === 'invalid_value') allowed.push(...inner.values.map((v) => optionList([v])));
      else if (inner.code === 'invalid_type') {
        allowed.push(typeName(inner.expected));
        onlyValues = false;
      }
    }
  return { allowed: [...new Set(allowed)], onlyValues };
}

function sizeLimit(issue: { origin: string; inclusive?: boolean }, limit: number | bigint, value: unknown, path: Path, bound: 'min' | 'max'): SchemaProblem {
  const name = fieldName(path);
  const n = Number(limit);
  if (issue.origin === 'array' || issue.origin === 'set') {
    const count = Array.isArray(value) ? value.length : 0;
    const items = (k: number) => `${k} item${k === 1 ? '' : 's'}`;
    if (bound === 'min')
      return {
        path,
        message: count === 0 ? `\`${name}\` is an empty list; it needs at least ${items(n)}` : `\`${name}\` has ${items(count)}; it needs at least ${n}`,
        fix: `add ${count === 0 ? `at least ${items(n)}` : `${items(n - count)}`} to \`${name}\``,
      };
    return { path, message: `\`${name}\` has ${items(count)}; at most ${n} are allowed`, fix: `remove ${items(count - n)} from \`${name}\`` };
  }
  if (issue.origin === 'string') {
    if (bound === 'min' && n === 1) return { path, message: `\`${name}\` is empty`, fix: `give \`${name}\` a value` };
    const chars = `${n} character${n === 1 ? '' : 's'}`;
    return bound === 'min'
      ? { path, message: `${subject(path, value)} is shorter than ${chars}`, fix: `make \`${name}\` at least ${chars} long` }
      : { path, message: `${subject(path, value)} is longer than ${chars}`, fix: `shorten \`${name}\` to at most ${chars}` };
  }
  const strict = issue.inclusive === false;
  const phrase = bound === 'min' ? (strict ? `greater than ${n}` : `at least ${n}`) : strict ? `less than ${n}` : `at most ${n}`;
  return { path, message: `${subject(path, value)} is not ${phrase}`, fix: `use a value ${phrase}` };
}

/** A problem that also accounts for another field's: a misspelt key covers the missing key it was meant to be. */
interface Described extends SchemaProblem {
  covers?: Path;
}

function describe(issue: Issue, path: Path, input: unknown, schema: Schema): Described[] {
  const value = valueAt(input, path);
  const name = fieldName(path);
  switch (issue.code) {
    case 'invalid_type':
    case 'invalid_value': {
      const allowed = issue.code === 'invalid_type' ? typeName(issue.expected) : issue.values.length === 1 ? optionList(issue.values) : `one of ${optionList(issue.values)}`;
      if (value === undefined) return [{ path, message: `\`${name}\` is missing`, fix: `add \`${name}\` (${allowed})` }];
      if (issue.code === 'invalid_type') return [{ path, message: `${subject(path, value)} is ${typeName(typeOf(value))}, not ${allowed}`, fix: `make \`${name}\` ${allowed}` }];
      const near = typeof value === 'string' ? closest(value, issue.values.filter((v): v is string => typeof v === 'string'), 1)[0] : undefined;
      return [{ path, message: `${subject(path, value)} is not ${allowed}`, fix: near ? `use \`${near}\`` : `use ${allowed}` }];
    }
    case 'unrecognized_keys': {
      const known = knownKeys(schema, path, input) ?? [];
      const given = value !== null && typeof value === 'object' ? Object.keys(value) : [];
      const unused = known.filter((k) => !given.includes(k));
      return issue.keys.map((key) => {
        const near = closest(key, unused, 1)[0];
        const at = [...path, key];
        if (near) return { path: at, message: `unknown field \`${key}\`; did you mean \`${near}\`?`, fix: `rename \`${key}\` to \`${near}\``, covers: [...path, near] };
        return { path: at, message: `unknown field \`${key}\``, fix: known.length > 0 ? `remove \`${key}\`; the fields here are ${known.join(', ')}` : `remove \`${key}\`` };
      });
    }
    case 'too_small':
      return [sizeLimit(issue, issue.minimum, value, path, 'min')];
    case 'too_big':
      return [sizeLimit(issue, issue.maximum, value, path, 'max')];
    case 'invalid_format': {
      if (issue.format === 'regex') {
        const pattern = (issue as { pattern?: string }).pattern ?? '';
        const own = !issue.message.startsWith('Invalid');
        return [{ path, message: own ? `${subject(path, value)}: ${issue.message}` : `${subject(path, value)} does not match ${pattern}`, fix: `change \`${name}\` to match ${pattern}` }];
      }
      const format = issue.format === 'url' ? 'URL' : issue.format;
      return [{ path, message: `${subject(path, value)} is not a valid ${format}`, fix: `make \`${name}\` a valid ${format}` }];
    }
    case 'invalid_union': {
      if (issue.errors.length === 0) {
        const options = ((issue as { options?: unknown[] }).options ?? []) as unknown[];
        return [{ path, message: `${subject(path, value)} is not one of ${optionList(options)}`, fix: `use one of ${optionList(options)}` }];
      }
      const { allowed, onlyValues } = alternatives(issue);
      const expected = onlyValues ? `one of ${allowed.join(', ')}` : joinOr(allowed);
      return [{ path, message: `${subject(path, value)} is not ${expected}`, fix: `use ${expected}` }];
    }
    case 'not_multiple_of':
      return [{ path, message: `${subject(path, value)} is not a multiple of ${String(issue.divisor)}`, fix: `use a multiple of ${String(issue.divisor)}` }];
    case 'invalid_key': {
      // zod puts the offending key last on the path: the field is the record holding it.
      const key = String(path[path.length - 1]);
      const record = fieldName(path.slice(0, -1));
      return [{ path, message: `\`${record}\` has an invalid key \`${key}\`: ${issue.issues.map((i) => i.message).join('; ')}`, fix: `rename \`${key}\` in \`${record}\`` }];
    }
    default:
      return [{ path, message: `${subject(path, value)}: ${issue.message}`, fix: value === undefined ? `add \`${name}\`` : `correct \`${name}\`` }];
  }
}

function pathKey(path: readonly PropertyKey[]): string {
  return path.map(String).join('\u0000');
}

/** Every problem in `issues`, one per field, in the order zod found them. */
export function describeIssues(issues: readonly Issue[], input: unknown, schema: z.ZodType): SchemaProblem[] {
  const located = issues.flatMap((issue) => flatten(issue, [], input));
  const problems = located.flatMap(({ issue, path }) => describe(issue, path, input, schema as unknown as Schema));
  const covered = new Set(problems.flatMap((p) => (p.covers ? [pathKey(p.covers)] : [])));
  const seen = new Set<string>();
  const kept: SchemaProblem[] = [];
  for (const { path, message, fix } of problems) {
    const key = `${pathKey(path)}\u0001${message}`;
    if ((covered.has(pathKey(path)) && message.endsWith('is missing')) || seen.has(key)) continue;
    seen.add(key);
    kept.push({ path, message, fix });
  }
  return kept;
}
