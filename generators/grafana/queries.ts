import type { Model } from '../../src/model/model.ts';
import { referencedMetrics } from '../../src/promql/analyze.ts';
import { GRAFANA_GLOBAL_VARIABLES, substituteVariables } from '../../src/promql/parse.ts';
import type { ResolvedPanel } from '../../src/grafana/resolve.ts';
import type { Plan } from '../../src/plan/index.ts';

/** Every panel query of every dashboard, for tests that run them against a live Prometheus. */
export interface DashboardQueryEntry {
  /** Dashboard id. */
  dashboard: string;
  /** Panel title. */
  panel: string;
  expr: string;
  /** Dashboard variables the query uses (Grafana's own `$__…` variables excluded). */
  variables: string[];
  /** Set when a metric of the query only exists under a condition: the condition(s), in words. */
  conditional?: string;
}

/** Catalog conditions of the metrics a panel queries (flags, modes), deduplicated in query order. */
export function conditionsOf(panel: ResolvedPanel, model: Model): string[] {
  const conditions: string[] = [];
  for (const query of panel.queries) {
    let names: string[];
    try {
      names = referencedMetrics(query.expr);
    } catch {
      continue;
    }
    for (const name of names) {
      const condition = model.catalog.lookupSeries(name)?.metric.conditional;
      if (condition && !conditions.includes(condition)) conditions.push(condition);
    }
  }
  return conditions;
}

/** Dashboard variables referenced by a query. */
export function queryVariables(expr: string): string[] {
  const names = substituteVariables(expr).variables.map((v) => v.name);
  return [...new Set(names.filter((n) => !GRAFANA_GLOBAL_VARIABLES.includes(n)))];
}

export function dashboardQueries(model: Plan): DashboardQueryEntry[] {
  return model.dashboards.flatMap((dashboard) =>
    dashboard.rows.flatMap((row) =>
      row.panels.flatMap((panel) => {
        const conditional = conditionsOf(panel, model).join('; ');
        return panel.queries.map((query) => ({
          dashboard: dashboard.spec.id,
          panel: panel.title,
          expr: query.expr,
          variables: queryVariables(query.expr),
          ...(conditional ? { conditional } : {}),
        }));
      }),
    ),
  );
}
