import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { forgetValidated, validatedOnce } from '../../src/model/validated-once.ts';

const point = z.strictObject({ x: z.number(), tags: z.array(z.string()).default([]) });
const reference = validatedOnce(point);
const plot = z.strictObject({ points: z.array(reference) });

describe('schemas that validate each shared object once per load', () => {
  it('gives every reference to one object the same validated copy, with the schema’s defaults', () => {
    forgetValidated();
    const shared = { x: 1 };
    const parsed = plot.parse({ points: [shared, shared, { x: 2 }] });
    expect(parsed.points[0]).toEqual({ x: 1, tags: [] });
    expect(parsed.points[1]).toBe(parsed.points[0]);
    expect(parsed.points[2]).not.toBe(parsed.points[0]);
  });

  it('reports a failing object at every reference, with the issues of the schema itself', () => {
    forgetValidated();
    const broken = { x: 'one', y: 2 };
    const result = plot.safeParse({ points: [{ x: 1 }, broken, broken] });
    const direct = point.safeParse(broken);
    expect(result.success).toBe(false);
    const issues = result.error!.issues;
    expect(issues.map((i) => i.path)).toEqual([...direct.error!.issues.map((i) => ['points', 1, ...i.path]), ...direct.error!.issues.map((i) => ['points', 2, ...i.path])]);
    expect(issues.map((i) => [i.code, i.message])).toEqual([...direct.error!.issues, ...direct.error!.issues].map((i) => [i.code, i.message]));
  });

  it('validates again in a new load, so an object changed since is not taken on trust', () => {
    forgetValidated();
    const changing: { x: unknown } = { x: 1 };
    expect(plot.safeParse({ points: [changing] }).success).toBe(true);
    changing.x = 'one';
    expect(plot.safeParse({ points: [changing] }).success).toBe(true);
    forgetValidated();
    expect(plot.safeParse({ points: [changing] }).success).toBe(false);
  });
});
