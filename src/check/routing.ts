import { alertmanagerConfigName } from '../conventions.ts';
import type { Plan, RoutedAlert } from '../plan/index.ts';
import type { Diagnostics } from '../model/diagnostics.ts';
import { locate, type Located } from '../model/model.ts';
import { mayMatch } from '../model/inhibition.ts';
import { resolveRoutes, routePath, type ResolvedRoute } from '../model/route-resolution.ts';
import { objectLabels } from '../model/scrape.ts';
import { isNullReceiver, parseMatcher, receiverCredentials, type Credential, type Route, type Routing } from '../model/routing.ts';
import { checkSelectorLabels } from './wiring.ts';

/**
 * Routing checks: credentials only by reference, every name a route uses is declared, matchers parse,
 * every generated alert reaches a receiver that notifies someone, and inhibit rules match generated
 * alerts on both sides and compare labels both sides carry.
 */

function checkCredential(credential: Credential | undefined, routing: Located<Routing>, path: string, d: Diagnostics): void {
  if (typeof credential !== 'string') return;
  d.error(
    'route/inline-secret',
    locate(routing, path),
    'a credential is written inline; it would end up in alertmanager.yml and in git',
    'reference it instead: `{ secret: { name, key } }` for a Kubernetes Secret, or `{ file: "/path" }` for a mounted file',
  );
}

function checkCredentials(routing: Located<Routing>, d: Diagnostics): void {
  const r = routing.value;
  checkCredential(r.global.smtp?.authPassword, routing, 'global.smtp.authPassword', d);
  r.receivers.forEach((receiver, i) => {
    const credentials = receiverCredentials(receiver);
    for (const { path, credential } of credentials) checkCredential(credential, routing, `receivers[${i}].${path}`, d);
    const fileOnly = credentials.some(({ credential }) => typeof credential !== 'string' && 'file' in credential);
    if (fileOnly)
      d.error(
        'route/credential-not-a-secret',
        locate(routing, `receivers[${i}]`),
        `receiver ${receiver.name} reads a credential from a file, which an AlertmanagerConfig cannot reference`,
        'store the credential in a Secret in the stack namespace and reference it with `{ secret: { name, key } }`',
      );
  });
}

function walkRoutes(route: Route, path: number[], visit: (route: Route, path: number[]) => void): void {
  visit(route, path);
  route.routes.forEach((child, i) => walkRoutes(child, [...path, i], visit));
}

function checkNames(routing: Located<Routing>, d: Diagnostics): void {
  const r = routing.value;
  const receivers = new Set<string>();
  r.receivers.forEach((receiver, i) => {
    if (receivers.has(receiver.name))
      d.error('route/duplicate-receiver', locate(routing, `receivers[${i}].name`), `receiver ${receiver.name} is declared twice`, 'give each receiver a unique name');
    receivers.add(receiver.name);
  });
  const intervals = new Set(r.timeIntervals.map((t) => t.name));
  if (!r.route.receiver)
    d.error('route/no-default-receiver', locate(routing, 'route.receiver'), 'the root route has no receiver', 'set `route.receiver` to the default receiver');
  if (r.route.matchers.length > 0)
    d.warning('route/root-matchers', locate(routing, 'route.matchers'), 'the root route matches every alert; its matchers are ignored', 'move the matchers to a child route');
  walkRoutes(r.route, [], (route, path) => {
    const at = (field: string) => locate(routing, `${routePath(path)}.${field}`);
    if (route.receiver && !receivers.has(route.receiver))
      d.error('route/unknown-receiver', at('receiver'), `route sends to receiver ${route.receiver}, which is not declared`, `declare it under \`receivers\` or use one of: ${[...receivers].join(', ')}`);
    if (route.match)
      d.error(
        'route/deprecated-match',
        at('match'),
        '`match` is deprecated in Alertmanager and rejected by amtool in UTF-8 mode',
        `write \`matchers: [${Object.entries(route.match).map(([k, v]) => `'${k}="${v}"'`).join(', ')}]\` instead`,
      );
    route.matchers.forEach((m, i) => {
      if (!parseMatcher(m))
        d.error('route/invalid-matcher', at(`matchers[${i}]`), `\`${m}\` is not an Alertmanager matcher`, 'write `label="value"`, `label!="value"`, `label=~"regex"` or `label!~"regex"`');
    });
    for (const [field, names] of [['muteTimeIntervals', route.muteTimeIntervals], ['activeTimeIntervals', route.activeTimeIntervals]] as const)
      for (const name of names)
        if (!intervals.has(name))
          d.error('route/unknown-time-interval', at(field), `time interval ${name} is not declared`, 'declare it under `timeIntervals`');
  });
  r.timeIntervals.forEach((t, i) =>
    t.intervals.forEach((interval, j) => {
      if (interval.location && interval.location !== 'UTC')
        d.warning(
          'route/cr-time-zone',
          locate(routing, `timeIntervals[${i}].intervals[${j}].location`),
          `time interval ${t.name} is in ${interval.location}, but an AlertmanagerConfig (v1alpha1) has no location and evaluates it in UTC`,
          'write the interval in UTC so alertmanager.yml and the CR agree',
        );
    }),
  );
  r.inhibitRules.forEach((rule, i) => {
    for (const side of ['sourceMatchers', 'targetMatchers'] as const)
      rule[side].forEach((m, j) => {
        if (!parseMatcher(m))
          d.error('route/invalid-matcher', locate(routing, `inhibitRules[${i}].${side}[${j}]`), `\`${m}\` is not an Alertmanager matcher`, 'write `label="value"`, `label!="value"`, `label=~"regex"` or `label!~"regex"`');
      });
  });
}

