import type { SpecLocation } from '../model/diagnostics.ts';
import { locate, type Model } from '../model/model.ts';
import type { Plan } from '../plan/index.ts';
import { isAlert } from '../model/rules.ts';
import { atWindow } from '../slo/sli.ts';

/**
 * Every query the generated artifacts run, read from the model: alert and recording-rule expressions, the
 * SLIs of every SLO, every dashboard panel query.
 */

export type QueryKind = 'alert' | 'recording rule' | 'slo' | 'dashboard';

export interface GeneratedQuery {
  kind: QueryKind;
  /** Which rule, SLI or panel. */
  name: string;
  /** As written; dashboard queries keep their Grafana variables, SLI windows are filled in. */
  expr: string;
  at: SpecLocation;
  /**
   * Whether an empty result is itself suspect. An alert expression is empty whenever all is well, and an
   * error count may be empty until the first error; the series they read must still exist.
   */
  expectsSeries: boolean;
}

function ruleQueries(model: Model): GeneratedQuery[] {
  return model.specs.rules.flatMap((group) =>
    group.value.rules.map((rule, i) => {
      const at = locate(group, `rules[${i}].expr`);
      return isAlert(rule)
        ? { kind: 'alert' as const, name: `${group.value.name}/${rule.alert}`, expr: rule.expr, at, expectsSeries: false }
        : { kind: 'recording rule' as const, name: `${group.value.name}/${rule.record}`, expr: rule.expr, at, expectsSeries: true };
    }),
  );
}

function sloQueries(model: Plan, window: string): GeneratedQuery[] {
  return model.slos.flatMap(({ located, slos }) =>
    slos.flatMap(({ service, name: slo, sli }, i) => {
      const name = `${service}/${slo}`;
      const at = locate(located, `slos[${i}].sli`);
      if (sli.kind === 'raw') return [{ kind: 'slo' as const, name: `${name} error ratio`, expr: atWindow(sli.errorRatioQuery, window), at, expectsSeries: false }];
      return [
        { kind: 'slo' as const, name: `${name} errors`, expr: atWindow(sli.errorQuery, window), at, expectsSeries: false },
        { kind: 'slo' as const, name: `${name} total`, expr: atWindow(sli.totalQuery, window), at, expectsSeries: true },
      ];
    }),
  );
}

function dashboardQueries(model: Plan): GeneratedQuery[] {
  return model.dashboards.flatMap((dashboard) =>
    dashboard.rows.flatMap((row) =>
      row.panels.flatMap((panel) =>
        panel.queries.map((query) => ({
          kind: 'dashboard' as const,
          name: `${dashboard.spec.id} / ${panel.title}`,
          expr: query.expr,
          at: panel.at,
          expectsSeries: true,
        })),
      ),
    ),
  );
}

/** Every generated query; SLI windows become `window`. */
export function generatedQueries(model: Plan, window: string): GeneratedQuery[] {
  return [...ruleQueries(model), ...sloQueries(model, window), ...dashboardQueries(model)];
}
