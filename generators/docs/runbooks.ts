import { OUT, generatedHeader } from '../../src/conventions.ts';
import type { RunbookSubject } from '../../src/model/runbook-subjects.ts';
import { textBuiltWhenWritten, type Artifact } from '../../src/model/artifact.ts';
import { mayMatch } from '../../src/model/inhibition.ts';
import type { Plan } from '../../src/plan/index.ts';
import type { RunbookIndex } from '../../src/plan/runbook-pages.ts';
import { logsUrl } from '../../src/model/alert-logs.ts';
import { dashboardUrl } from '../../src/model/runbook.ts';
import { describeAlertTemplate } from '../../src/promql/alert-template.ts';
import { referencedMetrics } from '../../src/promql/analyze.ts';
import { renderTemplate } from '../../src/templates.ts';

/**
 * One runbook page per page the plan assigns, for the alerts of rule groups and the log-based alerts: what
 * it means, what to check first, the queries to run, its dashboard, which alerts routing mutes while it
 * fires, its expression and the metrics behind it.
 */

/** Where runbook pages are written, relative to out/. */
export const RUNBOOK_DIR = `${OUT.docs}/runbooks`;

export function runbookPath(page: string): string {
  return `${RUNBOOK_DIR}/${page}.md`;
}

interface Inhibitions {
  mutes: Set<string>;
  mutesOn: Set<string>;
  mutedBy: Set<string>;
  mutedOn: Set<string>;
}

/** An alert under the name of its page, or its alert name when it has none (an SLO alert). */
type LabelledAlert = { name: string; labels: Readonly<Record<string, string>> };

/**
 * Pairs of such names (source → targets) an inhibit rule can join: some source and some target instance
 * agree on the `equal` labels both carry as fixed values (values set at run time may). Targets fixing every
 * `equal` label are indexed by their values, so a rule over thousands of deployments costs one pass.
 */
function inhibitedPairs(sources: readonly LabelledAlert[], targets: readonly LabelledAlert[], equal: readonly string[]): Map<string, Set<string>> {
  const fixesAll = (a: LabelledAlert) => equal.every((label) => label in a.labels);
  const key = (a: LabelledAlert) => JSON.stringify(equal.map((label) => a.labels[label]));
  const agree = (s: LabelledAlert, t: LabelledAlert) => equal.every((label) => !(label in s.labels && label in t.labels) || s.labels[label] === t.labels[label]);
  const byKey = new Map<string, Set<string>>();
  const partial: LabelledAlert[] = [];
  for (const t of targets) {
    if (!fixesAll(t)) partial.push(t);
    else {
      const k = key(t);
      byKey.set(k, (byKey.get(k) ?? new Set()).add(t.name));
    }
  }
  const pairs = new Map<string, Set<string>>();
  for (const s of sources) {
    const names = new Set(fixesAll(s) ? (byKey.get(key(s)) ?? []) : targets.filter((t) => agree(s, t)).map((t) => t.name));
    for (const t of partial) if (agree(s, t)) names.add(t.name);
    names.delete(s.name);
    if (names.size === 0) continue;
    const muted = pairs.get(s.name) ?? new Set<string>();
    for (const n of names) muted.add(n);
    pairs.set(s.name, muted);
  }
  return pairs;
}

/** Per page (or SLO alert name), the alerts the routing spec's inhibit rules let it mute and be muted by. */
function inhibitions(model: Plan): Map<string, Inhibitions> {
  const byName = new Map<string, Inhibitions>();
  const of = (name: string) => {
    let entry = byName.get(name);
    if (!entry) byName.set(name, (entry = { mutes: new Set(), mutesOn: new Set(), mutedBy: new Set(), mutedOn: new Set() }));
    return entry;
  };
  const [routing] = model.specs.routing;
  if (!routing) return byName;
  const alerts = model.alerts.map((a) => ({ name: model.runbookPages.pageOf(a.origin) ?? a.alertname, alert: a, labels: a.routingLabels }));
  for (const rule of routing.value.inhibitRules) {
    const sources = alerts.filter((a) => mayMatch(rule.sourceMatchers, a.labels, a.alert.dynamicLabels));
    const targets = alerts.filter((a) => mayMatch(rule.targetMatchers, a.labels, a.alert.dynamicLabels));
    for (const [sourceName, targetNames] of inhibitedPairs(sources, targets, rule.equal))
      for (const targetName of targetNames) {
        const source = of(sourceName);
        const target = of(targetName);
        source.mutes.add(targetName);
        target.mutedBy.add(sourceName);
        for (const label of rule.equal) {
          source.mutesOn.add(label);
          target.mutedOn.add(label);
        }
      }
  }
  return byName;
}

