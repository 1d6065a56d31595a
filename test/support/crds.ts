import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SCHEMA_DIR } from './schemas.ts';

/** An `apiVersion` and `kind` a cluster serves. */
export type ServedKind = `${string} ${string}`;

export const servedKind = (apiVersion: string, kind: string): ServedKind => `${apiVersion} ${kind}`;

interface Crd {
  spec: { group: string; names: { kind: string }; versions: Array<{ name: string; served: boolean }> };
}

/** Every kind the CustomResourceDefinitions in a folder of ../shared/schemas serve, with its versions. */
export function crdKinds(relativeDir: string): Set<ServedKind> {
  const dir = join(SCHEMA_DIR, relativeDir);
  const kinds = new Set<ServedKind>();
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
    const crd = parse(readFileSync(join(dir, file), 'utf8')) as Crd;
    for (const version of crd.spec.versions.filter((v) => v.served)) kinds.add(servedKind(`${crd.spec.group}/${version.name}`, crd.spec.names.kind));
  }
  return kinds;
}

/** Kinds every cluster serves that generated objects use. */
export const CORE_KINDS: ReadonlySet<ServedKind> = new Set([servedKind('v1', 'ConfigMap')]);
