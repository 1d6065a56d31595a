import * as catalog from '../../catalog/index.ts';
import type { SourceSpec } from '../../model/catalog.ts';

/** A source of the built-in catalog, as a scaffolded `specs/sources.ts` re-exports it. */
export interface CatalogSource {
  /** The source's name, as `--sources` takes it. */
  name: string;
  /** Its export from `infermon/catalog`. */
  exportName: string;
  /** Where it runs, when it runs on Kubernetes. */
  namespace?: string;
  /** Scraped through the stack's own monitors or made by Prometheus itself: never chosen, added when content reads it. */
  platform: boolean;
}

function isSourceDeclaration(value: unknown): value is { kind: 'source'; spec: SourceSpec } {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'source';
}

/** Every source the catalog exports, sorted by name; read from the catalog so a new source needs no edit here. */
export function catalogSources(): CatalogSource[] {
  return Object.entries(catalog as Record<string, unknown>)
    .flatMap(([exportName, value]) => (isSourceDeclaration(value) ? [{ exportName, spec: value.spec }] : []))
    .map(({ exportName, spec }) => ({
      name: spec.name,
      exportName,
      ...(spec.kubernetes ? { namespace: spec.kubernetes.namespace } : {}),
      platform: spec.delivery === 'platform' || spec.delivery === 'prometheus' || spec.delivery === 'probe',
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The names `--sources` accepts: the catalog sources a platform team runs itself. */
export function selectableSourceNames(): string[] {
  return catalogSources()
    .filter((s) => !s.platform)
    .map((s) => s.name);
}

export type SourceListResult = { sources: string[] } | { error: string };

/** `vllm,dcgm` → the named sources, in catalog order; an unknown name is an error that lists the valid ones. */
export function parseSourceList(text: string): SourceListResult {
  const valid = selectableSourceNames();
  const requested = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = requested.filter((s) => !valid.includes(s));
  if (unknown.length > 0) return { error: `unknown source${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; valid sources: ${valid.join(', ')}` };
  if (requested.length === 0) return { error: `no sources given; valid sources: ${valid.join(', ')}` };
  return { sources: valid.filter((s) => requested.includes(s)) };
}
