import { grafanaUid } from '../conventions.ts';
import { checkLogQL, type LogQLProblem } from '../logql/check.ts';
import { alertDashboard, isAlertRule } from '../model/alert-rule.ts';
import type { Diagnostics, SpecLocation } from '../model/diagnostics.ts';
import type { LogStream } from '../model/logs.ts';
import { locate, type Located, type Model } from '../model/model.ts';
import { runbookUrl, type Runbook } from '../model/runbook.ts';
import { checkPromQL, type PromQLProblem } from '../promql/check.ts';
import type { Check } from './check.ts';

/**
 * The links alerts carry and the queries their runbooks suggest: every dashboard an alert names is
 * generated, every runbook or dashboard link into the generated tree points at a page or dashboard that
 * is written, and runbook queries pass the same PromQL and LogQL checks as rules.
 */

function report(d: Diagnostics, at: SpecLocation, p: LogQLProblem | PromQLProblem): void {
  const subject = 'subject' in p ? p.subject : undefined;
  if (p.severity === 'error') d.error(p.code, at, p.message, p.fix, subject);
  else d.warning(p.code, at, p.message, p.fix, subject);
}

/** `streams`: what LogQL queries are held against, by default the log spec's. */
function checkRunbookQueries(
  runbook: Runbook | undefined,
  item: Located<unknown>,
  path: string,
  model: Model,
  d: Diagnostics,
  streams: readonly LogStream[] | undefined = model.specs.logs[0]?.value.streams,
): void {
  runbook?.queries.forEach((q, j) => {
    const at = (field: string) => locate(item, `${path}.runbook.queries[${j}].${field}`);
    if ('promql' in q) {
      const context = { catalog: model.catalog, prometheusMajor: model.stack.value.prometheusMajor, evaluationInterval: model.stack.value.evaluationInterval };
      for (const p of checkPromQL(q.promql, context)) report(d, at('promql'), p);
    } else if (streams) {
      // Without a log spec there are no streams to hold the query against; the page still shows it.
      for (const p of checkLogQL(q.logql, { streams })) report(d, at('logql'), p);
    }
  });
}

interface LinkContext {
  model: Model;
  dashboardIds: Set<string>;
  dashboardUids: Set<string>;
  pages: ReadonlySet<string>;
}

function checkDashboardId(id: string | undefined, at: SpecLocation, ctx: LinkContext, d: Diagnostics): void {
  if (!id || ctx.dashboardIds.has(id)) return;
  const known = [...ctx.dashboardIds].sort();
  d.error(
    'rule/unknown-dashboard',
    at,
    `the alert links dashboard \`${id}\`, which no dashboard spec declares, so its dashboard_url would lead nowhere`,
    known.length > 0 ? `name one of: ${known.join(', ')}; or declare the dashboard (for bundled alerts, or pass \`dashboard: false\`)` : 'declare the dashboard, or pass `dashboard: false` to the bundled alerts',
  );
}

/** A link into the generated tree (runbook pages, Grafana dashboards) that points at nothing generated. */
function unresolvedLink(url: string, ctx: LinkContext): string | undefined {
  const stack = ctx.model.stack.value;
  const runbooks = stack.runbookBaseUrl.replace(/\/$/, '');
  if (url.startsWith(`${runbooks}/`)) {
    const page = url.slice(runbooks.length + 1);
    const name = page.replace(/\.md$/, '');
    if (!page.endsWith('.md') || !ctx.pages.has(name)) return `no runbook page ${page} is generated`;
  }
  const grafana = stack.grafanaUrl?.replace(/\/$/, '');
  if (grafana && url.startsWith(`${grafana}/d/`)) {
    const uid = url.slice(grafana.length + 3).split(/[/?#]/)[0]!;
    if (!ctx.dashboardUids.has(uid)) return `no generated dashboard has UID ${uid}`;
  }
  return undefined;
}

function checkLinks(links: Array<[string, string | undefined]>, at: (field: string) => SpecLocation, ctx: LinkContext, d: Diagnostics): void {
  for (const [field, url] of links) {
    if (!url) continue;
    const problem = unresolvedLink(url, ctx);
    if (problem)
      d.error(
        'rule/unresolved-link',
        at(field),
        `${url} points into the generated tree, but ${problem}`,
        `leave the field out to link the alert's own generated page, or point it at ${runbookUrl(ctx.model.stack.value, '<an alert with a page>')}`,
      );
  }
}

export const checkRunbooks: Check = (model, d) => {
  // A dashboard that failed its schema is still declared: an alert linking it is not told otherwise.
  const ids = [...model.specs.dashboard.map((x) => x.value.id), ...(model.salvaged?.dashboards ?? []).flatMap((x) => x.value.id ?? [])];
  const ctx: LinkContext = {
    model,
    dashboardIds: new Set(ids),
    dashboardUids: new Set(ids.map(grafanaUid)),
    pages: model.runbookPages.names,
  };
  let linksDashboard = false;
  for (const item of model.specs.rules) {
    const group = item.value;
    checkDashboardId(group.dashboard, locate(item, 'dashboard'), ctx, d);
    group.rules.forEach((rule, i) => {
      if (!isAlertRule(rule)) return;
      const path = `rules[${i}]`;
      checkDashboardId(rule.dashboard, locate(item, `${path}.dashboard`), ctx, d);
      linksDashboard ||= alertDashboard(rule, group) !== undefined;
      checkLinks(
        [
          ['runbookUrl', rule.runbookUrl],
          ['annotations.runbook_url', rule.annotations.runbook_url],
          ['annotations.dashboard_url', rule.annotations.dashboard_url],
        ],
        (field) => locate(item, `${path}.${field}`),
        ctx,
        d,
      );
      checkRunbookQueries(rule.runbook, item, path, model, d);
    });
  }
  // The links of a declaration that failed its schema may name what its invalid part declares; its queries
  // stand alone (a log spec's alerts with its own streams).
  for (const salvaged of model.salvaged?.rules ?? [])
    for (const { index, rule } of salvaged.value) if (isAlertRule(rule)) checkRunbookQueries(rule.runbook, salvaged, `rules[${index}]`, model, d);
  for (const salvaged of model.salvaged?.logs ?? [])
    for (const { index, alert } of salvaged.value.alerts) checkRunbookQueries(alert.runbook, salvaged, `alerts[${index}]`, model, d, salvaged.value.streams);
  for (const logs of model.specs.logs)
    logs.value.alerts.forEach((alert, i) => {
      checkDashboardId(alert.dashboard, locate(logs, `alerts[${i}].dashboard`), ctx, d);
      linksDashboard ||= alert.dashboard !== undefined;
      checkRunbookQueries(alert.runbook, logs, `alerts[${i}]`, model, d);
    });
  if (linksDashboard && !model.stack.value.grafanaUrl)
    d.warning(
      'rule/no-grafana-url',
      locate(model.stack, 'grafanaUrl'),
      'alerts name dashboards, but the stack has no Grafana URL, so they carry no dashboard_url',
      'set `grafanaUrl` in the stack settings to the Grafana that serves the generated dashboards',
    );
};
