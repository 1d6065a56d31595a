import { alertmanagerAlerts, prometheusAlerts } from './http-api.ts';

/**
 * Follows every alert through the run: when Prometheus first had it pending and firing, in which phase,
 * and when Alertmanager first held it, with the receivers Alertmanager matched. Polled, so times are
 * accurate to the poll interval.
 */

export interface AlertTimeline {
  key: string;
  alertname: string;
  /** Labels as Prometheus evaluates them (without external labels). */
  labels: Record<string, string>;
  firstPending?: number;
  firstPendingPhase?: string;
  firstFiring?: number;
  firstFiringPhase?: string;
  /** When the episode that first fired became pending (Prometheus' `activeAt`). */
  firingActiveAt?: number;
  /** Still active in Prometheus at the last poll. */
  active: boolean;
  firstInAlertmanager?: number;
  alertmanagerReceivers: string[];
  /** State at the last poll, and every state it was seen in. */
  alertmanagerState?: string;
  alertmanagerStates: string[];
  /** Alertmanager's id of the alert, which `inhibitedBy` of the alerts it mutes names. */
  fingerprint?: string;
  /** When Alertmanager first held it muted by an inhibit rule, and the fingerprints of every alert that did. */
  firstInhibited?: number;
  inhibitedBy: string[];
}

export interface AlertWatcher {
  setPhase(phase: string): void;
  timelines(): AlertTimeline[];
  /** Polls once now (also done on the interval). */
  poll(): Promise<void>;
  stop(): Promise<void>;
  errors(): string[];
}

export function alertKey(labels: Record<string, string>, ignore: ReadonlySet<string> = new Set()): string {
  return Object.entries(labels)
    .filter(([k]) => !ignore.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
}

export function startAlertWatch(prometheusUrl: string, alertmanagerUrl: string, externalLabels: Record<string, string>, intervalMs = 2000): AlertWatcher {
  const external = new Set(Object.keys(externalLabels));
  const byKey = new Map<string, AlertTimeline>();
  const problems: string[] = [];
  let phase = 'start';
  let running: Promise<void> | undefined;

  const timeline = (labels: Record<string, string>): AlertTimeline => {
    const own = Object.fromEntries(Object.entries(labels).filter(([k]) => !external.has(k)));
    const key = alertKey(own);
    let t = byKey.get(key);
    if (!t) {
      t = { key, alertname: own.alertname ?? '', labels: own, active: false, alertmanagerReceivers: [], alertmanagerStates: [], inhibitedBy: [] };
      byKey.set(key, t);
    }
    return t;
  };

  async function pollOnce(): Promise<void> {
    const now = Date.now();
    try {
      const [fromPrometheus, fromAlertmanager] = await Promise.all([prometheusAlerts(prometheusUrl), alertmanagerAlerts(alertmanagerUrl)]);
      for (const t of byKey.values()) t.active = false;
      for (const a of fromPrometheus) {
        const t = timeline(a.labels);
        t.active = true;
        if (t.firstPending === undefined) {
          t.firstPending = now;
          t.firstPendingPhase = phase;
        }
        if (a.state === 'firing' && t.firstFiring === undefined) {
          t.firstFiring = now;
          t.firstFiringPhase = phase;
          t.firingActiveAt = Date.parse(a.activeAt);
        }
      }
      for (const a of fromAlertmanager) {
        const t = timeline(a.labels);
        t.firstInAlertmanager ??= now;
        t.alertmanagerReceivers = [...new Set([...t.alertmanagerReceivers, ...a.receivers.map((r) => r.name)])];
        t.alertmanagerState = a.status.state;
        if (!t.alertmanagerStates.includes(a.status.state)) t.alertmanagerStates.push(a.status.state);
        t.fingerprint = a.fingerprint;
        if (a.status.inhibitedBy.length > 0) {
          t.firstInhibited ??= now;
          t.inhibitedBy = [...new Set([...t.inhibitedBy, ...a.status.inhibitedBy])];
        }
      }
    } catch (err) {
      problems.push(`${new Date(now).toISOString()} ${(err as Error).message}`);
    }
  }

  const poll = () => (running ??= pollOnce().finally(() => (running = undefined)));
  const timer = setInterval(() => void poll(), intervalMs);
  return {
    setPhase(next) {
      phase = next;
    },
    timelines: () => [...byKey.values()],
    poll,
    async stop() {
      clearInterval(timer);
      await running;
    },
    errors: () => problems,
  };
}
