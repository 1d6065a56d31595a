import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  RowBuilder,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { GRAFANA_DASHBOARD_TAG } from '../../src/conventions.ts';
import { sortKeys } from '../../src/model/sort-keys.ts';
import { panelBuilder } from './panels.ts';
import type { ResolvedDashboard } from '../../src/grafana/resolve.ts';
import { datasourceVariable, variableBuilder } from './variables.ts';

/** Grafana's dashboard JSON, as the SDK builds it. */
export type DashboardJson = ReturnType<DashboardBuilder['build']>;

/** The dropdown of every generated dashboard, found by their shared tag. */
function allDashboardsLink(): DashboardLinkBuilder {
  return new DashboardLinkBuilder('Dashboards')
    .type(DashboardLinkType.Dashboards)
    .tags([GRAFANA_DASHBOARD_TAG])
    .asDropdown(true)
    .includeVars(true)
    .keepTime(true)
    .targetBlank(false)
    .icon('external link')
    .tooltip('')
    .url('');
}

/** A header button to one related dashboard, keeping the time range and shared variables. */
function dashboardLink(target: ResolvedDashboard): DashboardLinkBuilder {
  return new DashboardLinkBuilder(target.spec.title)
    .type(DashboardLinkType.Link)
    .url(`/d/${target.uid}`)
    .tags([])
    .asDropdown(false)
    .includeVars(true)
    .keepTime(true)
    .targetBlank(false)
    .icon('dashboard')
    .tooltip(target.spec.description);
}

export function dashboardBuilder(dashboard: ResolvedDashboard, all: readonly ResolvedDashboard[]): DashboardBuilder {
  const spec = dashboard.spec;
  const builder = new DashboardBuilder(spec.title)
    .uid(dashboard.uid)
    .description(spec.description)
    .tags([...new Set([GRAFANA_DASHBOARD_TAG, ...spec.tags])])
    .refresh(spec.refresh)
    .time({ from: spec.from, to: 'now' })
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .editable()
    .withVariable(datasourceVariable());
  for (const variable of dashboard.variables) builder.withVariable(variableBuilder(variable));
  builder.link(allDashboardsLink());
  for (const id of spec.links) {
    const target = all.find((d) => d.spec.id === id);
    if (target) builder.link(dashboardLink(target));
  }
  for (const row of dashboard.rows) {
    const rowBuilder = new RowBuilder(row.title).id(row.id);
    if (row.repeat) rowBuilder.repeat(row.repeat);
    builder.withRow(rowBuilder);
    for (const panel of row.panels) builder.withPanel(panelBuilder(panel));
  }
  return builder;
}

/**
 * The dashboard JSON: a plain, key-sorted copy of what the builder returns (the SDK's objects carry
 * methods), so bytes never depend on builder call order and the builder's own objects stay untouched.
 */
export function dashboardJson(dashboard: ResolvedDashboard, all: readonly ResolvedDashboard[]): DashboardJson {
  const built = dashboardBuilder(dashboard, all).build();
  return sortKeys(JSON.parse(JSON.stringify(built)) as DashboardJson);
}
