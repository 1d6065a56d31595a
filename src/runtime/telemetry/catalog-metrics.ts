import { Counter, Gauge, Histogram, type Registry, type RegistryContentType } from 'prom-client';
import type { MetricSpec } from 'infermon';
import { PendingHistogram } from './pending-histogram.ts';

/**
 * prom-client collectors built from catalog entries, so a component exposes exactly the name, type, help,
 * label names and buckets the catalog declares.
 */

export type LabelsOf<M extends MetricSpec> = Extract<keyof NonNullable<M['labels']>, string>;

function labelNames(m: MetricSpec): string[] {
  return Object.keys(m.labels ?? {});
}

function expect(m: MetricSpec, types: readonly string[]): void {
  if (!types.includes(m.type)) throw new Error(`${m.name} is a ${m.type} in the catalog, not a ${types.join(' or ')}`);
}

export function catalogCounter<M extends MetricSpec>(
  m: M,
  registry: Registry<RegistryContentType>,
  collect?: (this: Counter<LabelsOf<M>>) => void,
): Counter<LabelsOf<M>> {
  expect(m, ['counter']);
  return new Counter({
    name: m.name,
    help: m.help,
    labelNames: labelNames(m) as LabelsOf<M>[],
    registers: [registry],
    ...(collect ? { collect } : {}),
  });
}

export function catalogGauge<M extends MetricSpec>(
  m: M,
  registry: Registry<RegistryContentType>,
  collect?: (this: Gauge<LabelsOf<M>>) => void,
): Gauge<LabelsOf<M>> {
  expect(m, ['gauge', 'info']);
  return new Gauge({
    name: m.name,
    help: m.help,
    labelNames: labelNames(m) as LabelsOf<M>[],
    registers: [registry],
    ...(collect ? { collect } : {}),
  });
}

/** `exemplars` needs an OpenMetrics registry: only that format carries them. */
export function catalogHistogram<M extends MetricSpec>(m: M, registry: Registry<RegistryContentType>, options: { exemplars?: boolean } = {}): Histogram<LabelsOf<M>> {
  expect(m, ['histogram']);
  if (!m.buckets?.length) throw new Error(`${m.name} has no buckets in the catalog`);
  return new Histogram({
    name: m.name,
    help: m.help,
    labelNames: labelNames(m) as LabelsOf<M>[],
    buckets: [...m.buckets],
    registers: [registry],
    enableExemplars: options.exemplars === true,
  });
}

/** A histogram of the catalog counted per series on the request path (see PendingHistogram). */
export function catalogPendingHistogram<M extends MetricSpec>(m: M, registry: Registry<RegistryContentType>): PendingHistogram<LabelsOf<M>> {
  expect(m, ['histogram']);
  if (!m.buckets?.length) throw new Error(`${m.name} has no buckets in the catalog`);
  return new PendingHistogram(m.name, m.help, [...m.buckets], registry);
}

/** The catalog's value list of an enum label; throws when the label is not an enum. */
export function enumValues(m: MetricSpec, label: string): string[] {
  const spec = m.labels?.[label];
  if (spec?.kind !== 'enum' || !spec.values) throw new Error(`${m.name}{${label}} is not an enum label in the catalog`);
  return spec.values;
}

/** `value`, after checking that the catalog lists it for `label` of `m` (fails at start-up, not at scrape). */
export function catalogValue(m: MetricSpec, label: string, value: string): string {
  if (!enumValues(m, label).includes(value))
    throw new Error(`${m.name}{${label}="${value}"} is not a value the catalog lists`);
  return value;
}
