import { Counter, Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PendingIncrements } from '../../src/runtime/telemetry/pending-increments.ts';

describe('increments handed to prom-client when the metric is read', () => {
  function counterWithPending() {
    const registry = new Registry();
    const pending = new PendingIncrements<'model' | 'code'>();
    new Counter({
      name: 'requests_total',
      help: 'Requests.',
      labelNames: ['model', 'code'],
      registers: [registry],
      collect() {
        pending.flushInto(this);
      },
    });
    return { registry, pending };
  }

  it('a scrape sees every increment, and later ones add to what was scraped', async () => {
    const { registry, pending } = counterWithPending();
    for (let i = 0; i < 3; i++) pending.add('llama\u0000200', () => ({ model: 'llama', code: '200' }), 1);
    pending.add('llama\u0000500', () => ({ model: 'llama', code: '500' }), 2);
    let text = await registry.metrics();
    expect(text).toContain('requests_total{model="llama",code="200"} 3');
    expect(text).toContain('requests_total{model="llama",code="500"} 2');
    pending.add('llama\u0000200', () => ({ model: 'llama', code: '200' }), 4);
    text = await registry.metrics();
    expect(text).toContain('requests_total{model="llama",code="200"} 7');
    expect(text).toContain('requests_total{model="llama",code="500"} 2');
  });

  it('a gauge whose rises and falls cancel out before a scrape still shows its series, at 0', async () => {
    const registry = new Registry();
    const pending = new PendingIncrements<'model'>();
    new Gauge({
      name: 'in_flight',
      help: 'In flight.',
      labelNames: ['model'],
      registers: [registry],
      collect() {
        pending.flushInto(this);
      },
    });
    pending.add('llama', () => ({ model: 'llama' }), 1);
    pending.add('llama', () => ({ model: 'llama' }), -1);
    expect(await registry.metrics()).toContain('in_flight{model="llama"} 0');
    pending.add('llama', () => ({ model: 'llama' }), 1);
    expect(await registry.metrics()).toContain('in_flight{model="llama"} 1');
  });
});
