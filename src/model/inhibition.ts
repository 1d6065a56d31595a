import { matches, parseMatcher, type InhibitRule, type Routing } from './routing.ts';

/**
 * Alertmanager's inhibition, evaluated on label sets: while a source alert fires, every target alert
 * with the same values of the `equal` labels is muted (a label absent from both counts as equal).
 */

/** Whether a label set satisfies every matcher; a matcher that does not parse matches nothing. */
export function matchesAll(texts: readonly string[], labels: Readonly<Record<string, string>>): boolean {
  return texts.every((text) => {
    const m = parseMatcher(text);
    return m !== undefined && matches(m, labels);
  });
}

export function inhibits(rule: InhibitRule, source: Readonly<Record<string, string>>, target: Readonly<Record<string, string>>): boolean {
  return (
    matchesAll(rule.sourceMatchers, source) &&
    matchesAll(rule.targetMatchers, target) &&
    rule.equal.every((label) => (source[label] ?? '') === (target[label] ?? ''))
  );
}

/** Indices of the inhibit rules under which a firing `source` mutes `target`. */
export function inhibitingRules(routing: Routing, source: Readonly<Record<string, string>>, target: Readonly<Record<string, string>>): number[] {
  return routing.inhibitRules.flatMap((rule, i) => (inhibits(rule, source, target) ? [i] : []));
}

/**
 * Whether an alert may match every matcher: labels it carries statically are compared, labels its
 * expression sets are unknown until it fires and may match, labels it lacks are empty.
 */
export function mayMatch(texts: readonly string[], labels: Readonly<Record<string, string>>, dynamicLabels: readonly string[]): boolean {
  return texts.every((text) => {
    const m = parseMatcher(text);
    if (!m) return false;
    if (!(m.name in labels) && dynamicLabels.includes(m.name)) return true;
    return matches(m, labels);
  });
}