/** What every page reads besides its own alert: the alerts it may mute or be muted by, and which have pages. */
interface PageContext {
  model: Plan;
  muting: Map<string, Inhibitions>;
  pages: ReadonlySet<string>;
}

function runbookPage(page: string, s: RunbookSubject, { model, muting, pages }: PageContext): string {
  const stack = model.stack.value;
  const dashboardSpec = s.dashboard ? model.specs.dashboard.find((d) => d.value.id === s.dashboard) : undefined;
  const url = s.dashboard ? dashboardUrl(stack, s.dashboard) : undefined;
  const metrics =
    s.language === 'promql'
      ? [...new Set(referencedMetrics(s.expr))].map((n) => model.catalog.lookupSeries(n)?.metric).filter((m) => m !== undefined)
      : [];
  const inhibited = muting.get(page);
  const linked = (names: Set<string> | undefined) => [...(names ?? [])].filter((n) => pages.has(n)).sort();
  return renderTemplate('docs/runbook.md.hbs', {
    header: generatedHeader(stack, [s.file], '<!--').replace(/\n$/, ' -->'),
    alert: s.alert,
    severity: s.labels.severity,
    team: s.labels.team,
    service: s.labels.service,
    summary: s.summary,
    description: describeAlertTemplate(s.description),
    meaning: s.runbook?.meaning,
    firstChecks: s.runbook?.firstChecks,
    queries: s.runbook?.queries.map((q) => ('promql' in q ? { title: q.title, language: 'promql', text: q.promql } : { title: q.title, language: 'logql', logql: true, text: q.logql })),
    dashboard: dashboardSpec && url ? { title: dashboardSpec.value.title, url } : undefined,
    logs: s.logs ? logsUrl(model, s.logs) : undefined,
    mutes: linked(inhibited?.mutes),
    mutesOn: [...(inhibited?.mutesOn ?? [])].sort(),
    mutedBy: linked(inhibited?.mutedBy),
    mutedOn: [...(inhibited?.mutedOn ?? [])].sort(),
    expr: s.expr,
    language: s.language,
    for: s.for === '0s' ? undefined : s.for,
    file: s.file,
    where: s.where,
    metrics: [...new Map(metrics.map((m) => [m.name, m])).values()],
  });
}

/** The page under an alert name several deployments declare: where each one's own page is. */
function indexPage({ name, instances }: RunbookIndex, model: Plan): string {
  return renderTemplate('docs/runbook-index.md.hbs', {
    header: generatedHeader(model.stack.value, instances.map((i) => i.subject.file), '<!--').replace(/\n$/, ' -->'),
    alert: name,
    instances: instances.map(({ name: page, subject }) => ({ page, summary: subject.summary, group: subject.group, file: subject.file, labels: subject.labels })),
  });
}

/** One file per page and per index; each is rendered as it is written. */
export function runbooks(model: Plan): Artifact[] {
  const context: PageContext = { model, muting: inhibitions(model), pages: model.runbookPages.names };
  return [
    ...model.runbookPages.pages.map(({ name, subject }) => textBuiltWhenWritten(runbookPath(name), () => runbookPage(name, subject, context))),
    ...model.runbookPages.indexes.map((index) => textBuiltWhenWritten(runbookPath(index.name), () => indexPage(index, model))),
  ];
}
