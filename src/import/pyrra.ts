import { parseDuration } from '../model/duration.ts';
import { BUILTIN_WINDOWS } from '../slo/windows.ts';
import { ImportError, isObj, readDocuments, type ImportInput, type ImportIssue, type ImportResult, type Obj, type SourcedDocument } from './documents.ts';
import { eventsOf, latencySli } from './slo-queries.ts';
import { sloSpecFile, type ImportedSlo } from './slo-file.ts';

/**
 * Pyrra `ServiceLevelObjective` CRs (pyrra.dev/v1alpha1) → `defineSlos` specs. Ratio, latency and
 * bool_gauge indicators map onto infermon SLIs; what infermon cannot express (native-histogram latency,
 * periods without a burn-rate table, Pyrra's absent alerts) is listed with the reason.
 */

export interface PyrraImportOptions {
  /** Service of every SLO; default each CR's namespace (`default` when it has none). */
  service?: string;
}

/** Pyrra's alert name when `alerting.name` is not set. */
const PYRRA_ALERT_NAME = 'ErrorBudgetBurn';
/** Labels under this prefix are copied onto Pyrra's rules (without it); the rest select the CR. */
const RULE_LABEL_PREFIX = 'pyrra.dev/';

const INDICATORS = ['ratio', 'latency', 'latencyNative', 'bool_gauge'] as const;

const metricOf = (v: unknown): string | undefined => (isObj(v) && typeof v.metric === 'string' ? v.metric : undefined);
const sumRate = (selector: string): string => `sum(rate(${selector}[5m]))`;

interface Context {
  doc: SourcedDocument;
  skipped: ImportIssue[];
  notes: ImportIssue[];
}

function sliOf(indicator: Obj, ctx: Context): { sli: Record<string, unknown>; grouping: string[] } | undefined {
  const kinds = INDICATORS.filter((k) => indicator[k] !== undefined);
  const skip = (field: string, why: string): undefined => {
    ctx.skipped.push({ where: ctx.doc.where, field, why });
    return undefined;
  };
  if (kinds.length !== 1) return skip('spec.indicator', `needs exactly one of ${INDICATORS.join(', ')}`);
  const kind = kinds[0]!;
  const body = indicator[kind];
  if (!isObj(body)) return skip(`spec.indicator.${kind}`, 'expected a map');
  const grouping = Array.isArray(body.grouping) ? body.grouping.map(String) : [];
  const at = `spec.indicator.${kind}`;
  const ratio = (errors: string, total: string): Record<string, unknown> | undefined => {
    const e = eventsOf(errors);
    const t = eventsOf(total);
    if ('why' in e) return skip(at, e.why);
    if ('why' in t) return skip(at, t.why);
    return { kind: 'ratio', errors: e.events, total: t.events };
  };
  switch (kind) {
    case 'ratio': {
      const errors = metricOf(body.errors);
      const total = metricOf(body.total);
      if (!errors || !total) return skip(at, 'needs `errors.metric` and `total.metric`');
      const sli = ratio(sumRate(errors), sumRate(total));
      return sli && { sli, grouping };
    }
    case 'latency': {
      const success = metricOf(body.success);
      const total = metricOf(body.total);
      if (!success || !total) return skip(at, 'needs `success.metric` and `total.metric`');
      const latency = latencySli(sumRate(success), sumRate(total));
      if (latency) return { sli: latency, grouping };
      const sli = ratio(`${sumRate(total)} - ${sumRate(success)}`, sumRate(total));
      return sli && { sli, grouping };
    }
    case 'bool_gauge': {
      const metric = metricOf(body);
      if (!metric) return skip(at, 'needs `metric`');
      // Pyrra counts every sample of the 0/1 gauge as an event and its zeros as errors.
      const count = `sum(count_over_time(${metric}[5m]))`;
      const sli = ratio(`${count} - sum(sum_over_time(${metric}[5m]))`, count);
      return sli && { sli, grouping };
    }
    default:
      return skip(at, 'native-histogram latency has no infermon SLI yet: infermon\'s latency SLI reads the classic `_bucket` series; export the histogram with classic buckets and use `latency`');
  }
}

