import type { DashboardSpec, PanelSpec, VariableSpec } from '../model/dashboard.ts';
import type { AlertSpec, RuleGroupSpec, RuleSpec, TestSeriesSpec } from '../model/rules.ts';
import { WINDOW_PLACEHOLDER, type SliSpec, type SloServiceSpec } from '../model/slo.ts';
import { addMatchers } from '../promql/add-matchers.ts';

/**
 * What every bundled content factory takes, as kubernetes-mixin's `_config` does. Left out, the content
 * reads every series of its families, under its usual names; with a selector and a name it reads one
 * deployment's series and is named after it, so one factory can be instantiated once per deployment.
 */
export interface ContentScope {
  /**
   * Equality matchers added to every series the content reads, e.g. `{ namespace: 'serving' }` or
   * `{ job: 'vllm-chat' }`. Alerts and recorded series carry them as labels, so two instances stay
   * apart in Alertmanager and in the recorded series.
   */
  selector?: Readonly<Record<string, string>>;
  /** Names this instance: rule groups, dashboards and SLO services take it as their prefix. */
  name?: string;
  /** The `team` label of the alerts (routing). */
  team?: string;
}

/** What every bundled alert factory takes, on top of the scope. */
export interface AlertScope extends ContentScope {
  /**
   * Id of the dashboard the alerts link (`dashboard_url`), or `false` for none. Left out, they link the
   * source's bundled dashboard under its usual id; name your instance's id when you named the dashboard.
   */
  dashboard?: string | false;
}

function scopedSeries(series: TestSeriesSpec, selector: Readonly<Record<string, string>>): TestSeriesSpec {
  return { ...series, labels: { ...series.labels, ...selector } };
}

type AlertRunbook = NonNullable<AlertSpec['runbook']>;

function scopedRunbook(runbook: AlertRunbook, selector: Readonly<Record<string, string>>): AlertRunbook {
  return { ...runbook, queries: runbook.queries?.map((q) => ('promql' in q ? { ...q, promql: addMatchers(q.promql, selector) } : q)) };
}

function scopedRule(rule: RuleSpec, selector: Readonly<Record<string, string>>): RuleSpec {
  const expr = addMatchers(rule.expr, selector);
  if (!('alert' in rule)) return Object.keys(selector).length === 0 ? rule : { ...rule, expr, labels: { ...rule.labels, ...selector } };
  if (Object.keys(selector).length === 0) return rule;
  const scenario = (s: (typeof rule.tests.firing)[number]) => ({ ...s, series: s.series.map((x) => scopedSeries(x, selector)) });
  return {
    ...rule,
    expr,
    labels: { ...rule.labels, ...selector },
    ...(rule.runbook ? { runbook: scopedRunbook(rule.runbook, selector) } : {}),
    tests: { firing: rule.tests.firing.map(scenario), quiet: rule.tests.quiet.map(scenario) },
  };
}

/** The dashboard a scoped alert group links: the config's choice, else the group's own. */
function scopedDashboard(group: RuleGroupSpec, scope: AlertScope): Pick<RuleGroupSpec, 'dashboard'> {
  if (scope.dashboard === false) return {};
  const dashboard = scope.dashboard ?? group.dashboard;
  return dashboard ? { dashboard } : {};
}

/**
 * A bundled rule group under a scope: renamed `<name>.<suffix>`, every query, runbook query and test
 * series scoped, its alerts linking the dashboard the scope names.
 */
export function scopeRuleGroup(group: RuleGroupSpec, scope: AlertScope, suffix: 'alerts' | 'rules'): RuleGroupSpec {
  const selector = scope.selector ?? {};
  const { dashboard: _bundled, ...unlinked } = group;
  return {
    ...unlinked,
    ...scopedDashboard(group, scope),
    name: scope.name ? `${scope.name}.${suffix}` : group.name,
    ...(scope.team && group.team ? { team: scope.team } : {}),
    rules: group.rules.map((rule) => scopedRule(rule, selector)),
  };
}

function scopedPanel(panel: PanelSpec, selector: Readonly<Record<string, string>>): PanelSpec {
  return { ...panel, queries: panel.queries.map((q) => ({ ...q, expr: addMatchers(q.expr, selector) })) };
}

function scopedVariable(variable: VariableSpec, selector: Readonly<Record<string, string>>): VariableSpec {
  if (variable.type !== 'label') return variable;
  const scoped = addMatchers(`${variable.series}${variable.matchers ?? ''}`, selector);
  return { ...variable, matchers: scoped.slice(variable.series.length) };
}

/** A bundled dashboard under a scope: id, uid and title take the name; every query and variable is scoped. */
export function scopeDashboard(dashboard: DashboardSpec, scope: ContentScope): DashboardSpec {
  const selector = scope.selector ?? {};
  const named = scope.name ? { id: `${scope.name}-${dashboard.id}`, title: `${dashboard.title} (${scope.name})` } : {};
  if (Object.keys(selector).length === 0) return { ...dashboard, ...named };
  return {
    ...dashboard,
    ...named,
    variables: dashboard.variables?.map((v) => scopedVariable(v, selector)),
    rows: dashboard.rows?.map((row) => ({ ...row, panels: row.panels.map((p) => scopedPanel(p, selector)) })),
  };
}

type Events = Extract<SliSpec, { kind: 'ratio' }>['errors'];

/** SLI events under the selector; a `{{.window}}` template is parsed with a stand-in range. */
function scopedEvents(events: Events, selector: Readonly<Record<string, string>>): Events {
  if (typeof events !== 'string') return { ...events, matchers: { ...events.matchers, ...selector } };
  const STAND_IN = '999999w';
  return addMatchers(events.replace(WINDOW_PLACEHOLDER, STAND_IN), selector).replace(STAND_IN, '{{.window}}');
}

/** Bundled SLOs under a scope: the service takes the name; every SLI matches the selector too. */
export function scopeSlos(service: SloServiceSpec, scope: ContentScope): SloServiceSpec {
  const selector = scope.selector ?? {};
  if (!scope.name && Object.keys(selector).length === 0) return service;
  return {
    ...service,
    service: scope.name ?? service.service,
    labels: { ...service.labels, ...(scope.name ? { service: scope.name } : {}) },
    slos: service.slos.map((slo) => {
      const sli = slo.sli;
      const scoped =
        sli.kind === 'ratio'
          ? { ...sli, errors: scopedEvents(sli.errors, selector), total: scopedEvents(sli.total, selector) }
          : sli.kind === 'latency'
            ? { ...sli, matchers: { ...sli.matchers, ...selector } }
            : { ...sli, errorRatio: scopedEvents(sli.errorRatio, selector) as string };
      return { ...slo, sli: scoped, labels: { ...slo.labels, ...selector } };
    }),
  };
}
