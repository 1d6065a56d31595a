import { z } from 'zod';

/**
 * Specs name a few shared objects many times over: every alert test series and SLI refers to one of the
 * catalog's metric objects, and at ten thousand models validating and copying each reference was half of
 * loading the specs. A schema made by `validatedOnce` validates each object once per load and gives every
 * reference to it the same validated copy; a value that fails is validated again wherever it appears, so
 * each reference gets its own issues, at its own path, as from `schema` itself.
 */

/** Counts loads; a schema's validated objects belong to one. */
let load = 0;
const standingFor = new WeakMap<z.ZodType, z.ZodType>();

export function validatedOnce<S extends z.ZodType>(schema: S): z.ZodType<z.output<S>, z.input<S>> {
  let validated = new WeakMap<object, z.output<S>>();
  let validatedIn = load;
  const reference = z.custom<z.input<S>>().transform((value, ctx): z.output<S> => {
    if (validatedIn !== load) [validated, validatedIn] = [new WeakMap(), load];
    const shared = typeof value === 'object' && value !== null ? value : undefined;
    if (shared && validated.has(shared)) return validated.get(shared)!;
    const parsed = schema.safeParse(value, { jitless: true });
    if (!parsed.success) {
      ctx.issues.push(...(parsed.error.issues as typeof ctx.issues));
      return z.NEVER;
    }
    if (shared) validated.set(shared, parsed.data);
    return parsed.data;
  });
  standingFor.set(reference, schema);
  return reference;
}

/** The schema a `validatedOnce` reference validates with, for code that walks a schema's shape. */
export function schemaBehind(reference: object): z.ZodType | undefined {
  return standingFor.get(reference as z.ZodType);
}

/** Starts a load afresh: objects validated by an earlier load may have changed since. */
export function forgetValidated(): void {
  load++;
}
