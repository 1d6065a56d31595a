import type { MetricSpec } from '../../src/model/catalog.ts';
import type { Family } from '../../src/runtime/telemetry/exposition.ts';

const TYPE_OF: Record<string, string> = { counter: 'counter', gauge: 'gauge', histogram: 'histogram', summary: 'summary', info: 'gauge' };

/**
 * Every problem with an exposition measured against catalog families: unknown or removed families,
 * wrong types, label names, bucket bounds, enum values outside the catalog, and (unless conditional or
 * removed) catalog families that are missing.
 */
export function conformanceProblems(exposed: Map<string, Family>, catalog: readonly MetricSpec[], requireConditional = false): string[] {
  const problems: string[] = [];
  const byName = new Map(catalog.map((m) => [m.name, m]));
  for (const family of exposed.values()) {
    const m = byName.get(family.name);
    if (!m) {
      problems.push(`${family.name}: exposed but not in the catalog`);
      continue;
    }
    if (m.removedIn) problems.push(`${family.name}: exposed but removed in ${m.removedIn}`);
    if (TYPE_OF[m.type] !== family.type) problems.push(`${family.name}: type ${family.type}, catalog says ${m.type}`);
    const expected = Object.keys(m.labels ?? {}).sort().join(',');
    const buckets = new Set<string>();
    for (const s of family.samples) {
      const names = Object.keys(s.labels).filter((l) => !(l === 'le' && s.name.endsWith('_bucket')));
      if (names.sort().join(',') !== expected) problems.push(`${s.name}: labels {${names.join(',')}}, catalog says {${expected}}`);
      if (s.name.endsWith('_bucket')) buckets.add(s.labels.le!);
      for (const [label, value] of Object.entries(s.labels)) {
        const spec = m.labels?.[label];
        if (spec?.kind === 'enum' && !spec.values!.includes(value)) problems.push(`${s.name}{${label}="${value}"}: not a catalog value`);
      }
    }
    if (m.type === 'histogram' && family.samples.length > 0) {
      const want = [...(m.buckets ?? []).map(String), '+Inf'].join(',');
      const got = [...buckets].sort((a, b) => Number(a) - Number(b)).join(',');
      if (got !== want) problems.push(`${family.name}: buckets ${got}, catalog says ${want}`);
    }
  }
  for (const m of catalog) {
    if (m.removedIn || (m.conditional && !requireConditional)) continue;
    if (!exposed.get(m.name)?.samples.length) problems.push(`${m.name}: in the catalog but no series exposed`);
  }
  return problems;
}
