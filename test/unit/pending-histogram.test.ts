import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { Histogram, Registry, type RegistryContentType } from 'prom-client';
import { PendingHistogram } from '../../src/runtime/telemetry/pending-histogram.ts';

/** The router's histograms count observations themselves; a scrape must read exactly what prom-client's own histogram gives. */

const BUCKETS = [0.005, 0.01, 0.1, 1, 10];
type Observation = { model: string; code: string; value: number; trace?: string };

function scrapes(observations: readonly Observation[], contentType: RegistryContentType): Promise<[string, string]> {
  const exemplars = contentType === Registry.OPENMETRICS_CONTENT_TYPE;
  const reference = new Registry<RegistryContentType>();
  reference.setContentType(contentType);
  const histogram = new Histogram({ name: 'req_seconds', help: 'Latency.', labelNames: ['model', 'code'], buckets: BUCKETS, registers: [reference], enableExemplars: exemplars });
  const pendingRegistry = new Registry<RegistryContentType>();
  pendingRegistry.setContentType(contentType);
  const pending = new PendingHistogram<'model' | 'code'>('req_seconds', 'Latency.', BUCKETS, pendingRegistry);
  for (const { model, code, value, trace } of observations) {
    const labels = { model, code };
    // prom-client types exemplar labels as the metric's own label names; they are free-form.
    const exemplarLabels = (trace ? { trace_id: trace } : {}) as Record<string, string>;
    if (exemplars) histogram.observe({ labels, value, exemplarLabels });
    else histogram.observe(labels, value);
    pending.observe(`${model}\u0000${code}`, () => ({ model, code }), value, exemplars && trace ? { trace_id: trace } : undefined);
  }
  return Promise.all([reference.metrics(), pendingRegistry.metrics()]);
}

const observation = fc.record({
  model: fc.constantFrom('llama', 'qwen', 'a"b\\c'),
  code: fc.constantFrom('200', '503'),
  value: fc.oneof(fc.constantFrom(0, ...BUCKETS, 100), fc.double({ min: 0, max: 50, noNaN: true })),
  trace: fc.option(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 }), { nil: undefined }),
});

describe('pending histogram', () => {
  afterEach(() => vi.useRealTimers());

  it('reads the same as prom-client\'s histogram, in both exposition formats, exemplars included', async () => {
    vi.useFakeTimers({ now: new Date('2026-12-01T00:00:00Z'), toFake: ['Date'] });
    for (const contentType of [Registry.PROMETHEUS_CONTENT_TYPE, Registry.OPENMETRICS_CONTENT_TYPE] as RegistryContentType[]) {
      await fc.assert(
        fc.asyncProperty(fc.array(observation, { maxLength: 40 }), async (observations) => {
          const [reference, pending] = await scrapes(observations, contentType);
          expect(pending).toBe(reference);
        }),
        { numRuns: 200 },
      );
    }
  });

  it('refuses a value that is not a number, as prom-client does', () => {
    const pending = new PendingHistogram<'model'>('x_seconds', 'X.', BUCKETS, new Registry());
    expect(() => pending.observe('m', () => ({ model: 'm' }), Number.NaN)).toThrow(TypeError);
  });
});
