import { collectAlerts } from '../../src/model/alerts.ts';
import type { Model } from '../../src/model/model.ts';
import { resolveRoutes } from '../../src/model/route-resolution.ts';
import { isNullReceiver, type Route, type Routing } from '../../src/model/routing.ts';
import type { AlertTimeline } from './alert-watch.ts';
import type { CheckResult } from './assertions.ts';
import type { Notification } from './webhook-recorder.ts';

/**
 * The alerting half of the loop: the alerts the faults must raise fire in Prometheus, reach Alertmanager
 * and arrive at exactly the receivers the routing spec names, with the expected labels; nothing fires
 * while the bench is healthy; every notification that arrived went where the routing spec says.
 */

export interface AlertExpectation {
  alertname: string;
  /** Labels the alert must carry besides the rule's own and the external labels. */
  labels: Record<string, string>;
  /** The fault that raises it, in words. */
  cause: string;
}

export interface PhaseWindow {
  name: string;
  start: number;
  end: number;
}

interface ExpectedRouting {
  /** Receivers Alertmanager must match (its `receivers` field). */
  matched: string[];
  /** Receivers that must be notified now: routes gated by time intervals may be muted. */
  notified: string[];
}

function routeAt(routing: Routing, path: readonly number[]): Route {
  let route = routing.route;
  for (const i of path) route = route.routes[i]!;
  return route;
}

export function expectedRouting(routing: Routing, labels: Record<string, string>): ExpectedRouting {
  const resolved = resolveRoutes(routing, labels);
  const gated = (path: readonly number[]) => {
    const route = routeAt(routing, path);
    return route.activeTimeIntervals.length > 0 || route.muteTimeIntervals.length > 0;
  };
  const receiverless = new Set(routing.receivers.filter(isNullReceiver).map((r) => r.name));
  return {
    matched: [...new Set(resolved.map((r) => r.receiver))].sort(),
    notified: [...new Set(resolved.filter((r) => !gated(r.path) && !receiverless.has(r.receiver)).map((r) => r.receiver))].sort(),
  };
}

const contains = (labels: Record<string, string>, subset: Record<string, string>) => Object.entries(subset).every(([k, v]) => labels[k] === v);
const fmt = (labels: Record<string, string>) => `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`;

/** Full label set Alertmanager should see on an expected alert. */
export function expectedLabels(model: Model, e: AlertExpectation): Record<string, string> {
  const rule = collectAlerts(model).find((a) => a.alertname === e.alertname);
  if (!rule) throw new Error(`no alert ${e.alertname} in the specs`);
  return { ...model.stack.value.externalLabels, ...rule.labels, ...e.labels, alertname: e.alertname };
}

export interface Arrival {
  receiver: string;
  at: number;
}

/** First arrival of a firing alert with these labels at each receiver. */
export function arrivals(notifications: readonly Notification[], labels: Record<string, string>): Arrival[] {
  const first = new Map<string, number>();
  for (const n of notifications)
    for (const a of n.alerts)
      if (a.status === 'firing' && contains(a.labels, labels) && !first.has(n.receiver)) first.set(n.receiver, n.receivedAt);
  return [...first].map(([receiver, at]) => ({ receiver, at })).sort((a, b) => a.at - b.at);
}

