import { goFloat, leValue } from '../../src/conventions.ts';
import type { Metric } from '../../src/model/catalog.ts';
import type { SpecOutput } from '../../src/model/spec.ts';
import { sortedNames } from '../../src/model/sort-keys.ts';

type Scenario = Extract<SpecOutput<'rules'>['rules'][number], { alert: string }>['tests']['firing'][number];
export type TestSeries = Scenario['series'][number];

export interface PromtoolSeries {
  series: string;
  values: string;
}

/** Scrape interval of the synthesised series; promtool's `interval`. */
export const TEST_INTERVAL_SECONDS = 60;

/**
 * The promtool input series for one scenario series, shaped by the metric's catalog type: a gauge is a
 * flat line, a counter a steady slope, a histogram one slope per bucket (observations land in every
 * bucket at or above their size) plus `_count` and `_sum`.
 */
export function synthesiseSeries(s: TestSeries, metric: Metric, samples: number, prometheusMajor: 2 | 3): PromtoolSeries[] {
  const name = metric.name;
  if (s.values !== undefined) return [{ series: selector(name + (s.suffix ?? ''), s.labels), values: s.values }];
  if (s.value !== undefined) return [{ series: selector(name, s.labels), values: flat(s.value, samples) }];
  if (s.rate !== undefined) return [{ series: selector(name, s.labels), values: slope(s.rate, samples) }];
  if (s.observe !== undefined) {
    const { rate, value } = s.observe;
    const bounds = [...(metric.buckets ?? []), Number.POSITIVE_INFINITY];
    return [
      ...bounds.map((b) => ({
        series: selector(`${name}_bucket`, { ...s.labels, le: leValue(b, prometheusMajor) }),
        values: slope(value <= b ? rate : 0, samples),
      })),
      { series: selector(`${name}_count`, s.labels), values: slope(rate, samples) },
      { series: selector(`${name}_sum`, s.labels), values: slope(rate * value, samples) },
    ];
  }
  throw new Error(`test series for ${name} sets none of value, rate, observe, values`);
}

function flat(value: number, samples: number): string {
  return `${goFloat(value)}+0x${samples}`;
}

function slope(perSecond: number, samples: number): string {
  return `0+${goFloat(perSecond * TEST_INTERVAL_SECONDS)}x${samples}`;
}

export function selector(name: string, labels: Record<string, string>): string {
  const keys = sortedNames(Object.keys(labels));
  if (keys.length === 0) return name;
  return `${name}{${keys.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(', ')}}`;
}
