import * as common from '@grafana/grafana-foundation-sdk/common';
import { ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  HeatmapColorMode,
  HeatmapColorOptionsBuilder,
  HeatmapColorScale,
  PanelBuilder as HeatmapPanelBuilder,
  YAxisConfigBuilder,
} from '@grafana/grafana-foundation-sdk/heatmap';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import type { ResolvedPanel } from '../../src/grafana/resolve.ts';
import { target } from './targets.ts';
import { PROMETHEUS } from './variables.ts';

/** Panel factories: one per panel type, each from a resolved panel spec. */

type AnyPanelBuilder = TimeseriesPanelBuilder | StatPanelBuilder | HeatmapPanelBuilder;

function thresholds(panel: ResolvedPanel): ThresholdsConfigBuilder {
  const steps = [{ value: null, color: panel.baseColor }, ...(panel.thresholds ?? [])];
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps);
}

/** What every panel type shares: id, title, description, datasource, size, targets. */
function common_<B extends AnyPanelBuilder>(builder: B, panel: ResolvedPanel): B {
  builder
    .id(panel.id)
    .title(panel.title)
    .description(panel.description)
    .datasource(PROMETHEUS)
    .height(panel.height)
    .span(panel.width);
  panel.queries.forEach((query, i) => builder.withTarget(target(query, i, panel.type)));
  return builder;
}

function withScale<B extends TimeseriesPanelBuilder | StatPanelBuilder>(builder: B, panel: ResolvedPanel): B {
  builder.unit(panel.unit).thresholds(thresholds(panel));
  if (panel.min !== undefined) builder.min(panel.min);
  if (panel.max !== undefined) builder.max(panel.max);
  if (panel.decimals !== undefined) builder.decimals(panel.decimals);
  return builder;
}

export function timeseriesPanel(panel: ResolvedPanel): TimeseriesPanelBuilder {
  const builder = withScale(common_(new TimeseriesPanelBuilder(), panel), panel)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending))
    .fillOpacity(panel.stack ? 40 : 10)
    .lineWidth(1);
  if (panel.stack) builder.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  return builder;
}

export function statPanel(panel: ResolvedPanel): StatPanelBuilder {
  return withScale(common_(new StatPanelBuilder(), panel), panel)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(panel.queries.every((q) => q.instant) ? common.BigValueGraphMode.None : common.BigValueGraphMode.Area);
}

export function heatmapPanel(panel: ResolvedPanel): HeatmapPanelBuilder {
  return common_(new HeatmapPanelBuilder(), panel)
    .unit(panel.unit)
    .calculate(false)
    .color(
      new HeatmapColorOptionsBuilder()
        .mode(HeatmapColorMode.Scheme)
        .scheme('Oranges')
        .scale(HeatmapColorScale.Exponential)
        .exponent(0.5)
        .steps(64),
    )
    .yAxis(new YAxisConfigBuilder().unit(panel.unit));
}

export function panelBuilder(panel: ResolvedPanel): AnyPanelBuilder {
  switch (panel.type) {
    case 'timeseries':
      return timeseriesPanel(panel);
    case 'stat':
      return statPanel(panel);
    case 'heatmap':
      return heatmapPanel(panel);
  }
}
