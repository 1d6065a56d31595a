import type { Catalog } from './catalog-index.ts';
import type { SpecKind, SpecOutput } from './spec.ts';
import type { SpecLocation } from './diagnostics.ts';
import type { Stack } from './stack.ts';

/** A normalised spec and where it was declared: `root` is the export name, the start of every spec path. */
export interface Located<T> {
  value: T;
  file: string;
  root: string;
}

export function locate(item: Located<unknown>, path = ''): SpecLocation {
  return { file: item.file, path: path ? (path.startsWith('[') ? item.root + path : `${item.root}.${path}`) : item.root };
}

export type SpecsByKind = { [K in SpecKind]: Array<Located<SpecOutput<K>>> };

/** Everything generators consume: the normalised specs, plus the catalog they were checked against. */
export interface Model {
  specs: SpecsByKind;
  stack: Located<Stack>;
  /** Catalog metrics plus every recording rule's output. */
  catalog: Catalog;
}
