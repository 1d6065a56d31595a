import { describe, expect, it } from 'vitest';
import { lineOfPath, pathParts } from '../../src/model/spec-lines.ts';

/** Finding the line a dotted spec path is written on, in spec text the scanner must not be fooled by. */

const text = `import { defineRuleGroup } from 'infermon';
// const broken = { rules: [] } in a comment is not the declaration
const shared = { firing: [{ series: [] }] };
export const broken = defineRuleGroup({
  name: 'with } and ] and { in a string',
  /* a { comment } [ with brackets */
  rules: [
    { alert: 'First', expr: \`sum(rate(x[5m])) > \${1 + [2][0]}\`, labels: { 'app.kubernetes.io/name': "x" } },
    {
      alert: 'Second',
      tests: shared,
    },
    ...more,
    { alert: 'AfterSpread' },
  ],
});
`;

const line = (dotted: string) => lineOfPath(text, pathParts(dotted));

describe('spec lines', () => {
  it('follows objects and arrays written inline, past strings, templates and comments', () => {
    expect(line('broken')).toBe(4);
    expect(line('broken.name')).toBe(5);
    expect(line('broken.rules')).toBe(7);
    expect(line('broken.rules[0].expr')).toBe(8);
    expect(line('broken.rules[1]')).toBe(9);
    expect(line('broken.rules[1].alert')).toBe(10);
  });

  it('stops at the deepest part it can see', () => {
    expect(line('broken.rules[1].tests.firing[0]')).toBe(11); // built elsewhere: its use
    expect(line('broken.rules[1].missing')).toBe(9); // not written: the object that lacks it
    expect(line('broken.rules[3].alert')).toBe(7); // after a spread the index cannot be told
    expect(line('nothing.rules[0]')).toBeUndefined();
  });

  it('splits dotted paths', () => {
    expect(pathParts('broken.rules[12].tests.firing[0]')).toEqual(['broken', 'rules', 12, 'tests', 'firing', 0]);
  });
});
