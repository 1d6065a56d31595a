import type { Routing } from './routing.ts';

/**
 * Names of the Kubernetes Secrets the routing spec's credentials read, sorted: the Secrets an Alertmanager
 * running alertmanager.yml must mount. Every `{ secret: { name, key } }` anywhere in the spec counts, so a
 * new kind of receiver is covered without being listed here.
 */
export function referencedSecretNames(routing: Routing): string[] {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const secret = (value as { secret?: unknown }).secret;
    if (secret && typeof secret === 'object' && typeof (secret as { name?: unknown }).name === 'string') names.add((secret as { name: string }).name);
    for (const child of Object.values(value)) visit(child);
  };
  visit(routing);
  return [...names].sort();
}
