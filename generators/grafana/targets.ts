import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import type { DashboardQuery, PanelType } from '../../src/model/dashboard.ts';
import { PROMETHEUS } from './variables.ts';

/** Grafana's query letters: A, B, … Z. */
export function refId(index: number): string {
  return String.fromCharCode(65 + index);
}

/** One Prometheus target; heatmap panels read buckets in heatmap format. */
export function target(query: DashboardQuery, index: number, panelType: PanelType): DataqueryBuilder {
  const builder = new DataqueryBuilder().datasource(PROMETHEUS).expr(query.expr).refId(refId(index));
  if (query.legend !== undefined) builder.legendFormat(query.legend);
  if (panelType === 'heatmap') builder.format(PromQueryFormat.Heatmap);
  if (query.instant) builder.instant();
  else builder.range();
  return builder;
}
