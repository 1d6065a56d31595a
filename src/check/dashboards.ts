import { undeclaredVariableNames, type ResolvedDashboard } from '../grafana/resolve.ts';
import type { Plan } from '../plan/index.ts';
import { labelValuesQuery } from '../grafana/variables.ts';
import { GRAFANA_DATASOURCE_VARIABLE } from '../conventions.ts';
import { ALLOWED_WINDOWS, rangeWindows } from '../grafana/lint.ts';
import type { Diagnostics, SpecLocation } from '../model/diagnostics.ts';
import type { Panel } from '../model/dashboard.ts';
import { locate, type Located, type Model, type SalvagedDashboard } from '../model/model.ts';
import { checkPromQL } from '../promql/check.ts';
import { substituteVariables } from '../promql/parse.ts';
import { didYouMean } from '../promql/did-you-mean.ts';

/**
 * Dashboards against the catalog and each other: every panel query and variable query through the
 * PromQL checker (with the dashboard's variables allowed), `$__rate_interval` in every range, every
 * variable used, links to dashboards that exist, and unique ids and UIDs.
 */

function at(base: SpecLocation, suffix: string): SpecLocation {
  return { file: base.file, path: `${base.path}${suffix}` };
}

function usedVariables(expr: string): string[] {
  return substituteVariables(expr).variables.map((v) => v.name);
}

/** What the query checks read of a dashboard: a resolved one, or the valid parts of one that failed its schema. */
interface QueriedDashboard {
  spec: { id: string };
  at: SpecLocation;
  rows: ReadonlyArray<{ title: string; panels: ReadonlyArray<Panel & { at: SpecLocation }> }>;
  variables: ResolvedDashboard['variables'];
}

/** The names queries may use as variables; true: any name. */
type AllowedVariables = string[] | true;

function checkQueries(model: Model, dashboard: QueriedDashboard, allowed: AllowedVariables, diagnostics: Diagnostics): Set<string> {
  const used = new Set<string>();
  const ctx = { catalog: model.catalog, prometheusMajor: model.stack.value.prometheusMajor, grafanaVariables: allowed };
  for (const row of dashboard.rows) {
    for (const panel of row.panels) {
      // Panels a section generated from another spec (an SLO) point at that spec, which has no queries.
      const authored = panel.at.file === dashboard.at.file && panel.at.path.startsWith(`${dashboard.at.path}.rows`);
      panel.queries.forEach((query, i) => {
        const where = authored ? at(panel.at, `.queries[${i}].expr`) : panel.at;
        for (const name of usedVariables(query.expr)) used.add(name);
        for (const problem of checkPromQL(query.expr, ctx)) {
          const message = `${dashboard.spec.id} › ${row.title} › ${panel.title}: ${problem.message}`;
          if (problem.severity === 'error') diagnostics.error(problem.code, where, message, problem.fix, problem.subject);
          else diagnostics.warning(problem.code, where, message, problem.fix, problem.subject);
        }
        for (const window of rangeWindows(query.expr)) {
          if ((ALLOWED_WINDOWS as readonly string[]).includes(window)) continue;
          diagnostics.error(
            'dashboard/fixed-rate-window',
            where,
            `${dashboard.spec.id} › ${panel.title}: range [${window}] is fixed, so the panel breaks when zoomed`,
            'use [$__rate_interval] (or [$__range] for a total over the dashboard range)',
          );
        }
      });
    }
  }
  return used;
}

function checkVariables(model: Model, dashboard: QueriedDashboard, allowed: AllowedVariables, diagnostics: Diagnostics): Set<string> {
  const used = new Set<string>();
  const names = new Set<string>([GRAFANA_DATASOURCE_VARIABLE]);
  for (const variable of dashboard.variables) {
    const where = variable.at;
    if (names.has(variable.name))
      diagnostics.error(
        'dashboard/duplicate-variable',
        where,
        `${dashboard.spec.id}: variable \`${variable.name}\` is declared twice`,
        'give each variable its own name (`datasource` is reserved)',
      );
    names.add(variable.name);
    if (variable.type !== 'label') continue;
    const selector = `${variable.series}${variable.matchers ?? ''}`;
    for (const name of usedVariables(selector)) used.add(name);
    const problems = checkPromQL(selector, {
      catalog: model.catalog,
      prometheusMajor: model.stack.value.prometheusMajor,
      grafanaVariables: allowed,
    });
    for (const problem of problems)
      diagnostics.error(problem.code, where, `${dashboard.spec.id} › $${variable.name}: ${problem.message}`, problem.fix);
    const found = model.catalog.lookupSeries(variable.series);
    if (found && !model.catalog.labelNames(found.metric, found.suffix).includes(variable.labelName))
      diagnostics.error(
        'dashboard/unknown-variable-label',
        where,
        `${dashboard.spec.id} › $${variable.name}: \`${labelValuesQuery(variable)}\` reads label \`${variable.labelName}\`, which \`${variable.series}\` does not have${didYouMean(variable.labelName, model.catalog.labelNames(found.metric, found.suffix))}`,
        `use one of ${model.catalog.labelNames(found.metric, found.suffix).join(', ')}`,
      );
  }
  return used;
}

