/**
 * Facts read from an upstream chart or manifest, with the releases they were read at. A preset looks its
 * facts up by release, so a release nobody read is refused instead of guessed.
 */
export interface ConfirmedFacts<V extends string, F> {
  versions: readonly V[];
  facts: F;
}

export function factsAt<V extends string, F>(what: string, table: ReadonlyArray<ConfirmedFacts<V, F>>, version: V): F {
  const entry = table.find((e) => e.versions.includes(version));
  if (entry) return entry.facts;
  const known = table.flatMap((e) => e.versions).join(', ');
  throw new Error(`${what} ${version} has not been checked against its chart; confirmed releases: ${known}`);
}

/** `{ name }` when a deployment name is given, so the catalog's name and job stay otherwise. */
export function named(name: string | undefined): { name?: string } {
  return name ? { name } : {};
}
