import { sortKeys } from './sort-keys.ts';
import type { GeneratedAlert } from './generated-alert.ts';
import { matches, parseMatcher, type Route, type Routing } from './routing.ts';

/**
 * Alertmanager's routing, evaluated at generation time: an alert descends into the first matching child
 * (and further siblings while `continue` is set); a route none of whose children match takes the alert
 * itself. Receivers are inherited from the parent route.
 */

export interface ResolvedRoute {
  receiver: string;
  /** Indices from the root, e.g. [0, 2] is `route.routes[0].routes[2]`; [] is the root. */
  path: number[];
}

function matchRoute(route: Route, labels: Record<string, string>, inherited: string, path: number[]): ResolvedRoute[] {
  const ok = route.matchers.every((text) => {
    const m = parseMatcher(text);
    return m !== undefined && matches(m, labels);
  });
  if (!ok) return [];
  const receiver = route.receiver ?? inherited;
  const found: ResolvedRoute[] = [];
  for (const [i, child] of route.routes.entries()) {
    const sub = matchRoute(child, labels, receiver, [...path, i]);
    found.push(...sub);
    if (sub.length > 0 && !child.continue) break;
  }
  return found.length > 0 ? found : [{ receiver, path }];
}

/** Every route an alert with these labels ends on, in notification order. */
export function resolveRoutes(routing: Routing, labels: Record<string, string>): ResolvedRoute[] {
  // The root route matches every alert, whatever matchers it carries.
  const root = { ...routing.route, matchers: [] };
  return matchRoute(root, labels, routing.route.receiver ?? '', []);
}

/** The labels Alertmanager sees on a generated alert: external labels, rule labels, the alert name. */
export function routingLabels(alert: GeneratedAlert, externalLabels: Record<string, string>): Readonly<Record<string, string>> {
  return sortKeys({ ...externalLabels, ...alert.labels, alertname: alert.alertname });
}

/** `route.routes[0].routes[2]` for a route path. */
export function routePath(path: readonly number[]): string {
  return `route${path.map((i) => `.routes[${i}]`).join('')}`;
}
