import { z } from 'zod';
import { labelNameSchema } from '../model/label-name.ts';
import { describeIssues, type SchemaProblem } from '../model/schema-issues.ts';
import type { SpecDeclaration } from '../model/spec.ts';

/**
 * A bundled factory's config checked before it builds anything, so a threshold given as a percent where
 * a ratio is meant, or a misspelt option, is reported on the option itself (`spec/invalid-option`) and
 * not as a generated rule that never fires or a test that fails in promtool.
 */

export const ratioOption = z.number().gt(0).lt(1).describe('a ratio: 0.9 is 90%');
export const percentOption = z.number().gt(0).lt(100).describe('a percent: 99.9 is 99.9%');
export const celsiusOption = z.number().min(40).max(120).describe('a GPU temperature in °C');
export const positiveOption = z.number().gt(0);

/** The fields of the scope every factory takes (`ContentScope`), for the configs that add their own. */
export const contentScopeFields = {
  selector: z.record(labelNameSchema, z.string()).optional(),
  name: z.string().min(1).optional(),
  team: z.string().min(1).optional(),
};
export const alertScopeFields = { ...contentScopeFields, dashboard: z.union([z.string().min(1), z.literal(false)]).optional() };
export const dashboardConfigFields = { ...contentScopeFields, links: z.union([z.array(z.string().min(1)).readonly(), z.literal(false)]).optional() };

export const contentScopeSchema = z.strictObject(contentScopeFields);
export const alertScopeSchema = z.strictObject(alertScopeFields);
export const dashboardConfigSchema = z.strictObject(dashboardConfigFields);

/** The config without the options that were rejected, so the factory still builds what the rest asks for. */
function withoutRejected<C extends object>(config: C, problems: readonly SchemaProblem[]): C {
  const rejected = new Set(problems.map((p) => p.path[0]));
  return Object.fromEntries(Object.entries(config).filter(([key]) => !rejected.has(key))) as C;
}

type Walkable = z.ZodType & { shape?: Record<string, z.ZodType>; unwrap?: () => z.ZodType; valueType?: z.ZodType };

/** The schema of the option at `path`, through optionals, objects and records. */
function optionAt(options: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let at: Walkable | undefined = options;
  for (const key of path) {
    while (at?.unwrap && !at.shape && !at.valueType) at = at.unwrap() as Walkable;
    at = (at?.shape?.[String(key)] ?? at?.valueType) as Walkable | undefined;
  }
  return at;
}

/** The problem with what its option means appended, for numbers whose scale is easy to mistake (a ratio or a percent). */
function withMeaning(problem: SchemaProblem, options: z.ZodType): SchemaProblem {
  let option = optionAt(options, problem.path) as Walkable | undefined;
  while (option && option.description === undefined && option.unwrap) option = option.unwrap() as Walkable;
  return option?.description ? { ...problem, message: `${problem.message} (${option.description})` } : problem;
}

/** Compiles only when the schema names every option of the config: a forgotten one would be rejected. */
type NamesEveryOption<C, S extends z.ZodType> = [Exclude<keyof C, keyof z.input<S>>] extends [never] ? unknown : { optionsMissingFromSchema: Exclude<keyof C, keyof z.input<S>> };

/**
 * A bundled factory whose config is checked against `options` first. A config it rejects still yields a
 * declaration (built without the rejected options, so a spec that reads its rules still loads), which
 * carries the problems; the loader reports them and generates nothing.
 */
export function contentFactory<C extends object, S extends z.ZodType<C>, D extends SpecDeclaration>(
  factory: string,
  options: S & NamesEveryOption<C, S>,
  build: (config: C) => D,
): object extends C ? (config?: C) => D : (config: C) => D {
  const checked = (config: C = {} as C): D => {
    const parsed = options.safeParse(config);
    if (parsed.success) return build(config);
    const problems = describeIssues(parsed.error.issues, config, options).map((p) => withMeaning(p, options));
    const declaration = build(withoutRejected(config, problems));
    return { ...declaration, rejectedOptions: { factory, problems } };
  };
  return checked as object extends C ? (config?: C) => D : (config: C) => D;
}
