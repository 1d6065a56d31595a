import { parseDuration } from '../model/duration.ts';
import { toExpr, unwrap } from '../promql/ast.ts';
import { parsePromQL } from '../promql/parse.ts';
import { OPENSLO_ALERTS_ANNOTATION, OPENSLO_ALERT_NAME_ANNOTATION, OPENSLO_API_VERSION } from '../slo/openslo.ts';
import { BUILTIN_WINDOWS } from '../slo/windows.ts';
import { ImportError, isObj, readDocuments, type ImportInput, type ImportIssue, type ImportResult, type Obj, type SourcedDocument } from './documents.ts';
import { GROUPED_NEEDS_COUNTERS, eventsOf, latencySli, ratedOverWindow, windowTemplate } from './slo-queries.ts';
import { sloSpecFile, type ImportedSlo } from './slo-file.ts';

/**
 * OpenSLO v1 `SLO` and `SLI` documents over Prometheus → `defineSlos` specs. Ratio indicators (good, bad
 * or raw over total), threshold indicators and rolling windows with occurrence budgeting map onto infermon
 * SLOs; time-slice budgeting, calendar windows and other data sources are listed as not expressible.
 */

const THRESHOLD_BAD: Record<string, string> = { lt: '>=', lte: '>', gt: '<=', gte: '<' };

interface Context {
  doc: SourcedDocument;
  skipped: ImportIssue[];
  notes: ImportIssue[];
  slis: ReadonlyMap<string, Obj>;
}

function skipper(ctx: Context) {
  return (field: string, why: string): undefined => {
    ctx.skipped.push({ where: ctx.doc.where, field, why });
    return undefined;
  };
}

/** The Prometheus query of a `metricSource`, or why there is none. */
function queryOf(v: unknown): { query: string } | { why: string } {
  const source = isObj(v) && isObj(v.metricSource) ? v.metricSource : undefined;
  if (!source) return { why: 'needs a `metricSource`' };
  if (typeof source.type === 'string' && source.type.toLowerCase() !== 'prometheus')
    return { why: `a \`${source.type}\` metric source: infermon reads Prometheus` };
  const spec = isObj(source.spec) ? source.spec : {};
  const query = spec.query ?? spec.promql;
  return typeof query === 'string' ? { query: query.trim() } : { why: 'needs `spec.query`' };
}

/** Grouping labels of the query's outer `sum by (...)`, which make it one ratio per group. */
function groupingOf(query: string): string[] {
  const parsed = parsePromQL(query);
  if (parsed.error) return [];
  const top = unwrap(toExpr(parsed));
  return top.kind === 'aggregate' && top.grouping?.mode === 'by' ? top.grouping.labels : [];
}

/** An OpenSLO query as a query over one range: counter metrics without a range are read as rates. */
function ranged(query: string, counter: boolean): string | { why: string } {
  const probe = windowTemplate(query);
  if (!('why' in probe) || !probe.why.includes('no range')) return query;
  if (!counter) return { why: 'a gauge query without a range (`counter: false`) cannot follow the burn-rate windows' };
  return ratedOverWindow(query) ?? { why: 'the query selects no series' };
}

function ratioSli(metric: Obj, at: string, ctx: Context): { sli: Record<string, unknown>; grouping: string[] } | undefined {
  const skip = skipper(ctx);
  const counter = metric.counter === true;
  const side = (name: string): string | undefined => {
    const q = queryOf(metric[name]);
    if ('why' in q) return skip(`${at}.${name}`, q.why);
    const r = ranged(q.query, counter);
    return typeof r === 'string' ? r : skip(`${at}.${name}`, r.why);
  };
  if (metric.raw !== undefined) {
    const raw = side('raw');
    if (raw === undefined) return undefined;
    const t = windowTemplate(raw);
    if ('why' in t) return skip(`${at}.raw`, t.why);
    if (groupingOf(raw).length > 0) return skip(`${at}.raw`, GROUPED_NEEDS_COUNTERS);
    const failure = metric.rawType !== 'success';
    return { sli: { kind: 'raw', errorRatio: failure ? t.template : `1 - (${t.template})` }, grouping: [] };
  }
  const total = side('total');
  const good = metric.good !== undefined ? side('good') : undefined;
  const bad = metric.bad !== undefined ? side('bad') : undefined;
  if (total === undefined || (good === undefined && bad === undefined)) {
    if (metric.good === undefined && metric.bad === undefined) skip(at, 'needs `good` or `bad` next to `total`');
    return undefined;
  }
  const grouping = groupingOf(total);
  if (good !== undefined) {
    const latency = latencySli(good, total, grouping);
    if (latency) return { sli: latency, grouping };
  }
  const errors = eventsOf(bad ?? `(${total}) - (${good})`, grouping);
  const all = eventsOf(total, grouping);
  if ('why' in errors) return skip(`${at}.${bad !== undefined ? 'bad' : 'good'}`, errors.why);
  if ('why' in all) return skip(`${at}.total`, all.why);
  return { sli: { kind: 'ratio', errors: errors.events, total: all.events }, grouping };
}

