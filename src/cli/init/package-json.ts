import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

type Json = Record<string, unknown>;

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

/** The running package's own manifest: its version ranges are the ones a scaffold asks for. */
export function infermonManifest(): { version: string; devDependencies: Record<string, string> } {
  const path = createRequire(import.meta.url).resolve('infermon/package.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as { version: string; devDependencies?: Record<string, string> };
  return { version: manifest.version, devDependencies: manifest.devDependencies ?? {} };
}

/** `5.9.3` → `^5.9.3`; a range stays as it is. */
export function caretRange(version: string): string {
  return /^\d/.test(version) ? `^${version}` : version;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function dependsOn(existing: Json, name: string): boolean {
  return DEPENDENCY_FIELDS.some((field) => isObject(existing[field]) && name in existing[field]);
}

export interface PackageJsonMerge {
  merged: Json;
  /** Dotted names of what was added, e.g. `scripts.generate`; empty when nothing was missing. */
  added: string[];
}

/**
 * Completes a package.json the user already has (`npm i -D infermon` writes one): keys and scripts the
 * scaffold needs are added when missing; a value the user set is never changed, and a package they
 * depend on in any section is never added again. Added top-level keys come first, in the scaffold's order.
 */
export function mergePackageJson(existing: Json, wanted: Json): PackageJsonMerge {
  const added: string[] = [];
  const missing: Json = {};
  const merged: Json = {};
  for (const [key, value] of Object.entries(wanted)) {
    const isDependencies = (DEPENDENCY_FIELDS as readonly string[]).includes(key);
    if (isObject(value)) {
      const current = existing[key];
      if (current !== undefined && !isObject(current)) continue;
      const entries = Object.entries(value).filter(([name]) => (isDependencies ? !dependsOn(existing, name) : !(current && name in current)));
      if (entries.length === 0) continue;
      for (const [name] of entries) added.push(`${key}.${name}`);
      if (current) merged[key] = { ...current, ...Object.fromEntries(entries) };
      else missing[key] = Object.fromEntries(entries);
    } else if (!(key in existing)) {
      missing[key] = value;
      added.push(key);
    }
  }
  return { merged: { ...missing, ...existing, ...merged }, added };
}

/** The indentation a JSON text uses, so a completed file keeps its style. */
export function jsonIndent(text: string): string {
  return /^[{[]\s*\n([ \t]+)/.exec(text)?.[1] ?? '  ';
}