/** Where an alert with these labels is notified: routes below the root whose receiver has integrations. */
function notifyingRoutes(routing: Routing, nullReceivers: ReadonlySet<string>, labels: Readonly<Record<string, string>>): ResolvedRoute[] {
  return resolveRoutes(routing, labels).filter((x) => x.path.length > 0 && !nullReceivers.has(x.receiver));
}

/** Labels the alert lacks that routes match on, each with the values that would get it notified. */
function labelsThatRoute(routing: Routing, nullReceivers: ReadonlySet<string>, labels: Readonly<Record<string, string>>): Map<string, string[]> {
  const found = new Map<string, string[]>();
  walkRoutes(routing.route, [], (route, path) => {
    if (path.length === 0) return;
    for (const text of route.matchers) {
      const m = parseMatcher(text);
      if (!m || m.type !== '=' || m.name in labels || found.get(m.name)?.includes(m.value)) continue;
      if (notifyingRoutes(routing, nullReceivers, { ...labels, [m.name]: m.value }).length > 0) found.set(m.name, [...(found.get(m.name) ?? []), m.value]);
    }
  });
  return found;
}

/** `a, b, c and 4 more` */
function someOf(items: readonly string[], shown = 5): string {
  if (items.length <= shown) return items.join(', ');
  return `${items.slice(0, shown).join(', ')} and ${items.length - shown} more`;
}

/**
 * Every alert's receivers: an alert that falls through to the root route's default receiver, or only
 * reaches receivers without integrations, is unrouted.
 */
function checkAlertsRouted(routing: Located<Routing>, alerts: readonly RoutedAlert[], d: Diagnostics): void {
  const r = routing.value;
  const nullReceivers = new Set(r.receivers.filter(isNullReceiver).map((x) => x.name));
  const accepted = new Set(r.acceptUnrouted.map((a) => a.alert));
  for (const alert of alerts) {
    const labels = alert.routingLabels;
    if (accepted.has(alert.alertname) || notifyingRoutes(r, nullReceivers, labels).length > 0) continue;
    const resolved = resolveRoutes(r, labels);
    const what = `the${labels.severity ? ` ${labels.severity}` : ''} alert ${alert.alertname}`;
    const fallback = resolved[0]!;
    const message =
      fallback.path.length === 0
        ? `${what} matches no route below the root, so it falls to the default receiver ${fallback.receiver}${nullReceivers.has(fallback.receiver) ? ', which has no integrations: nobody is notified' : ': it is delivered there, but no route owns it'}`
        : `${what} only reaches receivers without integrations (${resolved.map((x) => `${x.receiver} at ${routePath(x.path)}`).join(', ')}): nobody is notified`;
    const settable = [...labelsThatRoute(r, nullReceivers, labels)].map(([label, values]) => `\`${label}\` (${someOf(values.map((v) => `"${v}"`))})`);
    d.error(
      'route/unrouted-alert',
      alert.origin,
      message,
      settable.length > 0
        ? `give it ${settable.length > 1 ? 'one of the labels' : 'the label'} the routes in ${routing.file} match on: ${settable.join(' or ')}; or list it under \`acceptUnrouted\` with the reason`
        : `add a route matching its labels (${Object.entries(alert.labels).map(([k, v]) => `${k}="${v}"`).join(', ')}) in ${routing.file}, or list it under \`acceptUnrouted\` with the reason`,
    );
  }
}

