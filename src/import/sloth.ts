import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { sloServiceSpecSchema } from '../model/slo.ts';
import { SlothParseError, parseSlothYaml, type ParsedSlothAlert, type ParsedSlothService, type ParsedSlothSlo } from './sloth-parse.ts';
import { slothKeyProblems } from './sloth-keys.ts';
import { tsLiteral, type LiteralValue } from './ts-literal.ts';

/**
 * Sloth specs and PrometheusServiceLevel CRs → an infermon spec file (`defineSlos(...)` per service).
 * Raw SLIs stay raw, events SLIs become ratio SLIs on the same queries, and every label, annotation and
 * page/ticket setting is kept, so the SLOs generate the rules Sloth generated from the originals.
 */

export interface SlothInput {
  /** Shown in every problem and in the generated file's comment. */
  file: string;
  text: string;
}

export interface SlothImportOptions {
  /** SLO period for every imported SLO (Sloth takes it from its command line); 30d when absent. */
  period?: string;
}

export interface SlothImport {
  /** The TypeScript spec file. */
  text: string;
  /** Things that import but will not generate exactly what Sloth did. */
  warnings: string[];
}

export class SlothImportError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/** One parsed Sloth document and where it came from (`file` or `file (document N)`). */
interface SourcedService {
  where: string;
  parsed: ParsedSlothService;
}


const DEFAULT_PERIOD = '30d';

function readInput(input: SlothInput, problems: string[]): SourcedService[] {
  const docs = parseAllDocuments(input.text);
  const whereOf = (i: number): string => (docs.length > 1 ? `${input.file} (document ${i + 1})` : input.file);
  const present: number[] = [];
  let keyProblems = 0;
  docs.forEach((doc, i) => {
    if (doc.errors.length > 0) return;
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    present.push(i);
    for (const p of slothKeyProblems(value)) {
      problems.push(`${whereOf(i)}: ${p}`);
      keyProblems++;
    }
  });
  if (keyProblems > 0) return [];
  let services: ParsedSlothService[];
  try {
    services = parseSlothYaml(input.text, input.file);
  } catch (err) {
    if (!(err instanceof SlothParseError)) throw err;
    problems.push(err.message);
    return [];
  }
  if (services.length === 0) problems.push(`${input.file}: no Sloth spec or PrometheusServiceLevel found`);
  return services.map((parsed, n) => ({ where: whereOf(present[n]!), parsed }));
}

const nonEmpty = (m: Record<string, string>): Record<string, string> | undefined => (Object.keys(m).length > 0 ? m : undefined);

function withoutUndefined(entries: Record<string, LiteralValue | undefined>): { [key: string]: LiteralValue } {
  return Object.fromEntries(Object.entries(entries).filter((e): e is [string, LiteralValue] => e[1] !== undefined));
}

function alertSpec(alert: ParsedSlothAlert): { [key: string]: LiteralValue } | undefined {
  const spec = withoutUndefined({
    disable: alert.disable ? true : undefined,
    labels: nonEmpty(alert.labels),
    annotations: nonEmpty(alert.annotations),
  });
  return Object.keys(spec).length > 0 ? spec : undefined;
}

function sloSpec(slo: ParsedSlothSlo, period: string | undefined): { [key: string]: LiteralValue } {
  const sli: LiteralValue =
    slo.sli.kind === 'events'
      ? { kind: 'ratio', errors: slo.sli.errorQuery, total: slo.sli.totalQuery }
      : { kind: 'raw', errorRatio: slo.sli.errorRatioQuery };
  const a = slo.alerting;
  return withoutUndefined({
    name: slo.name,
    objective: slo.objective,
    description: slo.description,
    period,
    labels: nonEmpty(slo.labels),
    sli,
    alerting: withoutUndefined({
      name: a.name,
      labels: nonEmpty(a.labels),
      annotations: nonEmpty(a.annotations),
      page: alertSpec(a.page),
      ticket: alertSpec(a.ticket),
    }),
  });
}

/** The `defineSlos` argument for one Sloth service. */
export function sloServiceLiteral(service: ParsedSlothService, period?: string): { [key: string]: LiteralValue } {
  const own = period === undefined || period === DEFAULT_PERIOD ? undefined : period;
  return withoutUndefined({
    service: service.service,
    labels: nonEmpty(service.labels),
    slos: service.slos.map((slo) => sloSpec(slo, own)),
  });
}

/** The Sloth key a model path came from, e.g. `['slos', 0, 'alerting', 'page']` → `slos[0].alerting.page_alert`. */
function slothPath(service: ParsedSlothService, modelPath: readonly PropertyKey[]): string {
  const camel = service.format === 'sloth.slok.dev/v1';
  const key = (snake: string, camelCase: string): string => (camel ? camelCase : snake);
  const renames: Record<string, string> = {
    'sli.errors': `sli.events.${key('error_query', 'errorQuery')}`,
    'sli.total': `sli.events.${key('total_query', 'totalQuery')}`,
    'sli.errorRatio': `sli.raw.${key('error_ratio_query', 'errorRatioQuery')}`,
    'alerting.page': `alerting.${key('page_alert', 'pageAlert')}`,
    'alerting.ticket': `alerting.${key('ticket_alert', 'ticketAlert')}`,
  };
  let text = '';
  for (const p of modelPath) text += typeof p === 'number' ? `[${p}]` : `${text === '' ? '' : '.'}${String(p)}`;
  for (const [from, to] of Object.entries(renames)) text = text.replace(new RegExp(`(\\]\\.)${from.replace('.', '\\.')}(?=$|\\.)`), `$1${to}`);
  return camel ? `spec.${text}` : text;
}