/**
 * The valid panels and variables of a dashboard that failed its schema, through the same query checks at
 * their places. Whether every variable is used, and what its links name, wait for the whole dashboard.
 */
function checkSalvagedDashboard(model: Plan, item: Located<SalvagedDashboard>, diagnostics: Diagnostics): void {
  const { id, rows, variables, variableNames: names } = item.value;
  const allowed = names ? [...names.declared, ...undeclaredVariableNames(model, names.crossClusterSeries, names.generated, locate(item))] : true;
  const dashboard: QueriedDashboard = {
    spec: { id: id ?? item.root },
    at: locate(item),
    rows: rows.map((row) => ({ title: row.title, panels: row.panels.map(({ index, panel }) => ({ ...panel, at: locate(item, `rows[${row.index}].panels[${index}]`) })) })),
    variables: variables.map(({ index, variable }) => ({ ...variable, at: locate(item, `variables[${index}]`) })),
  };
  checkQueries(model, dashboard, allowed, diagnostics);
  checkVariables(model, dashboard, allowed, diagnostics);
}

export function checkDashboards(model: Plan, diagnostics: Diagnostics): void {
  const items = model.specs.dashboard;
  const dashboards = model.dashboards;
  const byId = new Map<string, number>();
  const byUid = new Map<string, number>();
  dashboards.forEach((dashboard, index) => {
    const item = items[index]!;
    const id = dashboard.spec.id;
    const previous = byId.get(id);
    if (previous !== undefined)
      diagnostics.error(
        'dashboard/duplicate-id',
        locate(item, 'id'),
        `dashboard id \`${id}\` is also used in ${items[previous]!.file}`,
        "give every dashboard its own id: change the `id` of a hand-written dashboard; for a bundled dashboard, pass `name` to its factory (`name: 'chat'` makes the id `chat-<its default id>`)",
      );
    else if (byUid.has(dashboard.uid)) {
      const other = dashboards[byUid.get(dashboard.uid)!]!;
      diagnostics.error(
        'dashboard/duplicate-uid',
        locate(item, 'id'),
        `dashboard id \`${id}\` gives UID \`${dashboard.uid}\`, the UID of \`${other.spec.id}\` in ${items[byUid.get(dashboard.uid)!]!.file}: UIDs fold repeated and trailing dashes`,
        `choose an id that differs from \`${other.spec.id}\` in more than its dashes`,
      );
    }
    byId.set(id, index);
    byUid.set(dashboard.uid, index);

    const allowed = dashboard.variables.map((v) => v.name);
    const used = checkQueries(model, dashboard, allowed, diagnostics);
    for (const name of checkVariables(model, dashboard, allowed, diagnostics)) used.add(name);
    for (const row of dashboard.rows) if (row.repeat) used.add(row.repeat);
    dashboard.variables.forEach((variable) => {
      if (used.has(variable.name)) return;
      diagnostics.error(
        'dashboard/unused-variable',
        variable.at,
        `${id}: variable \`$${variable.name}\` is not used by any panel query or other variable`,
        `filter the panel queries on \`$${variable.name}\`, or remove the variable`,
      );
    });

    dashboard.spec.links.forEach((link, i) => {
      if (dashboards.some((d) => d.spec.id === link)) return;
      diagnostics.error(
        'dashboard/unknown-link',
        locate(item, `links[${i}]`),
        `${id} links to dashboard \`${link}\`, which no spec defines${didYouMean(link, dashboards.map((d) => d.spec.id))}`,
        'link to the id of a dashboard under specs/dashboards/',
      );
    });
  });
  for (const item of model.salvaged?.dashboards ?? []) checkSalvagedDashboard(model, item, diagnostics);
}