function thresholdSli(metric: Obj, objective: Obj, at: string, ctx: Context): { sli: Record<string, unknown>; grouping: string[] } | undefined {
  const skip = skipper(ctx);
  const q = queryOf(metric);
  if ('why' in q) return skip(at, q.why);
  const bad = THRESHOLD_BAD[String(objective.op)];
  const value = Number(objective.value);
  if (!bad || !Number.isFinite(value)) return skip(`${at}`, 'a threshold indicator needs the objective\'s `op` (lt, lte, gt, gte) and `value`');
  if (groupingOf(q.query).length > 0) return skip(at, GROUPED_NEEDS_COUNTERS);
  // Each evaluation of the query is one event; the share of evaluations on the wrong side is the error ratio.
  return { sli: { kind: 'raw', errorRatio: `avg_over_time(((${q.query}) ${bad} bool ${value})[{{.window}}:])` }, grouping: [] };
}

const upperCamel = (s: string): string =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

function labelsOf(metadata: Obj, ctx: Context): Record<string, string> | undefined {
  if (!isObj(metadata.labels)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata.labels)) {
    if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
    else if (Array.isArray(v) && v.length === 1) out[k] = String(v[0]);
    else ctx.notes.push({ where: ctx.doc.where, field: `metadata.labels.${k}`, why: 'a label with several values has no Prometheus equivalent and was dropped' });
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function convert(ctx: Context): ImportedSlo[] {
  const skip = skipper(ctx);
  const v = ctx.doc.value as Obj;
  const metadata = isObj(v.metadata) ? v.metadata : {};
  const spec = isObj(v.spec) ? v.spec : {};
  const name = typeof metadata.name === 'string' ? metadata.name : undefined;
  if (!name) return skip('metadata.name', 'is required') ?? [];
  if (typeof spec.service !== 'string') return skip('spec.service', 'is required') ?? [];
  const problems = ctx.skipped.length;
  const budgeting = spec.budgetingMethod ?? 'Occurrences';
  if (budgeting !== 'Occurrences')
    skip('spec.budgetingMethod', `\`${String(budgeting)}\` budgets by time slices; infermon's burn-rate alerts count occurrences (events), so only \`Occurrences\` can be expressed`);
  const windows = Array.isArray(spec.timeWindow) ? spec.timeWindow : [];
  const window = isObj(windows[0]) ? windows[0] : {};
  const period = String(window.duration ?? '');
  if (windows.length !== 1) skip('spec.timeWindow', 'needs exactly one time window');
  else if (window.isRolling !== true || window.calendar !== undefined) skip('spec.timeWindow[0]', 'a calendar window resets the budget on fixed dates; infermon SLOs have rolling windows');
  else if (parseDuration(period) === undefined) skip('spec.timeWindow[0].duration', `\`${period}\` is not a duration infermon reads (e.g. 28d, 4w, 30d)`);
  else if (!BUILTIN_WINDOWS.has(parseDuration(period)!))
    skip('spec.timeWindow[0].duration', `infermon has burn-rate windows built in for 7d, 28d (4w) and 30d; a ${period} SLO needs its own \`windows\` table, which OpenSLO does not give`);
  let indicator: Obj | undefined;
  let indicatorAt = 'spec.indicator.spec';
  if (isObj(spec.indicator)) indicator = isObj(spec.indicator.spec) ? spec.indicator.spec : undefined;
  else if (typeof spec.indicatorRef === 'string') {
    indicator = ctx.slis.get(spec.indicatorRef);
    indicatorAt = `spec.indicatorRef (SLI ${spec.indicatorRef})`;
    if (!indicator) skip('spec.indicatorRef', `no SLI \`${spec.indicatorRef}\` among the inputs`);
  } else skip('spec.indicator', 'an SLO needs `indicator` or `indicatorRef`');
  const objectives = Array.isArray(spec.objectives) ? spec.objectives.filter(isObj) : [];
  if (objectives.length === 0) skip('spec.objectives', 'needs at least one objective');
  for (const key of ['alertPolicies'] as const)
    if (spec[key] !== undefined) ctx.notes.push({ where: ctx.doc.where, field: `spec.${key}`, why: 'not carried over: infermon alerts on Sloth\'s multi-window burn rates, page and ticket' });
  if (ctx.skipped.length > problems || !indicator) return [];
  const annotations = isObj(metadata.annotations) ? metadata.annotations : {};
  const labels = labelsOf(metadata, ctx);
  const alertsOff = annotations[OPENSLO_ALERTS_ANNOTATION] === 'disabled';
  const alertName = typeof annotations[OPENSLO_ALERT_NAME_ANNOTATION] === 'string' ? (annotations[OPENSLO_ALERT_NAME_ANNOTATION] as string) : `${upperCamel(name)}BudgetBurn`;
  if (!alertsOff && annotations[OPENSLO_ALERT_NAME_ANNOTATION] === undefined)
    ctx.notes.push({ where: ctx.doc.where, field: 'metadata', why: `OpenSLO names no alert; the burn-rate alerts are called \`${alertName}\`` });
  const out: ImportedSlo[] = [];
  objectives.forEach((objective, i) => {
    const at = `spec.objectives[${i}]`;
    const target = objective.targetPercent !== undefined ? Number(objective.targetPercent) : Number(objective.target) * 100;
    if (!Number.isFinite(target)) return skip(`${at}.target`, 'needs `target` (0..1) or `targetPercent`');
    let sli: { sli: Record<string, unknown>; grouping: string[] } | undefined;
    if (isObj(indicator!.ratioMetric)) sli = ratioSli(indicator!.ratioMetric, `${indicatorAt}.ratioMetric`, ctx);
    else if (isObj(indicator!.thresholdMetric)) sli = thresholdSli(indicator!.thresholdMetric, objective, `${indicatorAt}.thresholdMetric`, ctx);
    else skip(indicatorAt, 'needs `ratioMetric` or `thresholdMetric`');
    if (!sli) return;
    const slo: Record<string, unknown> = {
      name: objectives.length === 1 ? name : `${name}-${String(objective.name ?? objective.displayName ?? i).toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
      objective: Number(target.toPrecision(15)),
      description: typeof spec.description === 'string' ? spec.description.trim() : undefined,
      period: period === '30d' ? undefined : period,
      labels,
      sli: sli.sli,
      alerting: alertsOff ? { page: { disable: true }, ticket: { disable: true } } : { name: alertName },
    };
    if (sli.grouping.length > 0) slo.groupBy = sli.grouping;
    out.push({ service: spec.service as string, where: ctx.doc.where, field: at, spec: slo });
  });
  return out;
}

/** Reads every input; SLI documents serve `indicatorRef`s, other kinds are listed as not carried over. */
export function importOpenSlo(inputs: readonly ImportInput[]): ImportResult {
  const problems: string[] = [];
  const docs = readDocuments(inputs, problems);
  for (const d of docs) if (!isObj(d.value) || d.value.apiVersion !== OPENSLO_API_VERSION) problems.push(`${d.where}: not an OpenSLO ${OPENSLO_API_VERSION} document`);
  if (problems.length > 0) throw new ImportError(problems);
  const skipped: ImportIssue[] = [];
  const notes: ImportIssue[] = [];
  const slis = new Map<string, Obj>();
  for (const d of docs) {
    const v = d.value as Obj;
    if (v.kind === 'SLI' && isObj(v.metadata) && typeof v.metadata.name === 'string' && isObj(v.spec)) slis.set(v.metadata.name, v.spec);
  }
  const slos: ImportedSlo[] = [];
  for (const doc of docs) {
    const kind = (doc.value as Obj).kind;
    if (kind === 'SLO') slos.push(...convert({ doc, skipped, notes, slis }));
    else if (kind !== 'SLI') notes.push({ where: doc.where, field: 'kind', why: `a \`${String(kind)}\` is not carried over: infermon takes services from the SLOs and alerts from their burn rates` });
  }
  if (slos.length === 0) throw new ImportError(skipped.length > 0 ? skipped.map((s) => `${s.where}: ${s.field}: ${s.why}`) : inputs.map((i) => `${i.file}: no OpenSLO SLO found`));
  const file = sloSpecFile(slos, (where) => where);
  skipped.push(...file.skipped);
  return { text: file.text, skipped, notes };
}
