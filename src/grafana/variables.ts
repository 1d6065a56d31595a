import type { MetricSpec } from '../model/catalog.ts';
import type { LabelVariableSpec, Variable } from '../model/dashboard.ts';
import { promql } from '../model/rules.ts';

/**
 * A variable over the values of `labelName` on `metric` (or one of its series, e.g. `_count`), optionally
 * narrowed by matchers on other variables: `{model=~"$model"}`.
 */
export function labelVariable(
  name: string,
  title: string,
  metric: MetricSpec,
  labelName: string,
  options: { suffix?: '' | '_bucket' | '_count' | '_sum'; matchers?: string; multi?: boolean; includeAll?: boolean } = {},
): LabelVariableSpec {
  return {
    type: 'label',
    name,
    title,
    series: promql`${metric}${options.suffix ?? ''}`,
    labelName,
    ...(options.matchers ? { matchers: options.matchers } : {}),
    ...(options.multi === undefined ? {} : { multi: options.multi }),
    ...(options.includeAll === undefined ? {} : { includeAll: options.includeAll }),
  };
}

/** The Grafana query that fills a label variable: `label_values(series{matchers}, label)`. */
export function labelValuesQuery(v: Extract<Variable, { type: 'label' }>): string {
  return `label_values(${v.series}${v.matchers ?? ''}, ${v.labelName})`;
}
