import type { Catalog } from '../model/catalog-index.ts';
import { parseDuration } from '../model/duration.ts';
import { recordedMetric } from '../model/recorded.ts';
import { alertSpecSchema, ruleGroupSpecSchema, severitySchema } from '../model/rules.ts';
import { unsupportedTemplateParts } from '../promql/alert-template.ts';
import { checkPromQL } from '../promql/check.ts';
import { promqlTemplate } from './catalog-refs.ts';
import {
  ImportError,
  exportName,
  importLines,
  isObj,
  readDocuments,
  type ImportInput,
  type ImportIssue,
  type ImportResult,
  type Obj,
  type SourcedDocument,
} from './documents.ts';
import { synthesiseTests, type RecordedRules } from './rule-tests.ts';
import { Code, tsLiteral, type LiteralValue } from './ts-literal.ts';

/**
 * Plain Prometheus rule files and PrometheusRule CRs → `defineRuleGroup` specs. Every expression is
 * checked against the catalog and keeps its exact text, with catalog families written as references;
 * alerts get promtool scenarios found from the catalog's metric types. A rule that would not pass
 * `infermon check` is left out and listed with the reason.
 */

export interface RulesImportOptions {
  /** The catalog the specs are checked against (the user's sources and recording rules). */
  catalog: Catalog;
  prometheusMajor: 2 | 3;
  evaluationInterval?: string;
}

interface RawGroup {
  where: string;
  path: string;
  value: Obj;
}

const GROUP_NAME = /^[a-z][a-z0-9.-]*$/;
const ALERT_NAME = /^[A-Z][A-Za-z0-9]*$/;

function groupsOf(doc: SourcedDocument, problems: string[]): RawGroup[] {
  const v = doc.value;
  if (!isObj(v)) {
    problems.push(`${doc.where}: not a YAML map`);
    return [];
  }
  let groups: unknown;
  let prefix: string;
  if (v.kind === 'PrometheusRule' && typeof v.apiVersion === 'string' && v.apiVersion.startsWith('monitoring.coreos.com/')) {
    groups = isObj(v.spec) ? v.spec.groups : undefined;
    prefix = 'spec.groups';
  } else if ('groups' in v && !('kind' in v)) {
    groups = v.groups;
    prefix = 'groups';
  } else {
    problems.push(`${doc.where}: neither a Prometheus rule file (\`groups:\`) nor a monitoring.coreos.com PrometheusRule`);
    return [];
  }
  if (!Array.isArray(groups)) {
    problems.push(`${doc.where}: ${prefix}: expected a list of rule groups`);
    return [];
  }
  const out: RawGroup[] = [];
  groups.forEach((g, i) => {
    if (!isObj(g) || typeof g.name !== 'string' || !Array.isArray(g.rules)) problems.push(`${doc.where}: ${prefix}[${i}]: a group needs \`name\` and \`rules\``);
    else out.push({ where: doc.where, path: `${prefix}[${i}]`, value: g });
  });
  return out;
}

/** `GPU high temperature` / `gpu_high_temp` → `GpuHighTemp`-style names infermon accepts. */
function alertName(name: string): string {
  if (ALERT_NAME.test(name)) return name;
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function groupName(name: string): string {
  if (GROUP_NAME.test(name)) return name;
  const lowered = name.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '');
  return lowered === '' ? 'imported' : lowered;
}

const strings = (v: unknown): Record<string, string> =>
  isObj(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : String(x)])) : {};

interface Converted {
  literal: { [key: string]: LiteralValue };
  imports: string[];
}

class GroupImporter {
  readonly notes: ImportIssue[] = [];
  readonly skipped: ImportIssue[] = [];
  private readonly recorded = new Map<string, { expr: string; labels: Record<string, string> }>();

  constructor(
    private readonly group: RawGroup,
    private readonly options: RulesImportOptions,
    private catalog: Catalog,
    /** Alert name and static labels → where it was imported: Alertmanager tells alerts apart by both. */
    private readonly identities: Map<string, string>,
  ) {}

  get catalogWithRecords(): Catalog {
    return this.catalog;
  }

  private note(field: string, why: string): void {
    this.notes.push({ where: this.group.where, field: `${this.group.path}.${field}`, why });
  }

  private skip(field: string, why: string): void {
    this.skipped.push({ where: this.group.where, field: `${this.group.path}.${field}`, why });
  }

  /** Errors of the expression against the catalog, or undefined; warnings become notes. */
  private exprProblem(expr: string, field: string): string | undefined {
    const problems = checkPromQL(expr, { catalog: this.catalog, prometheusMajor: this.options.prometheusMajor, evaluationInterval: this.options.evaluationInterval });
    for (const p of problems.filter((x) => x.severity === 'warning')) this.note(field, `${p.code}: ${p.message}`);
    const errors = problems.filter((x) => x.severity === 'error');
    return errors.length > 0 ? errors.map((p) => `${p.code}: ${p.message}; fix: ${p.fix}`).join('; ') : undefined;
  }

