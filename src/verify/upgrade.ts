import { Catalog } from '../model/catalog-index.ts';
import type { FamilyChange, Metric, Source, UpstreamRef } from '../model/catalog.ts';
import { changesBetween, pinnedRelease, resolveRelease, sourceAt } from '../model/catalog-versions.ts';
import type { SpecLocation } from '../model/diagnostics.ts';
import type { Model } from '../model/model.ts';
import type { Plan } from '../plan/index.ts';
import { toExpr, walk, type Expr, type SelectorExpr } from '../promql/ast.ts';
import { parsePromQL } from '../promql/parse.ts';
import { generatedQueries, type QueryKind } from './generated-queries.ts';

/**
 * `infermon check --upgrade SOURCE=VERSION`: every alert, recording rule, SLO and dashboard panel whose
 * query reads a family of an upgraded source, compared between the release the deployment pins and the
 * target release. A query breaks when a family it reads is gone or retyped, or a label it uses is gone;
 * it changes meaning when the family's buckets or unit change, or the family is deprecated.
 */

export interface UpgradeTarget {
  source: string;
  version: string;
}

export interface SourceUpgrade {
  source: string;
  component: string;
  from: string;
  to: string;
}

export type ImpactSeverity = 'breaks' | 'changes';

export interface UpgradeImpact {
  severity: ImpactSeverity;
  kind: QueryKind;
  /** The alert, recording rule, SLO or panel. */
  name: string;
  at: SpecLocation;
  family: string;
  change: FamilyChange['change'] | 'deprecated' | 'label-removed';
  /** The release that makes the change. */
  version: string;
  message: string;
  fix: string;
  /** Where the change was read upstream; absent for facts recorded without one. */
  ref?: UpstreamRef;
  /** What the catalog notes about the change (a default set, a release not read). */
  note?: string;
}

export interface UpgradeReport {
  upgrades: SourceUpgrade[];
  checked: { queries: number };
  impacts: UpgradeImpact[];
}

/** `vllm=0.15` → `{ source: 'vllm', version: '0.15' }`; undefined when it is not of that form. */
export function parseUpgradeTarget(text: string): UpgradeTarget | undefined {
  const match = /^([a-z][a-z0-9-]*)=(\S+)$/.exec(text.trim());
  return match ? { source: match[1]!, version: match[2]! } : undefined;
}

function code(text: string): string {
  return `\`${text}\``;
}

/** Each target with the source it upgrades; throws with the names and releases to choose from. */
function resolveTargets(model: Model, targets: readonly UpgradeTarget[]): Map<string, SourceUpgrade> {
  const sources = new Map(model.specs.source.map((s) => [s.value.name, s.value]));
  const upgrades = new Map<string, SourceUpgrade>();
  for (const target of targets) {
    const source = sources.get(target.source);
    const versioned = [...sources.values()].filter((s) => s.history).map((s) => s.name);
    if (!source) throw new Error(`no source of the specs is called ${target.source}; sources with a release history: ${versioned.join(', ')}`);
    const history = source.history;
    if (!history) throw new Error(`source ${target.source} records no release history; sources with one: ${versioned.join(', ')}`);
    const to = resolveRelease(history, target.version);
    if (!to) throw new Error(`${target.source}: \`${target.version}\` is no release of ${history.upstream} the catalog has read; known: ${history.releases.join(', ')}`);
    const from = pinnedRelease(source) ?? history.current;
    upgrades.set(source.name, { source: source.name, component: source.component, from, to });
    // Deployments of the same upstream at the same release share one view of its families in the catalog,
    // so a query cannot tell them apart: they move together.
    for (const other of sources.values())
      if (!upgrades.has(other.name) && other.history?.upstream === history.upstream && (pinnedRelease(other) ?? other.history.current) === from)
        upgrades.set(other.name, { source: other.name, component: other.component, from, to });
  }
  return upgrades;
}

/** Label names the query relies on: matchers, by()/without(), on()/ignoring() and group_x() labels. */
function labelsUsed(root: Expr): Set<string> {
  const used = new Set<string>();
  for (const node of walk(root)) {
    if (node.kind === 'selector') for (const m of node.matchers) if (m.label !== '__name__') used.add(m.label);
    if (node.kind === 'aggregate') for (const l of node.grouping?.labels ?? []) used.add(l);
    if (node.kind === 'binary') for (const l of [...(node.matching?.labels ?? []), ...(node.matching?.include ?? [])]) used.add(l);
  }
  return used;
}

function isGone(m: Metric): boolean {
  return m.removedIn !== undefined || (m.renamedTo !== undefined && m.deprecated === undefined) || m.absentUntil !== undefined;
}

/** Numeric `le` values a selector pins: `le="0.5"`, or the alternatives of `le=~"0.5|0.5.0"`. */
function leValues(s: SelectorExpr): number[] {
  return s.matchers
    .filter((m) => m.label === 'le' && !m.variable && (m.op === '=' || m.op === '=~'))
    .flatMap((m) => (m.op === '=' ? [m.value] : m.value.split('|')))
    .map(Number)
    .filter((v) => Number.isFinite(v));
}