export function checkExpectedAlerts(
  model: Model,
  routing: Routing,
  expectations: readonly AlertExpectation[],
  timelines: readonly AlertTimeline[],
  notifications: readonly Notification[],
  faultStart: number,
): CheckResult[] {
  const results: CheckResult[] = [];
  const secs = (t: number | undefined) => (t === undefined ? 'never' : `+${((t - faultStart) / 1000).toFixed(0)}s`);
  for (const e of expectations) {
    const area = `alert ${e.alertname}`;
    const labels = expectedLabels(model, e);
    const ruleLabels = Object.fromEntries(Object.entries(labels).filter(([k]) => !(k in model.stack.value.externalLabels)));
    const matching = timelines.filter((t) => contains(t.labels, ruleLabels));
    const fired = matching.filter((t) => t.firingActiveAt !== undefined && t.firingActiveAt >= faultStart);
    results.push({
      area,
      name: `fires in Prometheus ${fmt(e.labels)}`,
      outcome: fired.length > 0 ? 'pass' : 'fail',
      detail:
        fired.length > 0
          ? `pending ${secs(fired[0]!.firstPending)}, firing ${secs(fired[0]!.firstFiring)} after the fault (${e.cause})`
          : `no firing episode began after the fault (${e.cause}); seen: ${matching.map((t) => `${t.key} pending ${secs(t.firstPending)}, firing ${secs(t.firstFiring)} since ${secs(t.firingActiveAt)}`).join('; ') || 'nothing'}`,
    });
    const route = expectedRouting(routing, labels);
    const inAm = matching.find((t) => t.firstInAlertmanager !== undefined);
    const amReceivers = [...(inAm?.alertmanagerReceivers ?? [])].sort();
    results.push({
      area,
      name: 'reaches Alertmanager and matches the spec routes',
      outcome: inAm && amReceivers.join() === route.matched.join() && inAm.alertmanagerState === 'active' ? 'pass' : 'fail',
      detail: inAm
        ? `in Alertmanager ${secs(inAm.firstInAlertmanager)}, state ${inAm.alertmanagerState}, receivers [${amReceivers.join(', ')}], spec routes [${route.matched.join(', ')}]`
        : 'never seen by Alertmanager',
    });
    const arrived = arrivals(notifications, labels);
    const got = arrived.map((a) => a.receiver).sort();
    const missing = route.notified.filter((r) => !got.includes(r));
    const extra = got.filter((r) => !route.matched.includes(r));
    results.push({
      area,
      name: 'arrives at the spec receivers with the expected labels',
      outcome: missing.length === 0 && extra.length === 0 ? 'pass' : 'fail',
      detail:
        `arrived: ${arrived.map((a) => `${a.receiver} ${secs(a.at)}`).join(', ') || 'nowhere'}; expected [${route.notified.join(', ')}]` +
        (missing.length ? `; missing [${missing.join(', ')}]` : '') +
        (extra.length ? `; not in the spec routes [${extra.join(', ')}]` : '') +
        `; labels ${fmt(labels)}`,
    });
  }
  return results;
}

/**
 * Nothing fires while healthy, and no alert fires later on a condition that already held while healthy
 * (its firing episode began before the faults). An alert pending while healthy that never fires is a warning.
 */
export function checkQuietWhileHealthy(timelines: readonly AlertTimeline[], notifications: readonly Notification[], healthy: PhaseWindow): CheckResult[] {
  const results: CheckResult[] = [];
  const inHealthy = (t: number | undefined) => t !== undefined && t >= healthy.start && t <= healthy.end;
  const firedHealthy = timelines.filter((t) => inHealthy(t.firstFiring) || (t.firstFiring !== undefined && t.firstFiring < healthy.start));
  results.push({
    area: 'healthy phase',
    name: 'no alert fires',
    outcome: firedHealthy.length === 0 ? 'pass' : 'fail',
    detail: firedHealthy.length === 0 ? 'none fired' : firedHealthy.map((t) => t.key).join('; '),
  });
  const notified = notifications.filter((n) => n.receivedAt <= healthy.end && n.alerts.some((a) => a.status === 'firing'));
  results.push({
    area: 'healthy phase',
    name: 'no notification arrives',
    outcome: notified.length === 0 ? 'pass' : 'fail',
    detail: notified.length === 0 ? 'none arrived' : notified.map((n) => `${n.receiver}: ${n.alerts.map((a) => a.labels.alertname).join(', ')}`).join('; '),
  });
  for (const t of timelines.filter((x) => x.firstPending !== undefined && x.firstPending <= healthy.end && !firedHealthy.includes(x))) {
    const heldSinceHealthy = t.firingActiveAt !== undefined && t.firingActiveAt <= healthy.end;
    const firedLater = t.firstFiring !== undefined;
    results.push({
      area: 'healthy phase',
      name: `pending before any fault: ${t.key}`,
      outcome: heldSinceHealthy ? 'fail' : 'warn',
      detail: heldSinceHealthy
        ? `fired in phase ${t.firstFiringPhase} on a condition that held since the healthy phase, so no fault caused it`
        : firedLater
          ? `pending while healthy, then quiet; it fired later in phase ${t.firstFiringPhase} in an episode that began after the faults`
          : 'its condition held for a while on the healthy bench; it never fired',
    });
  }
  return results;
}

/** Every notification went to receivers the spec routes its alert to. */
export function checkEveryArrival(routing: Routing, notifications: readonly Notification[]): CheckResult[] {
  const wrong: string[] = [];
  let checked = 0;
  for (const n of notifications)
    for (const a of n.alerts) {
      checked++;
      const route = expectedRouting(routing, a.labels);
      if (!route.matched.includes(n.receiver)) wrong.push(`${a.labels.alertname} ${fmt(a.labels)} reached ${n.receiver}; spec routes [${route.matched.join(', ')}]`);
    }
  return [
    {
      area: 'routing',
      name: 'every notification reached a receiver the spec routes it to',
      outcome: wrong.length === 0 ? 'pass' : 'fail',
      detail: wrong.length === 0 ? `${checked} alert notifications checked` : wrong.join('; '),
    },
  ];
}
