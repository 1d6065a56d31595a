import type { Catalog } from './catalog-index.ts';
import type { GeneratedSection, Panel, Variable } from './dashboard.ts';
import type { LogAlert, LogStream } from './logs.ts';
import type { Slo, SloService } from './slo.ts';
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

/** The valid panels and variables of a dashboard that fails its schema, at their places in `rows` and `variables`. */
export interface SalvagedDashboard {
  /** The id as written, when it is a string: alerts may link it. */
  id?: string;
  /** Rows holding a valid panel; a row's title is `rows[<index>]` where it has none. */
  rows: Array<{ index: number; title: string; panels: Array<{ index: number; panel: Panel }> }>;
  variables: Array<{ index: number; variable: Variable }>;
  /** The variables its queries may use; absent when one of them cannot be read, and then any may be used. */
  variableNames?: {
    /** The name of every declared variable, valid or not. */
    declared: string[];
    crossClusterSeries?: string;
    generated: GeneratedSection[];
  };
}

/** The valid SLOs of an SLO service that fails its schema, at their places in `slos`. */
export interface SalvagedSloService {
  slos: Array<{ index: number; slo: Slo }>;
  /**
   * The service with those SLOs alone, when its own fields pass their schemas: the series they record
   * enter the catalog, so queries reading them are not told they are unknown.
   */
  service?: SloService;
}

/** The valid alerts of a log spec that fails its schema, with its streams (all of them pass theirs). */
export interface SalvagedLogs {
  streams: LogStream[];
  alerts: Array<{ index: number; alert: LogAlert }>;
}

/**
 * The parts of declarations that failed their schema which are valid on their own. They stay out of the
 * specs and nothing is generated from them (their declaration's error stops generation), but their queries
 * are checked, so one run reports a declaration's schema errors and its query errors together.
 */
export interface SalvagedSpecs {
  rules: Array<Located<SalvagedRule[]>>;
  dashboards: Array<Located<SalvagedDashboard>>;
  slos: Array<Located<SalvagedSloService>>;
  logs: Array<Located<SalvagedLogs>>;
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
