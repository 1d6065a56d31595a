import type { DashboardSpec, RowSpec, VariableSpec } from '../../model/dashboard.ts';
import { defineDashboard } from '../../model/spec.ts';
import { scopeDashboard, type ContentScope } from '../scope.ts';

/** What every bundled dashboard takes, on top of the scope. */
export interface DashboardConfig extends ContentScope {
  /**
   * Ids of the dashboards shown as header links, used as written, or `false` for none. Left out, the
   * dashboard links to the bundled dashboards it usually sits beside, under the same `name`; turn links
   * off (or list your own ids) when those dashboards are not part of your platform.
   */
  links?: readonly string[] | false;
}

/** Rows and variables over series that come from outside the deployment, so the selector stays off them. */
export interface UnscopedPart {
  variables: VariableSpec[];
  rows: RowSpec[];
}

/** The ids a dashboard links to: the instance's own siblings unless the config lists others. */
function linkIds(config: DashboardConfig, siblings: readonly string[]): string[] {
  if (config.links === false) return [];
  if (config.links) return [...config.links];
  return siblings.map((id) => (config.name ? `${config.name}-${id}` : id));
}

/** A bundled dashboard made final: its links chosen, every query but the unscoped part's under the scope. */
export function bundledDashboard(
  spec: Omit<DashboardSpec, 'links'>,
  siblings: readonly string[],
  config: DashboardConfig,
  unscoped: UnscopedPart = { variables: [], rows: [] },
) {
  const scoped = scopeDashboard({ ...spec, links: linkIds(config, siblings) }, config);
  if (unscoped.rows.length === 0 && unscoped.variables.length === 0) return defineDashboard(scoped);
  return defineDashboard({
    ...scoped,
    variables: [...(scoped.variables ?? []), ...unscoped.variables],
    rows: [...(scoped.rows ?? []), ...unscoped.rows],
  });
}
