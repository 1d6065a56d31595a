import { resolve } from 'node:path';
import { Catalog } from '../../src/model/catalog-index.ts';
import { loadSpecs } from '../../src/model/load.ts';
import { planOf, type Plan } from '../../src/plan/index.ts';
import { recordedMetrics } from '../../src/model/recorded.ts';
import type { Stack } from '../../src/model/stack.ts';
import { PROJECT_ROOT } from '../support/paths.ts';


/** The model of the project's own specs (catalog, rules, stack, routing, logs). */
export async function projectModel(): Promise<Plan> {
  const { specs } = await loadSpecs(resolve(PROJECT_ROOT, 'specs'), PROJECT_ROOT);
  const stack = specs.stack[0];
  if (!stack) throw new Error('specs/stack.ts declares no stack');
  const base = new Catalog(
    specs.source.map((s) => s.value),
    [],
    Object.keys(stack.value.externalLabels),
  );
  // Alerts over recorded series (the GPU-to-model join) carry the labels the recordings give them.
  const catalog = base.withRecorded(recordedMetrics(specs.rules.map((g) => g.value.rules), base));
  return planOf({ specs, stack, catalog });
}

/** A copy of the model with stack settings replaced. */
export function withStack(model: Plan, change: Partial<Stack>): Plan {
  return planOf({ ...model, stack: { ...model.stack, value: { ...model.stack.value, ...change } } });
}