  convert(): Converted | undefined {
    const g = this.group.value;
    const rules: LiteralValue[] = [];
    const imports: string[] = [];
    const name = groupName(g.name as string);
    if (name !== g.name) this.note('name', `renamed to \`${name}\`: infermon group names are lower-case with dots or dashes`);
    for (const key of Object.keys(g)) if (!['name', 'interval', 'query_offset', 'limit', 'rules'].includes(key)) this.note(key, 'has no infermon equivalent and was dropped');
    (g.rules as unknown[]).forEach((raw, i) => {
      const at = `rules[${i}]`;
      if (!isObj(raw) || (typeof raw.expr !== 'string' && typeof raw.expr !== 'number')) return this.skip(at, 'a rule needs `expr` and `alert` or `record`');
      const expr = String(raw.expr);
      const converted = typeof raw.record === 'string' ? this.record(raw, expr, at) : typeof raw.alert === 'string' ? this.alert(raw, expr, at) : undefined;
      if (converted === undefined && typeof raw.record !== 'string' && typeof raw.alert !== 'string') this.skip(at, 'a rule needs `alert` or `record`');
      if (converted) {
        rules.push(converted.literal);
        imports.push(...converted.imports);
      }
    });
    if (rules.length === 0) {
      this.skip('rules', 'no rule of the group could be converted');
      return undefined;
    }
    const literal: { [key: string]: LiteralValue } = { name };
    if (g.interval !== undefined) literal.interval = String(g.interval);
    if (g.query_offset !== undefined) literal.queryOffset = String(g.query_offset);
    if (g.limit !== undefined) literal.limit = Number(g.limit);
    literal.rules = rules;
    const parsed = ruleGroupSpecSchema.safeParse({ ...literal, rules: [{ record: 'x', expr: '1' }] });
    if (!parsed.success) {
      this.skip('', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      return undefined;
    }
    return { literal, imports };
  }

  private record(raw: Obj, expr: string, at: string): Converted | undefined {
    const record = raw.record as string;
    const problem = this.exprProblem(expr, `${at}.expr`);
    if (problem) return this.skip(`${at} (record ${record})`, problem), undefined;
    for (const key of Object.keys(raw)) if (!['record', 'expr', 'labels'].includes(key)) this.note(`${at}.${key}`, 'has no infermon equivalent and was dropped');
    const labels = strings(raw.labels);
    this.recorded.set(record, { expr, labels });
    this.catalog = this.catalog.withRecorded([recordedMetric(record, expr, labels, undefined, undefined, this.catalog)]);
    const template = promqlTemplate(expr);
    const literal: { [key: string]: LiteralValue } = { record, expr: template.code };
    if (Object.keys(labels).length > 0) literal.labels = labels;
    return { literal, imports: template.imports };
  }

  private alert(raw: Obj, expr: string, at: string): Converted | undefined {
    const original = raw.alert as string;
    const field = `${at} (alert ${original})`;
    const alert = alertName(original);
    const problem = this.exprProblem(expr, `${at}.expr`);
    if (problem) return this.skip(field, problem), undefined;
    for (const key of Object.keys(raw)) if (!['alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'].includes(key)) this.note(`${at}.${key}`, 'has no infermon equivalent and was dropped');
    const labels = strings(raw.labels);
    const annotations = strings(raw.annotations);
    const severity = labels.severity ?? 'warning';
    if (!severitySchema.safeParse(severity).success)
      return this.skip(field, `severity \`${severity}\` is not one of critical, warning, info; set one of them in the rule's labels`), undefined;
    if (labels.severity === undefined) this.note(field, 'no `severity` label; imported as `warning`');
    const summary = annotations.summary ?? annotations.message ?? annotations.description ?? original;
    const description = annotations.description ?? annotations.message ?? summary;
    if (annotations.summary === undefined) this.note(`${field}.annotations.summary`, `missing; set to ${annotations.message ? 'its `message`' : annotations.description ? 'its description' : 'the alert name'}`);
    const literal: { [key: string]: LiteralValue } = { alert, expr: '' };
    const forText = raw.for === undefined ? undefined : String(raw.for);
    if (forText !== undefined) literal.for = forText;
    if (raw.keep_firing_for !== undefined) literal.keepFiringFor = String(raw.keep_firing_for);
    literal.severity = severity;
    literal.summary = summary;
    literal.description = description;
    if (annotations.runbook_url !== undefined) literal.runbookUrl = annotations.runbook_url;
    for (const [k, v] of [['team', labels.team], ['service', labels.service]] as const) if (v !== undefined) literal[k] = v;
    const otherLabels = Object.fromEntries(Object.entries(labels).filter(([k]) => !['severity', 'team', 'service'].includes(k)));
    const otherAnnotations = Object.fromEntries(Object.entries(annotations).filter(([k]) => !['summary', 'description', 'message', 'runbook_url'].includes(k)));
    if (annotations.message !== undefined && annotations.description !== undefined) otherAnnotations.message = annotations.message;
    if (Object.keys(otherLabels).length > 0) literal.labels = otherLabels;
    if (Object.keys(otherAnnotations).length > 0) literal.annotations = otherAnnotations;
    for (const [k, text] of [['summary', summary], ['description', description], ...Object.entries(otherAnnotations)] as const) {
      const parts = unsupportedTemplateParts(text);
      if (parts.length > 0) return this.skip(field, `annotation \`${k}\` uses template actions promtool tests cannot render here: ${parts.join(', ')}`), undefined;
    }
    const forMs = forText === undefined ? 0 : parseDuration(forText);
    if (forMs === undefined) return this.skip(field, `\`for: ${forText}\` is not a Prometheus duration`), undefined;
    const tests = synthesiseTests(expr, forMs, this.catalog, this.recorded as RecordedRules, [summary, description, ...Object.values(otherAnnotations)]);
    if ('reason' in tests) return this.skip(field, `no promtool scenarios could be made (${tests.reason}); write the group by hand with its tests`), undefined;
    const template = promqlTemplate(expr);
    literal.expr = template.code;
    literal.tests = { firing: tests.firing, quiet: tests.quiet };
    if (alert !== original) this.note(field, `renamed to \`${alert}\`: infermon alert names are UpperCamelCase`);
    const schema = alertSpecSchema.safeParse({ ...literal, expr, tests: { firing: [{ series: [] }], quiet: [{ series: [] }] } });
    if (!schema.success) return this.skip(field, schema.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')), undefined;
    const staticLabels = Object.entries({ ...otherLabels, severity, team: labels.team, service: labels.service }).filter(([, v]) => v !== undefined).sort();
    const identity = `${alert}${JSON.stringify(staticLabels)}`;
    const previous = this.identities.get(identity);
    if (previous !== undefined)
      return this.skip(field, `alert \`${alert}\` with the same labels is already imported from ${previous}; Alertmanager could not tell them apart: rename one or give it a distinguishing label`), undefined;
    this.identities.set(identity, `${this.group.where}: ${this.group.path}.${at}`);
    return { literal, imports: [...template.imports, ...codeIn(literal.tests)] };
  }
}

/** The catalog exports a literal names (the `metric` of each test series). */
function codeIn(value: LiteralValue): string[] {
  if (value instanceof Code) return [value.text];
  if (Array.isArray(value)) return value.flatMap(codeIn);
  if (typeof value === 'object') return Object.values(value).flatMap(codeIn);
  return [];
}

/** Reads every input, converts what `infermon check` will accept, and lists the rest with the reason. */
export function importRules(inputs: readonly ImportInput[], options: RulesImportOptions): ImportResult {
  const problems: string[] = [];
  const groups = readDocuments(inputs, problems).flatMap((doc) => groupsOf(doc, problems));
  if (problems.length > 0) throw new ImportError(problems);
  if (groups.length === 0) throw new ImportError(inputs.map((i) => `${i.file}: no rule groups found`));
  const notes: ImportIssue[] = [];
  const skipped: ImportIssue[] = [];
  const taken = new Set<string>();
  const names = new Set<string>();
  const declarations: string[] = [];
  const imports: string[] = [];
  let usesPromql = false;
  let catalog = options.catalog;
  const identities = new Map<string, string>();
  for (const group of groups) {
    const importer = new GroupImporter(group, options, catalog, identities);
    const converted = importer.convert();
    catalog = importer.catalogWithRecords;
    notes.push(...importer.notes);
    skipped.push(...importer.skipped);
    if (!converted) continue;
    const name = converted.literal.name as string;
    if (names.has(name)) {
      skipped.push({ where: group.where, field: `${group.path}.name`, why: `a group named \`${name}\` was already imported; rule group names are unique` });
      continue;
    }
    names.add(name);
    const text = tsLiteral(converted.literal);
    usesPromql ||= text.includes('promql`');
    imports.push(...converted.imports);
    declarations.push(`/** Imported from ${group.where} (${group.path}). */\nexport const ${exportName(name, 'Rules', taken)} = defineRuleGroup(${text});\n`);
  }
  if (declarations.length === 0) throw new ImportError(skipped.map((s) => `${s.where}: ${s.field}: ${s.why}`));
  const header = importLines(usesPromql ? ['defineRuleGroup', 'promql'] : ['defineRuleGroup'], imports);
  return { text: `${header}\n${declarations.join('\n')}`, skipped, notes };
}
