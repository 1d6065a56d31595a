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

/** A rule that passes its schema in a group that does not; `index` is its place in the group's `rules`. */
export interface SalvagedRule {
  index: number;
  rule: SpecOutput<'rules'>['rules'][number];
}

/**
 * The parts of declarations that failed their schema which are valid on their own. They stay out of the
 * specs and nothing is generated from them (their declaration's error stops generation), but their queries
 * are checked, so one run reports a declaration's schema errors and its query errors together.
 */
export interface SalvagedSpecs {
  rules: Array<Located<SalvagedRule[]>>;
}

/** Everything generators consume: the normalised specs, plus the catalog they were checked against. */
export interface Model {
  specs: SpecsByKind;
  stack: Located<Stack>;
  /** Catalog metrics plus every recording rule's output. */
  catalog: Catalog;
  /** The valid parts of declarations that failed their schema, for the checks alone; absent when none failed. */
  salvaged?: SalvagedSpecs;
}