/**
 * Both sides of every inhibit rule match some generated alert (else the rule never mutes anything, or
 * nothing ever mutes), and every alert on either side carries each `equal` label. A missing label is
 * reported once per rule, naming the alerts that lack it.
 */
function checkInhibitRules(routing: Located<Routing>, alerts: readonly RoutedAlert[], d: Diagnostics): void {
  const labelled = alerts.map((alert) => ({ alert, labels: alert.routingLabels }));
  routing.value.inhibitRules.forEach((rule, i) => {
    const sides = [
      ['source', 'sourceMatchers', rule.sourceMatchers],
      ['target', 'targetMatchers', rule.targetMatchers],
    ] as const;
    const lacking = new Map<string, Set<string>>(rule.equal.map((label) => [label, new Set()]));
    for (const [side, field, texts] of sides) {
      if (!texts.every((t) => parseMatcher(t))) continue;
      const matched = labelled.filter(({ alert, labels }) => mayMatch(texts, labels, alert.dynamicLabels));
      if (matched.length === 0)
        d.error(
          'route/inhibit-matches-nothing',
          locate(routing, `inhibitRules[${i}].${field}`),
          `no generated alert matches the ${side} matchers ${texts.join(', ')}, so this inhibit rule never ${side === 'source' ? 'mutes anything' : 'mutes an alert'}`,
          `match the labels of a generated alert (the route test cases in out/alertmanager/tests/routes.yml list them), or remove the rule`,
        );
      for (const { alert, labels } of matched)
        for (const label of rule.equal)
          if (!(label in labels) && !alert.dynamicLabels.includes(label)) lacking.get(label)!.add(`${alert.alertname} (${side}, ${alert.origin.file})`);
    }
    for (const [label, without] of lacking) {
      if (without.size === 0) continue;
      const names = [...without];
      d.error(
        'route/inhibit-label-missing',
        locate(routing, `inhibitRules[${i}].equal`),
        `${names.length === 1 ? 'an alert' : `${names.length} alerts`} this rule matches ${names.length === 1 ? 'has' : 'have'} no ${label} label: ${someOf(names)}; the rule compares an empty value for them and inhibits across unrelated alerts`,
        `give ${names.length === 1 ? 'it' : 'them'} the ${label} label, or drop ${label} from \`equal\``,
      );
    }
  });
}

export function checkRoutingWith(model: Plan, alerts: readonly RoutedAlert[], d: Diagnostics): void {
  const [routing, ...extra] = model.specs.routing;
  for (const e of extra)
    d.error('route/duplicate-routing', locate(e), `a second routing spec is declared (the first is in ${routing!.file})`, 'keep one `defineRouting` in the specs');
  if (!routing) return;
  checkCredentials(routing, d);
  checkNames(routing, d);
  checkAlertsRouted(routing, alerts, d);
  checkInhibitRules(routing, alerts, d);
  const cr = { kind: 'AlertmanagerConfig', metadata: { name: alertmanagerConfigName(routing.root), labels: objectLabels(model.stack.value, 'alertmanagerConfigs') } };
  checkSelectorLabels(cr, 'alertmanagerConfigs', model, locate(routing), d);
  if (model.stack.value.alertmanagerConfigMatcherStrategy !== 'None')
    d.warning(
      'route/namespace-scoped',
      locate(model.stack, 'alertmanagerConfigMatcherStrategy'),
      `with ${model.stack.value.alertmanagerConfigMatcherStrategy}, the operator adds namespace="${model.stack.value.namespace}" to the AlertmanagerConfig's route, so alerts from workload namespaces never reach it`,
      'set `alertmanagerConfigMatcherStrategy: "None"` (the generated kube-prometheus-stack values apply it)',
    );
}

export const checkRouting = (plan: Plan, d: Diagnostics): void => checkRoutingWith(plan, plan.alerts, d);
