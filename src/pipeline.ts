import { relative, resolve, sep } from 'node:path';
import { catalogDocs } from '../generators/docs/catalog.ts';
import { runbooks } from '../generators/docs/runbooks.ts';
import { GENERATORS, type Generator } from '../generators/index.ts';
import { CHECKS } from './check/index.ts';
import { checkObjectSizes } from './emit/object-size-check.ts';
import { Catalog } from './model/catalog-index.ts';
import { sourceAt } from './model/catalog-versions.ts';
import { Diagnostics } from './model/diagnostics.ts';
import { SPEC_LOAD_FAILED, loadSpecs } from './model/load.ts';
import { seriesLabelsAddedAbove } from './model/stack.ts';
import { recordedMetrics } from './model/recorded.ts';
import { sloRecordedMetrics } from './slo/recorded.ts';
import { planSloServices } from './slo/sloth-slo.ts';
import { planOf, type Plan } from './plan/index.ts';
import { forgetParses } from './promql/parse.ts';
import type { Artifact } from './model/artifact.ts';
import { kustomizationArtifact } from '../generators/kubernetes/kustomization.ts';
import { OUT } from './conventions.ts';

export interface BuildResult {
  model?: Plan;
  diagnostics: Diagnostics;
}

/** specs/*.ts → the plan of the normalised model. Problems are collected, never thrown. */
export async function buildModel(specDir: string, projectRoot: string): Promise<BuildResult> {
  const { specs, salvaged, diagnostics } = await loadSpecs(resolve(specDir), resolve(projectRoot));
  // Checks across files would read a platform with a file missing (a stack or an alert "not found"): the
  // files that did load are reported on, and the rest waits for the failed ones to load.
  if (diagnostics.items.some((d) => d.code === SPEC_LOAD_FAILED)) return { diagnostics };
  const [stack, ...extraStacks] = specs.stack;
  if (!stack) {
    const file = relative(resolve(projectRoot), resolve(specDir, 'stack.ts')).split(sep).join('/');
    diagnostics.error('spec/missing-stack', { file, path: 'stack' }, 'no stack settings were found', `export \`const stack = defineStack({...})\` from ${file}`);
    return { diagnostics };
  }
  for (const extra of extraStacks)
    diagnostics.error('spec/duplicate-stack', { file: extra.file, path: extra.root }, `a second stack is declared (the first is in ${stack.file})`, 'keep one `defineStack` in the specs');
  // Queries are checked against each source as its pinned release exposes it.
  const base = new Catalog(
    specs.source.map((s) => sourceAt(s.value)),
    [],
    seriesLabelsAddedAbove(stack.value),
  );
  // The SLOs' recordings are catalog entries, so they are normalised before everything else reads them.
  const slos = planSloServices(specs.slos, stack.value.prometheusMajor);
  // The valid recording rules of a group that failed its schema still record for the queries that read them,
  // which would otherwise be told their series is unknown.
  const ruleLists = [...specs.rules.map((group) => group.value.rules), ...salvaged.rules.map((group) => group.value.map((s) => s.rule))];
  // So do the valid SLOs of a service that failed its schema, where the service's own fields are valid; only
  // the catalog sees them, never the generators.
  const salvagedSlos = planSloServices(
    salvaged.slos.flatMap(({ value, ...where }) => (value.service ? [{ value: value.service, ...where }] : [])),
    stack.value.prometheusMajor,
  );
  const catalog = base.withRecorded([...recordedMetrics(ruleLists, base), ...sloRecordedMetrics([...slos, ...salvagedSlos])]);
  const anySalvaged = Object.values(salvaged).some((kind) => kind.length > 0);
  return { model: planOf({ specs, stack, catalog, ...(anySalvaged ? { salvaged } : {}) }, slos), diagnostics };
}

/** Runs every registered check over the model; the query parses kept for the checks go with them. */
export function checkModel(plan: Plan, diagnostics = new Diagnostics()): Diagnostics {
  for (const check of CHECKS) check(plan, diagnostics);
  forgetParses();
  return diagnostics;
}

/** Pages for people to read (metric reference, runbooks): no Kubernetes object among them. */
const DOCUMENTATION: ReadonlySet<Generator> = new Set([catalogDocs, runbooks]);

/**
 * Every artifact, sorted by path. Two generators claiming one path is a programming error.
 * `documentation: false` leaves out the documentation pages, which nothing checks after generation, so
 * `check` does not render them.
 */
export function generateArtifacts(plan: Plan, options: { documentation?: boolean } = {}): Artifact[] {
  const generators = options.documentation === false ? GENERATORS.filter((g) => !DOCUMENTATION.has(g)) : GENERATORS;
  const artifacts = generators.flatMap((generate) => generate(plan));
  const k8sPrefix = `${OUT.kubernetes}/`;
  const k8sFiles = artifacts.filter((a) => a.path.startsWith(k8sPrefix)).map((a) => a.path.slice(k8sPrefix.length));
  if (k8sFiles.length > 0) artifacts.push(kustomizationArtifact(k8sFiles, plan.stack.value));
  const seen = new Set<string>();
  for (const a of artifacts) {
    if (seen.has(a.path)) throw new Error(`two generators produce ${a.path}`);
    seen.add(a.path);
  }
  return artifacts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Checks over the generated documents themselves: what only exists once generated (object sizes). */
export function checkArtifacts(artifacts: readonly Artifact[], diagnostics = new Diagnostics()): Diagnostics {
  checkObjectSizes(artifacts, diagnostics);
  return diagnostics;
}
