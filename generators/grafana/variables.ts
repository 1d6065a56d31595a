import {
  CustomVariableBuilder,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import { GRAFANA_DATASOURCE_VARIABLE } from '../../src/conventions.ts';
import type { Variable } from '../../src/model/dashboard.ts';
import { labelValuesQuery } from '../../src/grafana/variables.ts';

/** The datasource every panel and variable query uses: the dashboard's datasource variable. */
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: `\${${GRAFANA_DATASOURCE_VARIABLE}}` };

/** Regex matching every value, so `label=~"$var"` also matches series without the label. */
const ALL_VALUES = '.*';

export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder(GRAFANA_DATASOURCE_VARIABLE).label('Data source').type('prometheus');
}

/** The PromQL-side query of a label variable: `label_values(series{…}, label)`. */
export function labelVariable(v: Extract<Variable, { type: 'label' }>): QueryVariableBuilder {
  const query = labelValuesQuery(v);
  const builder = new QueryVariableBuilder(v.name)
    .label(v.title)
    .datasource(PROMETHEUS)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(v.multi)
    .includeAll(v.includeAll);
  return v.includeAll ? builder.allValue(ALL_VALUES) : builder;
}

export function customVariable(v: Extract<Variable, { type: 'custom' }>): CustomVariableBuilder {
  const first = v.values[0]!;
  return new CustomVariableBuilder(v.name)
    .label(v.title)
    .values(v.values.join(','))
    .options(v.values.map((value, i) => ({ text: value, value, selected: i === 0 })))
    .multi(v.multi)
    .includeAll(v.includeAll)
    .current({ text: first, value: first, selected: true });
}

export function variableBuilder(v: Variable): QueryVariableBuilder | CustomVariableBuilder {
  return v.type === 'label' ? labelVariable(v) : customVariable(v);
}
