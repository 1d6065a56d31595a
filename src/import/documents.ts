import { parseAllDocuments } from 'yaml';

/**
 * What every importer shares: input files read as YAML documents, each named the way problems name it
 * (`file` or `file (document N)`), and the list of parts that were not carried over, with the reason.
 */

export interface ImportInput {
  /** Shown in every problem and in the generated file's comments. */
  file: string;
  text: string;
}

export interface SourcedDocument {
  /** `file`, or `file (document N)` when the file holds several. */
  where: string;
  value: unknown;
}

/** A part of an input that the spec does not carry: where it is, which field, and why. */
export interface ImportIssue {
  where: string;
  field: string;
  why: string;
}

export const formatIssue = (i: ImportIssue): string => `${i.where}: ${i.field}: ${i.why}`;

/** Input that cannot be read at all (bad YAML, not the format asked for); every problem at once. */
export class ImportError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

export interface ImportResult {
  /** The TypeScript spec file. */
  text: string;
  /** Whole documents, SLOs or rules that were left out. */
  skipped: ImportIssue[];
  /** Parts of converted items that were dropped or changed. */
  notes: ImportIssue[];
}

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every non-empty YAML document of every input; syntax errors go to `problems`. */
export function readDocuments(inputs: readonly ImportInput[], problems: string[]): SourcedDocument[] {
  const out: SourcedDocument[] = [];
  for (const input of inputs) {
    const docs = parseAllDocuments(input.text);
    docs.forEach((doc, i) => {
      const where = docs.length > 1 ? `${input.file} (document ${i + 1})` : input.file;
      if (doc.errors.length > 0) {
        problems.push(`${where}: ${doc.errors[0]!.message}`);
        return;
      }
      const value: unknown = doc.toJS();
      if (value !== null && value !== undefined) out.push({ where, value });
    });
  }
  return out;
}

/** `my-service.v2` + `Slos` → `myServiceV2Slos`, unique among `taken`. */
export function exportName(text: string, suffix: string, taken: Set<string>): string {
  const words = text.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const camel = words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1))).join('');
  const base = `${/^[0-9]/.test(camel) || camel === '' ? `i${camel}` : camel}${suffix}`;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}${n}`;
  taken.add(name);
  return name;
}

/** The import lines of a generated spec file. */
export function importLines(fromInfermon: Iterable<string>, fromCatalog: Iterable<string>): string {
  const api = [...new Set(fromInfermon)].sort();
  const catalog = [...new Set(fromCatalog)].sort();
  const line = (names: string[], from: string): string => {
    const flat = `import { ${names.join(', ')} } from '${from}';\n`;
    return flat.length <= 120 ? flat : `import {\n${names.map((n) => `  ${n},\n`).join('')}} from '${from}';\n`;
  };
  return line(api, 'infermon') + (catalog.length > 0 ? line(catalog, 'infermon/catalog') : '');
}