function labelsOf(metadata: Obj, ctx: Context): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(metadata.labels)) return out;
  for (const [k, v] of Object.entries(metadata.labels)) {
    if (k.startsWith(RULE_LABEL_PREFIX)) out[k.slice(RULE_LABEL_PREFIX.length)] = String(v);
    else ctx.notes.push({ where: ctx.doc.where, field: `metadata.labels.${k}`, why: 'selects the CR for the Prometheus operator; the stack\'s targets decide how infermon\'s rules are picked up' });
  }
  return out;
}

function convert(ctx: Context, options: PyrraImportOptions): ImportedSlo | undefined {
  const v = ctx.doc.value as Obj;
  const metadata = isObj(v.metadata) ? v.metadata : {};
  const spec = isObj(v.spec) ? v.spec : {};
  const name = typeof metadata.name === 'string' ? metadata.name : undefined;
  const where = ctx.doc.where;
  const skip = (field: string, why: string): undefined => {
    ctx.skipped.push({ where, field, why });
    return undefined;
  };
  if (!name) return skip('metadata.name', 'is required');
  for (const key of Object.keys(spec))
    if (!['description', 'target', 'window', 'indicator', 'alerting'].includes(key)) ctx.notes.push({ where, field: `spec.${key}`, why: 'has no infermon equivalent and was dropped' });
  const objective = Number(spec.target);
  if (!Number.isFinite(objective)) return skip('spec.target', `\`${String(spec.target)}\` is not a number`);
  const period = String(spec.window ?? '');
  const periodMs = parseDuration(period);
  if (periodMs === undefined) return skip('spec.window', `\`${period}\` is not a Prometheus duration`);
  const noWindows = !BUILTIN_WINDOWS.has(periodMs);
  if (noWindows) skip('spec.window', `infermon has burn-rate windows built in for 7d, 28d (4w) and 30d; a ${period} SLO needs its own \`windows\` table, which Pyrra does not give`);
  if (!isObj(spec.indicator)) return skip('spec.indicator', 'is required');
  const sli = sliOf(spec.indicator, ctx);
  if (!sli || noWindows) return undefined;
  const labels = labelsOf(metadata, ctx);
  const alerting = isObj(spec.alerting) ? spec.alerting : {};
  const disabled = alerting.disabled === true || alerting.burnrates === false;
  if (alerting.absent !== false && !disabled)
    ctx.notes.push({ where, field: 'spec.alerting.absent', why: 'Pyrra also alerts when the SLI\'s series are absent; infermon SLOs have no absent alert (add one to a rule group)' });
  const result: Record<string, unknown> = {
    name,
    objective,
    description: typeof spec.description === 'string' ? spec.description.trim() : undefined,
    period: period === '30d' ? undefined : period,
    labels: Object.keys(labels).length > 0 ? labels : undefined,
    sli: sli.sli,
    alerting: disabled
      ? { page: { disable: true }, ticket: { disable: true } }
      : { name: typeof alerting.name === 'string' ? alerting.name : PYRRA_ALERT_NAME },
  };
  if (sli.grouping.length > 0) result.groupBy = sli.grouping;
  const service = options.service ?? (typeof metadata.namespace === 'string' ? metadata.namespace : 'default');
  return { service, where, field: 'spec', spec: result };
}

/** Reads every input and writes one `defineSlos` per service; what cannot be expressed is listed. */
export function importPyrra(inputs: readonly ImportInput[], options: PyrraImportOptions = {}): ImportResult {
  const problems: string[] = [];
  const docs = readDocuments(inputs, problems);
  for (const d of docs)
    if (!isObj(d.value) || d.value.kind !== 'ServiceLevelObjective' || d.value.apiVersion !== 'pyrra.dev/v1alpha1')
      problems.push(`${d.where}: not a pyrra.dev/v1alpha1 ServiceLevelObjective`);
  if (problems.length > 0) throw new ImportError(problems);
  if (docs.length === 0) throw new ImportError(inputs.map((i) => `${i.file}: no ServiceLevelObjective found`));
  const skipped: ImportIssue[] = [];
  const notes: ImportIssue[] = [];
  const slos = docs.flatMap((doc) => convert({ doc, skipped, notes }, options) ?? []);
  const file = sloSpecFile(slos, (where) => where);
  skipped.push(...file.skipped);
  if (slos.length === 0 || file.skipped.length === slos.length) throw new ImportError(skipped.map((s) => `${s.where}: ${s.field}: ${s.why}`));
  return { text: file.text, skipped, notes };
}