/** A record-key issue carries the key's own problems inside it; those are what the author needs. */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key' && issue.issues.length > 0) return issue.issues.map((i) => i.message).join('; ');
  return issue.message;
}

function validate(source: SourcedService, literal: { [key: string]: LiteralValue }, problems: string[]): void {
  const { where, parsed } = source;
  const result = sloServiceSpecSchema.safeParse(literal);
  if (!result.success)
    for (const issue of result.error.issues) problems.push(`${where}: ${slothPath(parsed, issue.path)}: ${issueMessage(issue)}`);
  parsed.slos.forEach((slo, i) => {
    if (!(slo.objective > 0 && slo.objective < 100))
      problems.push(`${where}: ${slothPath(parsed, ['slos', i, 'objective'])}: objective ${slo.objective} is outside 0 < objective < 100`);
  });
}

function alertWarnings(source: SourcedService): string[] {
  const out: string[] = [];
  const defaults = { page: 'critical', ticket: 'warning' } as const;
  source.parsed.slos.forEach((slo, i) => {
    for (const severity of ['page', 'ticket'] as const) {
      const alert = slo.alerting[severity];
      if (alert.disable || slo.alerting.name === undefined) continue;
      if ('severity' in slo.alerting.labels || 'severity' in alert.labels) continue;
      out.push(
        `${source.where}: ${slothPath(source.parsed, ['slos', i, 'alerting', severity])}: no \`severity\` label; infermon adds \`severity: ${defaults[severity]}\` to this alert, which Sloth does not`,
      );
    }
  });
  return out;
}

/** `my-service.v2` → `myServiceV2Slos`. */
function exportName(service: string, taken: Set<string>): string {
  const words = service.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const camel = words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1))).join('');
  const base = `${/^[0-9]/.test(camel) ? `s${camel}` : camel}Slos`;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}${n}`;
  taken.add(name);
  return name;
}

function describeSource(source: SourcedService): string {
  const m = source.parsed.metadata;
  return m ? `${source.where} (PrometheusServiceLevel ${m.namespace ? `${m.namespace}/` : ''}${m.name})` : `${source.where} (Sloth ${source.parsed.format})`;
}

/** Documents grouped by service, in order of first appearance: infermon declares each service once. */
function byService(sources: readonly SourcedService[]): SourcedService[][] {
  const groups = new Map<string, SourcedService[]>();
  for (const s of sources) groups.set(s.parsed.service, [...(groups.get(s.parsed.service) ?? []), s]);
  return [...groups.values()];
}

/**
 * One service declared in several documents. Service labels that differ between them move onto each
 * SLO (where the SLO's own labels still win), which leaves every rule's labels as they were.
 */
function mergedLiteral(group: readonly SourcedService[], period: string | undefined): { [key: string]: LiteralValue } {
  const first = group[0]!.parsed;
  const sameLabels = group.every((s) => JSON.stringify(s.parsed.labels) === JSON.stringify(first.labels));
  const slos = group.flatMap((s) =>
    s.parsed.slos.map((slo) => (sameLabels ? slo : { ...slo, labels: { ...s.parsed.labels, ...slo.labels } })),
  );
  return sloServiceLiteral({ ...first, labels: sameLabels ? first.labels : {}, slos }, period);
}

/**
 * Reads every input, reports every problem at once (`SlothImportError`), and returns the spec file text.
 */
export function importSloth(inputs: readonly SlothInput[], options: SlothImportOptions = {}): SlothImport {
  const problems: string[] = [];
  const sources = inputs.flatMap((input) => readInput(input, problems));
  for (const source of sources) validate(source, sloServiceLiteral(source.parsed, options.period), problems);
  const ids = new Map<string, string>();
  sources.forEach((source) =>
    source.parsed.slos.forEach((slo, i) => {
      const id = `${source.parsed.service}-${slo.name}`;
      const at = `${source.where}: ${slothPath(source.parsed, ['slos', i, 'name'])}`;
      const previous = ids.get(id);
      if (previous !== undefined) problems.push(`${at}: SLO ID \`${id}\` is already declared at ${previous}`);
      else ids.set(id, at);
    }),
  );
  if (problems.length > 0) throw new SlothImportError(problems);

  const taken = new Set<string>();
  const declarations = byService(sources).map((group) => {
    const name = exportName(group[0]!.parsed.service, taken);
    const origin = group.map(describeSource).join(', ');
    return `/** Imported from ${origin}. */\nexport const ${name} = defineSlos(${tsLiteral(mergedLiteral(group, options.period))});\n`;
  });
  const text = `import { defineSlos } from 'infermon';\n\n${declarations.join('\n')}`;
  return { text, warnings: sources.flatMap(alertWarnings) };
}