function listed(values: readonly number[]): string {
  return values.length === 0 ? 'none' : values.join(', ');
}

interface FamilyPair {
  name: string;
  suffix: string;
  before: Metric;
  after: Metric;
  upgrade: SourceUpgrade;
  changes: FamilyChange[];
  /** The family's earlier name, when the target release still exposes that one. */
  former?: string;
}

type Finding = Omit<UpgradeImpact, 'kind' | 'name' | 'at'>;

function changeOf(pair: FamilyPair, kinds: readonly FamilyChange['change'][]): FamilyChange | undefined {
  return pair.changes.find((c) => kinds.includes(c.change));
}

function found(pair: FamilyPair, severity: ImpactSeverity, change: UpgradeImpact['change'], recorded: FamilyChange | undefined, version: string, message: string, fix: string): Finding {
  return {
    severity,
    family: pair.before.name,
    change,
    version: recorded?.version ?? version,
    message,
    fix,
    ...(recorded ? { ref: recorded.ref } : {}),
    ...(recorded?.note ? { note: recorded.note } : {}),
  };
}

function familyGone(pair: FamilyPair): Finding {
  const { before, after, upgrade, suffix, name } = pair;
  const component = upgrade.component;
  if (after.absentUntil !== undefined) {
    const recorded = changeOf(pair, ['added']);
    const former = pair.former ? `${pair.former}${suffix}` : undefined;
    return found(
      pair,
      'breaks',
      'added',
      recorded,
      after.absentUntil,
      `${code(name)} is not in ${component} ${upgrade.to}; it was added in ${after.absentUntil}${former ? `, before that it was ${code(former)}` : ''}`,
      former ? `use ${code(former)}, or keep ${component} at ${after.absentUntil} or later` : `keep ${component} at ${after.absentUntil} or later, or query what ${upgrade.to} exposes instead`,
    );
  }
  const recorded = changeOf(pair, ['renamed', 'removed']);
  const replacement = after.renamedTo ? `${after.renamedTo}${suffix}` : undefined;
  const version = after.removedIn ?? upgrade.to;
  return found(
    pair,
    'breaks',
    replacement ? 'renamed' : 'removed',
    recorded,
    version,
    replacement ? `${code(name)} is renamed to ${code(replacement)} in ${component} ${version}` : `${code(name)} is removed in ${component} ${version}`,
    replacement ? `use ${code(replacement)}` : `drop the query; the catalog says: ${before.help}`,
  );
}

/** What the upgrade does to one family read by one query. */
function familyFindings(pair: FamilyPair, used: ReadonlySet<string>, selector: SelectorExpr): Finding[] {
  const { before, after, upgrade, name } = pair;
  if (isGone(after)) return [familyGone(pair)];
  const out: Finding[] = [];
  const component = upgrade.component;
  if (before.type !== after.type) {
    const recorded = changeOf(pair, ['retyped']);
    out.push(
      found(pair, 'breaks', 'retyped', recorded, upgrade.to, `${code(before.name)} turns from a ${before.type} into a ${after.type} in ${component} ${recorded?.version ?? upgrade.to}`, after.type === 'gauge' ? 'read the gauge directly (or with avg_over_time/max_over_time) instead of rate()/increase()' : `query it as a ${after.type}: rate()/increase() on a counter, the _bucket series of a histogram`),
    );
  }
  for (const label of used) {
    if (!(label in before.labels) || label in after.labels) continue;
    const recorded = pair.changes.find((c) => c.change === 'relabelled' && (c.removed.includes(label) || label in c.renamed));
    const renamed = recorded?.change === 'relabelled' ? recorded.renamed[label] : undefined;
    out.push(
      found(
        pair,
        'breaks',
        'label-removed',
        recorded,
        upgrade.to,
        `label ${code(label)} of ${code(before.name)} is ${renamed ? `renamed to ${code(renamed)}` : 'gone'} in ${component} ${recorded?.version ?? upgrade.to}`,
        renamed ? `use ${code(renamed)} instead of ${code(label)}` : `drop ${code(label)} from the query's matchers and by()/on() clauses`,
      ),
    );
  }
  if (pair.suffix === '_bucket' && JSON.stringify(before.buckets ?? []) !== JSON.stringify(after.buckets ?? [])) {
    const recorded = changeOf(pair, ['rebucketed']);
    const version = recorded?.version ?? upgrade.to;
    const boundaries = after.buckets ?? [];
    const missing = leValues(selector).filter((v) => !boundaries.includes(v));
    const added = boundaries.filter((b) => !(before.buckets ?? []).includes(b));
    const dropped = (before.buckets ?? []).filter((b) => !boundaries.includes(b));
    if (missing.length > 0)
      out.push(found(pair, 'breaks', 'rebucketed', recorded, version, `${code(`${name}{le="${missing.join('|')}"}`)} is no bucket boundary in ${component} ${version}`, `use one of its boundaries: ${listed(boundaries)}`));
    else
      out.push(found(pair, 'changes', 'rebucketed', recorded, version, `the buckets of ${code(before.name)} change in ${component} ${version} (added ${listed(added)}; removed ${listed(dropped)}), so quantiles interpolate between other boundaries`, 'compare quantile panels and thresholds across the upgrade'));
  }
  if (before.unit !== after.unit) {
    const recorded = changeOf(pair, ['unit']);
    out.push(found(pair, 'changes', 'unit', recorded, upgrade.to, `the unit of ${code(before.name)} changes from ${before.unit} to ${after.unit} in ${component} ${recorded?.version ?? upgrade.to}`, 'rescale thresholds and panel units to the new unit'));
  }
  if (after.deprecated !== undefined && before.deprecated === undefined) {
    const replacement = after.renamedTo ? `${after.renamedTo}${pair.suffix}` : undefined;
    out.push(found(pair, 'changes', 'deprecated', undefined, after.deprecated, `${code(name)} is deprecated in ${component} ${after.deprecated}${replacement ? `; its replacement is ${code(replacement)}` : ''}`, replacement ? `move to ${code(replacement)} before it is removed` : 'plan a replacement before it is removed'));
  }
  return out;
}

