/**
 * infermon's public API: everything a spec file imports. Specs describe the platform with the `define*`
 * functions, reference metric families from `infermon/catalog`, and instantiate bundled alerts, rules,
 * SLOs and dashboards from `infermon/content`.
 */
export {
  defineDashboard,
  defineLogs,
  defineRouting,
  defineRuleGroup,
  defineSlos,
  defineSource,
  defineStack,
  deploySource,
  type SourceDeployment,
  type SpecDeclaration,
  type SpecKind,
} from './model/spec.ts';
export { label, metric, type LabelSpec, type MetricSpec, type SourceSpec } from './model/catalog.ts';
export { promql, type AlertSpec, type RecordingRuleSpec, type RuleGroupSpec, type RuleSpec, type Severity, type TestSeriesSpec } from './model/rules.ts';
export type { StackSpec } from './model/stack.ts';
export type { TargetsSpec } from './model/targets.ts';
export type { RoutingSpec, RouteSpec } from './model/routing.ts';
export type { LogsSpec } from './model/logs.ts';
export type { RunbookSpec } from './model/runbook.ts';
export type { DashboardSpec, PanelSpec, RowSpec, VariableSpec, DashboardQuerySpec } from './model/dashboard.ts';
export type { SloServiceSpec, SloSpec, SliSpec } from './model/slo.ts';
export {
  LATENCY_QUANTILES,
  RANGE,
  RATE_INTERVAL,
  byVariables,
  gauge,
  heatmapBuckets,
  instant,
  matchers,
  mean,
  q,
  quantile,
  quantileQueries,
  ratio,
  sel,
  sumIncrease,
  sumRate,
  type Filter,
  type Match,
} from './grafana/queries.ts';
export { labelVariable } from './grafana/variables.ts';
