import { referencedMetrics } from '../promql/analyze.ts';
import type { SalvagedRule, SalvagedSpecs } from './model.ts';
import { ruleSpecSchema } from './rules.ts';
import type { SpecDeclaration } from './spec.ts';

export function noSalvagedSpecs(): SalvagedSpecs {
  return { rules: [] };
}

function ruleList(spec: unknown): unknown[] {
  const rules = typeof spec === 'object' && spec !== null ? (spec as { rules?: unknown }).rules : undefined;
  return Array.isArray(rules) ? rules : [];
}

function recordedName(rule: unknown): string | undefined {
  const record = typeof rule === 'object' && rule !== null ? (rule as { record?: unknown }).record : undefined;
  return typeof record === 'string' ? record : undefined;
}

/** Each rule of a group that failed its schema, validated on its own. */
function salvageRules(spec: unknown, jitless: boolean): SalvagedRule[] {
  const valid: SalvagedRule[] = [];
  const unrecorded = new Set<string>();
  ruleList(spec).forEach((value, index) => {
    const parsed = ruleSpecSchema.safeParse(value, { jitless });
    if (parsed.success) valid.push({ index, rule: parsed.data });
    else {
      const record = recordedName(value);
      if (record !== undefined) unrecorded.add(record);
    }
  });
  // A rule reading a series that a broken rule of its group records would only be told the series is unknown.
  if (unrecorded.size === 0) return valid;
  return valid.filter(({ rule }) => !referencedMetrics(rule.expr).some((name) => unrecorded.has(name)));
}

/** Keeps what can be checked of a declaration that failed its schema; kinds without a salvage keep nothing. */
export function salvageDeclaration(salvaged: SalvagedSpecs, declaration: SpecDeclaration, where: { file: string; root: string }, jitless: boolean): void {
  if (declaration.kind !== 'rules') return;
  const rules = salvageRules(declaration.spec, jitless);
  if (rules.length > 0) salvaged.rules.push({ value: rules, ...where });
}
