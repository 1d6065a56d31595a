import { sloServiceSpecSchema } from '../model/slo.ts';
import { catalogExport, catalogMetric } from './catalog-refs.ts';
import { exportName, importLines, type ImportIssue } from './documents.ts';
import { Code, tsLiteral, type LiteralValue } from './ts-literal.ts';

/**
 * The `defineSlos` file an SLO importer writes: one declaration per service, catalog metrics as
 * references to `infermon/catalog`, every SLO validated by the spec schema before it is written.
 */

/** One imported SLO: the spec (metric objects where an SLI names a catalog family) and where it came from. */
export interface ImportedSlo {
  service: string;
  where: string;
  /** Key path of the SLO in its document, for problems. */
  field: string;
  spec: Record<string, unknown>;
}

function literalOf(value: unknown, imports: Set<string>): LiteralValue {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const name = (value as { name?: unknown }).name;
    if (typeof name === 'string' && catalogMetric(name) === value) {
      imports.add(catalogExport(name)!);
      return new Code(catalogExport(name)!);
    }
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, literalOf(v, imports)]));
  }
  if (Array.isArray(value)) return value.map((v) => literalOf(v, imports));
  return value as LiteralValue;
}

/** The spec file, with SLOs the schema refuses moved to `skipped`. */
export function sloSpecFile(slos: readonly ImportedSlo[], origin: (where: string) => string): { text: string; skipped: ImportIssue[] } {
  const skipped: ImportIssue[] = [];
  const byService = new Map<string, ImportedSlo[]>();
  const ids = new Map<string, string>();
  for (const slo of slos) {
    const result = sloServiceSpecSchema.safeParse({ service: slo.service, slos: [slo.spec] });
    if (!result.success) {
      skipped.push({ where: slo.where, field: slo.field, why: result.error.issues.map((i) => `${i.path.slice(2).join('.') || 'service'}: ${i.message}`).join('; ') });
      continue;
    }
    const id = `${slo.service}-${String(slo.spec.name)}`;
    const previous = ids.get(id);
    if (previous !== undefined) {
      skipped.push({ where: slo.where, field: slo.field, why: `SLO \`${id}\` is already imported from ${previous}` });
      continue;
    }
    ids.set(id, `${slo.where}: ${slo.field}`);
    byService.set(slo.service, [...(byService.get(slo.service) ?? []), slo]);
  }
  const imports = new Set<string>();
  const taken = new Set<string>();
  const declarations = [...byService.entries()].map(([service, group]) => {
    const literal = literalOf({ service, slos: group.map((s) => s.spec) }, imports);
    const from = [...new Set(group.map((s) => origin(s.where)))].join(', ');
    return `/** Imported from ${from}. */\nexport const ${exportName(service, 'Slos', taken)} = defineSlos(${tsLiteral(literal)});\n`;
  });
  return { text: `${importLines(['defineSlos'], imports)}\n${declarations.join('\n')}`, skipped };
}
