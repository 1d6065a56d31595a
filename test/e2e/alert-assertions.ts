import type { Plan } from '../../src/plan/index.ts';
import { inhibitingRules } from '../../src/model/inhibition.ts';
import { resolveRoutes } from '../../src/model/route-resolution.ts';
import { selectors } from '../../src/promql/analyze.ts';
import { isNullReceiver, type Route, type Routing } from '../../src/model/routing.ts';
import type { AlertTimeline } from './alert-watch.ts';
import type { AmAlert } from './http-api.ts';
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
export function expectedLabels(model: Plan, e: AlertExpectation): Record<string, string> {
  const rule = model.alerts.find((a) => a.alertname === e.alertname);
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
  model: Plan,
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
      outcome: inAm && amReceivers.join() === route.matched.join() && inAm.alertmanagerStates.includes('active') ? 'pass' : 'fail',
      detail: inAm
        ? `in Alertmanager ${secs(inAm.firstInAlertmanager)}, states ${inAm.alertmanagerStates.join(' then ')}, receivers [${amReceivers.join(', ')}], spec routes [${route.matched.join(', ')}]`
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
export function checkQuietWhileHealthy(
  allTimelines: readonly AlertTimeline[],
  allNotifications: readonly Notification[],
  healthy: PhaseWindow,
  /** Alerts that must fire on the bench whatever it does (see `targetlessJobAlerts`). */
  expectedAnyway: readonly TargetlessJobAlert[] = [],
): CheckResult[] {
  const exempt = (labels: Record<string, string>) => expectedAnyway.some((x) => x.alertname === labels.alertname && contains(labels, x.labels));
  const timelines = allTimelines.filter((t) => !exempt(t.labels));
  const notifications = allNotifications.map((n) => ({ ...n, alerts: n.alerts.filter((a) => !exempt(a.labels)) }));
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

/**
 * An alert whose absent() guard reads a scraped source the bench does not run: it fires from the start.
 * `labels` are the guard's equality matchers, which absent() gives the alert.
 */
export interface TargetlessJobAlert {
  alertname: string;
  /** The job of the source the guard reads. */
  job: string;
  labels: Record<string, string>;
}

/**
 * The alerts with an absent() guard on a job the bench does not scrape: `absent(up{job="..."})`, or a
 * series of a source scraped in the cluster (kube-state-metrics, say) that the bench does not run.
 */
export function targetlessJobAlerts(model: Plan, scrapedJobs: ReadonlySet<string>): TargetlessJobAlert[] {
  const found: TargetlessJobAlert[] = [];
  const sourceJob = (metric: string) => {
    const source = model.catalog.source(model.catalog.lookupSeries(metric)?.metric.source ?? '');
    return source && (source.delivery === 'scrape' || source.delivery === 'platform') ? source.job : undefined;
  };
  for (const group of model.specs.rules)
    for (const rule of group.value.rules) {
      if (!('alert' in rule) || !rule.expr.includes('absent(')) continue;
      for (const selector of selectors(rule.expr)) {
        const equal = Object.fromEntries(selector.matchers.filter((m) => m.op === '=').map((m) => [m.label, m.value]));
        const job = selector.metric === 'up' ? equal.job : sourceJob(selector.metric);
        const labels = selector.metric === 'up' ? { job: job ?? '' } : equal;
        if (job && !scrapedJobs.has(job) && !found.some((f) => f.alertname === rule.alert && f.job === job))
          found.push({ alertname: rule.alert, job, labels });
      }
    }
  return found;
}

/** Every down alert of a job without targets fired: discovery finding nothing is an outage, not silence. */
export function checkTargetlessJobs(expected: readonly TargetlessJobAlert[], timelines: readonly AlertTimeline[]): CheckResult[] {
  return expected.map((e) => {
    const fired = timelines.find((t) => t.alertname === e.alertname && contains(t.labels, e.labels) && t.firstFiring !== undefined);
    return {
      area: `alert ${e.alertname}`,
      name: `fires for job ${e.job}, which has no target on the bench`,
      outcome: fired ? 'pass' : 'fail',
      detail: fired ? `firing in phase ${fired.firstFiringPhase}, labels ${fmt(fired.labels)}` : 'never fired: its absent() guard does not see the empty job',
    };
  });
}

/**
 * While a down alert fires, Alertmanager mutes exactly what the spec's inhibit rules say: each expected
 * target is held inhibited by a firing source alert, and every inhibition Alertmanager applied during the
 * run is one an inhibit rule of the spec declares between those two alerts' labels.
 */
export function checkInhibition(
  model: Plan,
  routing: Routing,
  source: string,
  /** When the source alert is to fire, in words. */
  when: string,
  targets: readonly AlertExpectation[],
  timelines: readonly AlertTimeline[],
  window: PhaseWindow,
): CheckResult[] {
  const external = model.stack.value.externalLabels;
  const full = (t: AlertTimeline) => ({ ...external, ...t.labels });
  const secs = (t: number | undefined) => (t === undefined ? 'never' : `+${((t - window.start) / 1000).toFixed(0)}s`);
  const sources = timelines.filter((t) => t.alertname === source && t.alertmanagerStates.includes('active') && (t.firstInAlertmanager ?? 0) >= window.start);
  const results: CheckResult[] = [
    {
      area: `inhibition by ${source}`,
      name: `${source} fires in Alertmanager ${when}`,
      outcome: sources.length > 0 ? 'pass' : 'fail',
      detail: sources.length > 0 ? sources.map((t) => `${fmt(t.labels)} in Alertmanager ${secs(t.firstInAlertmanager)}`).join('; ') : `not seen in Alertmanager within ${((window.end - window.start) / 1000).toFixed(0)}s`,
    },
  ];
  const fingerprints = new Set(sources.map((t) => t.fingerprint));
  for (const e of targets) {
    const labels = expectedLabels(model, e);
    const declared = sources.some((s) => inhibitingRules(routing, full(s), labels).length > 0);
    const ruleLabels = Object.fromEntries(Object.entries(labels).filter(([k]) => !(k in external)));
    const target = timelines.find((t) => contains(t.labels, ruleLabels) && t.inhibitedBy.some((fp) => fingerprints.has(fp)));
    results.push({
      area: `inhibition by ${source}`,
      name: `${e.alertname} ${fmt(e.labels)} is muted while it fires`,
      outcome: declared && target ? 'pass' : 'fail',
      detail: !declared
        ? 'no inhibit rule of the spec pairs them'
        : target
          ? `Alertmanager: states ${target.alertmanagerStates.join(' then ')}, inhibited ${secs(target.firstInhibited)} by ${target.inhibitedBy.join(', ')} (${sources.map((t) => t.key).join('; ')})`
          : `never inhibited by ${source}; states seen: ${timelines.filter((t) => contains(t.labels, ruleLabels)).map((t) => t.alertmanagerStates.join('/')).join('; ') || 'none'}`,
    });
  }
  const byFingerprint = new Map(timelines.filter((t) => t.fingerprint).map((t) => [t.fingerprint!, t]));
  const unexplained = timelines.flatMap((t) =>
    t.inhibitedBy
      .filter((fp) => {
        const by = byFingerprint.get(fp);
        return !by || inhibitingRules(routing, full(by), full(t)).length === 0;
      })
      .map((fp) => `${t.key} muted by ${byFingerprint.get(fp)?.key ?? fp}`),
  );
  const muted = timelines.filter((t) => t.inhibitedBy.length > 0).length;
  results.push({
    area: `inhibition by ${source}`,
    name: 'Alertmanager muted nothing the spec does not inhibit',
    outcome: unexplained.length === 0 ? 'pass' : 'fail',
    detail: unexplained.length === 0 ? `${muted} muted alerts, each by an alert an inhibit rule of the spec pairs it with` : unexplained.join('; '),
  });
  return results;
}

/**
 * A muting pair within one alert name, such as an SLO's fast-burn page over its slow-burn page of the
 * same SLO and group: `muted` fired and Alertmanager held it inhibited by a firing `by`, under an inhibit
 * rule of the spec.
 */
export function checkMutedBy(model: Plan, routing: Routing, by: AlertExpectation, muted: AlertExpectation, timelines: readonly AlertTimeline[]): CheckResult[] {
  const external = model.stack.value.externalLabels;
  const own = (e: AlertExpectation) => Object.fromEntries(Object.entries(expectedLabels(model, e)).filter(([k]) => !(k in external)));
  const sources = timelines.filter((t) => t.fingerprint && contains(t.labels, own(by)));
  const fingerprints = new Set(sources.map((t) => t.fingerprint));
  const target = timelines.find((t) => contains(t.labels, own(muted)) && t.inhibitedBy.some((fp) => fingerprints.has(fp)));
  const declared = sources.some((s) => inhibitingRules(routing, { ...external, ...s.labels }, expectedLabels(model, muted)).length > 0);
  const seen = timelines.filter((t) => contains(t.labels, own(muted)));
  return [
    {
      area: `inhibition by ${by.alertname}`,
      name: `${muted.alertname} ${fmt(muted.labels)} is muted by ${fmt(by.labels)} while both fire`,
      outcome: declared && target ? 'pass' : 'fail',
      detail: !declared
        ? `no inhibit rule of the spec pairs them (sources seen: ${sources.map((t) => t.key).join('; ') || 'none'})`
        : target
          ? `Alertmanager: states ${target.alertmanagerStates.join(' then ')}, inhibited by ${target.inhibitedBy.join(', ')}`
          : `never inhibited by it; states seen: ${seen.map((t) => t.alertmanagerStates.join('/')).join('; ') || 'none'}`,
    },
  ];
}

/** Every notification went to receivers the spec routes its alert to. */
/**
 * The router process stopped: in one reading of Alertmanager's /api/v2/alerts, its blackbox probe alert is
 * active, having first reached Alertmanager after the stop, and each router alert the faults raised is
 * held `suppressed`, inhibited by an active router-down alert through an inhibit rule of the spec.
 */
export function checkRouterStopped(
  model: Plan,
  routing: Routing,
  probe: AlertExpectation,
  down: string,
  targets: readonly AlertExpectation[],
  alerts: readonly AmAlert[],
  timelines: readonly AlertTimeline[],
  window: PhaseWindow,
): CheckResult[] {
  const area = 'router stopped';
  const secs = (t: number | undefined) => (t === undefined ? 'never' : `+${((t - window.start) / 1000).toFixed(0)}s`);
  const probeLabels = expectedLabels(model, probe);
  const probeAlert = alerts.find((a) => contains(a.labels, probeLabels) && a.status.state === 'active');
  const external = model.stack.value.externalLabels;
  const probeOwn = Object.fromEntries(Object.entries(probeLabels).filter(([k]) => !(k in external)));
  const probeTimeline = timelines.find((t) => contains(t.labels, probeOwn));
  const firstSeen = probeTimeline?.firstInAlertmanager;
  const downAlerts = alerts.filter((a) => a.labels.alertname === down && a.status.state === 'active');
  const results: CheckResult[] = [
    {
      area,
      name: `${probe.alertname} ${fmt(probe.labels)} fires in Alertmanager once the router is stopped`,
      outcome: probeAlert && firstSeen !== undefined && firstSeen >= window.start ? 'pass' : 'fail',
      detail: probeAlert
        ? `active, first in Alertmanager ${secs(firstSeen)} after the stop (${probe.cause})`
        : `not active in Alertmanager; states seen: ${probeTimeline?.alertmanagerStates.join('/') || 'none'}`,
    },
    {
      area,
      name: `${down} is active while the router is stopped`,
      outcome: downAlerts.length > 0 ? 'pass' : 'fail',
      detail: downAlerts.length > 0 ? downAlerts.map((a) => a.fingerprint).join(', ') : 'no active alert of that name in Alertmanager',
    },
  ];
  const downFingerprints = new Set(downAlerts.map((a) => a.fingerprint));
  for (const e of targets) {
    const labels = expectedLabels(model, e);
    const held = alerts.find((a) => contains(a.labels, labels));
    const declared = downAlerts.some((d) => inhibitingRules(routing, d.labels, labels).length > 0);
    const muted = held?.status.state === 'suppressed' && held.status.inhibitedBy.some((fp) => downFingerprints.has(fp));
    results.push({
      area,
      name: `${e.alertname} ${fmt(e.labels)} is held suppressed by ${down}`,
      outcome: declared && muted ? 'pass' : 'fail',
      detail: !held
        ? 'not in Alertmanager: it stopped firing before the probe alert came'
        : !declared
          ? 'no inhibit rule of the spec pairs them'
          : `state ${held.status.state}, inhibited by ${held.status.inhibitedBy.join(', ') || 'nothing'}`,
    });
  }
  return results;
}

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
