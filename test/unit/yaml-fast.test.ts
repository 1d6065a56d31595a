import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { libraryYaml } from '../../src/emit/serialize.ts';
import { fastYaml } from '../../src/emit/yaml-fast.ts';

/** The fast YAML path must give the library's exact bytes whenever it answers at all. */
const tricky = ['', ' ', ':', ': ', ' #', '#', '-', '- ', '?', '"', "'", '\\', '\n', '\n\n', '\t', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '%', '@', '`', '---', '...', '~', 'null', 'true', 'False', '0', '1.0', '.5', '1e3', '0x1F', '0o7', '+Inf', '.inf', 'NaN', 'é', '°', '\u00a0', '\r', '$value', '{{ $labels.x }}', '5..', 'a', 'b', 'sum(rate(x[5m]))'];
const text = fc.array(fc.constantFrom(...tricky), { maxLength: 6 }).map((parts) => parts.join(''));
const scalar = fc.oneof(text, fc.integer(), fc.double({ noNaN: false }), fc.boolean(), fc.constant(null));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(text, fc.oneof(tie('value'), fc.constant(undefined)), { maxKeys: 4 }),
}));

describe('fast YAML path', () => {
  it('matches the yaml library byte for byte whenever it answers', () => {
    let answered = 0;
    fc.assert(
      fc.property(json.object, (value) => {
        const fast = fastYaml(value);
        if (fast === undefined) return;
        answered++;
        expect(fast).toBe(libraryYaml(value));
      }),
      { numRuns: 5000 },
    );
    expect(answered).toBeGreaterThan(1000);
  });

  it('answers for the shapes generators write: rules with multi-line expressions, labels, annotations', () => {
    const rules = {
      groups: [
        {
          name: 'g',
          interval: '1h',
          rules: [
            { record: 'slo:x:ratio', expr: 'sum(rate(a{b="5.."}[5m]))\n/\n(sum(rate(a[5m])) > 0)\n', labels: { sloth_id: 'x', window: '5m' } },
            { alert: 'A', expr: 'x > 0.9', for: '5m', labels: { severity: 'critical' }, annotations: { summary: '{{ $value | humanizePercentage }} of requests' } },
          ],
        },
      ],
      tests: [{ values: '0+300x12', exp_alerts: [], empty: {} }],
    };
    const fast = fastYaml(rules);
    expect(fast).toBeDefined();
    expect(fast).toBe(libraryYaml(rules));
  });
});
