import { Ajv, type ValidateFunction } from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from './paths.ts';

/**
 * Upstream JSON Schemas live beside the project in ../shared/schemas and are read in place. Tests that
 * need them skip, saying why, only when that folder is absent (a user's clone).
 */
export const SCHEMA_DIR = join(PROJECT_ROOT, '..', 'shared', 'schemas');
export const schemasAvailable = existsSync(SCHEMA_DIR);
export const SCHEMAS_MISSING_REASON = `JSON Schemas not found at ${SCHEMA_DIR}; schema conformance tests skipped`;
if (!schemasAvailable) console.warn(SCHEMAS_MISSING_REASON);

// Kubernetes CRD schemas carry RE2 inline flags such as (?i), which JavaScript rejects.
const goRegExp = Object.assign(
  (pattern: string, flags: string) =>
    pattern.includes('(?i)') ? new RegExp(pattern.replaceAll('(?i)', ''), `${flags}i`) : new RegExp(pattern, flags),
  { code: 'goRegExp' },
);

let ajv: Ajv | undefined;
function instance(): Ajv {
  ajv ??= new Ajv({
    allErrors: true,
    strict: false,
    strictTypes: false,
    code: { regExp: goRegExp as never },
    formats: { int32: true, int64: true, 'date-time': true, uri: true, 'uri-reference': true, email: true, hostname: true, duration: true, regex: true },
    keywords: [
      'x-kubernetes-map-type',
      'x-kubernetes-list-type',
      'x-kubernetes-list-map-keys',
      'x-kubernetes-int-or-string',
      'x-kubernetes-preserve-unknown-fields',
      'x-kubernetes-validations',
    ],
  });
  return ajv;
}

const cache = new Map<string, ValidateFunction>();

/** A validator for a schema file under ../shared/schemas (JSON, or a CRD YAML: its first version). */
export function schemaValidator(relativePath: string): ValidateFunction {
  const cached = cache.get(relativePath);
  if (cached) return cached;
  const text = readFileSync(join(SCHEMA_DIR, relativePath), 'utf8');
  let schema: Record<string, unknown>;
  if (relativePath.endsWith('.json')) {
    schema = JSON.parse(text) as Record<string, unknown>;
    delete schema.$id;
  } else {
    const crd = parse(text) as { spec: { versions: Array<{ schema: { openAPIV3Schema: Record<string, unknown> } }> } };
    schema = crd.spec.versions[0]!.schema.openAPIV3Schema;
  }
  const validate = instance().compile(schema);
  cache.set(relativePath, validate);
  return validate;
}

export function schemaErrors(relativePath: string, value: unknown): string[] {
  const validate = schemaValidator(relativePath);
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
