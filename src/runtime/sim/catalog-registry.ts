import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { MetricSpec } from 'infermon';
import { catalogCounter, catalogGauge, catalogHistogram } from '../telemetry/catalog-metrics.ts';

export type AnyCollector = Counter<string> | Gauge<string> | Histogram<string>;

/** The families of a source a simulator exposes: current (not removed) and not conditional. */
export function unconditionalFamilies(metrics: readonly MetricSpec[]): MetricSpec[] {
  return metrics.filter((m) => !m.conditional && !m.removedIn);
}

/** Registers one collector per family, keyed by family name. */
export function registerFamilies(metrics: readonly MetricSpec[], registry: Registry): Map<string, AnyCollector> {
  const out = new Map<string, AnyCollector>();
  for (const m of metrics) {
    const c =
      m.type === 'counter'
        ? catalogCounter(m, registry)
        : m.type === 'histogram'
          ? catalogHistogram(m, registry)
          : catalogGauge(m, registry);
    out.set(m.name, c as AnyCollector);
  }
  return out;
}

/**
 * The label set of a series of `m`: every label the catalog declares, filled from `base` (the
 * simulator's constant labels) and `extra`; a label without a value is a bug in the simulator.
 */
export function labelsFor(m: MetricSpec, base: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(m.labels ?? {})) {
    const value = extra[name] ?? base[name];
    if (value === undefined) throw new Error(`no value for label ${name} of ${m.name}`);
    out[name] = value;
  }
  return out;
}