/** The catalog with the targets' sources at their target releases (recorded series as in the model). */
function upgradedCatalog(model: Model, upgrades: ReadonlyMap<string, SourceUpgrade>): Catalog {
  const sources: Source[] = model.specs.source.map((s) => sourceAt(s.value, upgrades.get(s.value.name)?.to ?? s.value.version));
  return new Catalog(sources, [], [...model.catalog.extraLabels]).withRecorded(model.catalog.recorded());
}

export function upgradeReport(model: Plan, targets: readonly UpgradeTarget[]): UpgradeReport {
  const upgrades = resolveTargets(model, targets);
  const after = upgradedCatalog(model, upgrades);
  const queries = generatedQueries(model, '5m');
  const impacts: UpgradeImpact[] = [];
  const seen = new Set<string>();
  for (const query of queries) {
    const parsed = parsePromQL(query.expr);
    if (parsed.error) continue;
    const root = toExpr(parsed);
    const used = labelsUsed(root);
    for (const node of walk(root)) {
      if (node.kind !== 'selector' || node.metric === undefined || node.variable) continue;
      const was = model.catalog.lookupSeries(node.metric);
      const upgrade = was ? upgrades.get(was.metric.source) : undefined;
      const now = after.lookupSeries(node.metric);
      if (!was || !upgrade || !now || isGone(was.metric)) continue;
      const source = model.catalog.source(upgrade.source);
      const changes = source?.history ? changesBetween(source.history, was.metric.name, upgrade.from, upgrade.to) : [];
      const former = source?.history?.changes
        .filter((c) => c.change === 'renamed' && c.to === was.metric.name)
        .map((c) => after.family(c.family))
        .find((f) => f !== undefined && !isGone(f))?.name;
      const pair: FamilyPair = { name: node.metric, suffix: was.suffix, before: was.metric, after: now.metric, upgrade, changes, ...(former ? { former } : {}) };
      for (const finding of familyFindings(pair, used, node)) {
        const key = `${query.kind}\n${query.name}\n${finding.family}\n${finding.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        impacts.push({ kind: query.kind, name: query.name, at: query.at, ...finding });
      }
    }
  }
  const named = new Set(targets.map((t) => t.source));
  return { upgrades: [...upgrades.values()].filter((u) => named.has(u.source)), checked: { queries: queries.length }, impacts };
}

export function upgradeBreaks(report: UpgradeReport): boolean {
  return report.impacts.some((i) => i.severity === 'breaks');
}

export function formatRef(ref: UpstreamRef): string {
  return `${ref.repo}${ref.pr ? `#${ref.pr}` : ''} ${ref.path} at ${ref.at}`;
}

export function upgradeText(report: UpgradeReport): string {
  const targets = report.upgrades.map((u) => `${u.source} ${u.from} → ${u.to}`).join(', ');
  const count = (s: ImpactSeverity) => report.impacts.filter((i) => i.severity === s).length;
  const lines = [`infermon check --upgrade ${targets}: ${report.checked.queries} queries checked; ${count('breaks')} break, ${count('changes')} change meaning`];
  const sorted = [...report.impacts].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'breaks' ? -1 : 1));
  for (const i of sorted) {
    const where = `${i.at.file}${i.at.line ? `:${i.at.line}` : ''}: ${i.at.path}`;
    lines.push(`${i.severity} ${i.kind} ${i.name} (${where})`, `  ${i.message}`, `  upstream: ${i.ref ? formatRef(i.ref) : 'no upstream reference recorded'}${i.note ? ` (${i.note})` : ''}`, `  fix: ${i.fix}`);
  }
  return `${lines.join('\n')}\n`;
}

export function upgradeJson(report: UpgradeReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
