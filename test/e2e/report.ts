import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../../src/plan/index.ts';
import type { Routing } from '../../src/model/routing.ts';
import { arrivals, expectedRouting, type PhaseWindow } from './alert-assertions.ts';
import type { AlertTimeline } from './alert-watch.ts';
import type { CheckResult } from './assertions.ts';
import type { LoopDelay } from './event-loop.ts';
import type { PhaseCounts } from './load.ts';
import type { Notification } from './webhook-recorder.ts';

/**
 * The per-artifact report: every alert of the specs (did it fire, where did it go), every recording
 * rule and dashboard query (how many series), the phases and the load, then the checks. Written as
 * text and JSON next to the run's other files.
 */

export interface RunReport {
  workDir: string;
  startedAt: number;
  finishedAt: number;
  phases: PhaseWindow[];
  faultStart: number;
  load: Record<string, Record<string, PhaseCounts>>;
  /** Event-loop delay of the process running the simulators and the router, per phase. */
  loopDelay: Record<string, LoopDelay>;
  results: CheckResult[];
}

interface AlertRow {
  alertname: string;
  origin: string;
  instances: Array<{
    labels: string;
    pending?: string;
    firing?: string;
    alertmanager?: string;
    alertmanagerState?: string;
    alertmanagerReceivers: string[];
    arrived: Array<{ receiver: string; after: string }>;
    specReceivers: string[];
  }>;
}

function alertRows(model: Plan, routing: Routing, timelines: readonly AlertTimeline[], notifications: readonly Notification[], faultStart: number): AlertRow[] {
  const rel = (t: number | undefined) => (t === undefined ? undefined : `${((t - faultStart) / 1000).toFixed(0)}s`);
  const external = model.stack.value.externalLabels;
  // SLO alerts share a name between page and ticket, and between the SLOs of a service.
  const origins = new Map<string, string[]>();
  for (const alert of model.alerts) origins.set(alert.alertname, [...(origins.get(alert.alertname) ?? []), `${alert.origin.file}: ${alert.origin.path}`]);
  return [...origins].map(([alertname, from]) => ({
    alertname,
    origin: from.join('; '),
    instances: timelines
      .filter((t) => t.alertname === alertname)
      .map((t) => {
        const labels = { ...external, ...t.labels };
        return {
          labels: t.key,
          pending: t.firstPending === undefined ? undefined : `${rel(t.firstPending)} (${t.firstPendingPhase})`,
          firing: t.firstFiring === undefined ? undefined : `${rel(t.firstFiring)} (${t.firstFiringPhase})`,
          alertmanager: rel(t.firstInAlertmanager),
          alertmanagerState: t.alertmanagerState,
          alertmanagerReceivers: t.alertmanagerReceivers,
          arrived: arrivals(notifications, labels).map((a) => ({ receiver: a.receiver, after: rel(a.at)! })),
          specReceivers: expectedRouting(routing, labels).matched,
        };
      }),
  }));
}

function text(report: RunReport, rows: AlertRow[]): string {
  const lines: string[] = [];
  const t0 = report.startedAt;
  lines.push(`bench files: ${report.workDir}`);
  lines.push(`wall time: ${((report.finishedAt - t0) / 1000).toFixed(0)}s`);
  lines.push('', 'phases (seconds from start):');
  for (const p of report.phases) {
    const delay = report.loopDelay[p.name];
    const loop = delay ? `   event-loop delay p99 ${delay.p99Ms} ms, max ${delay.maxMs} ms` : '';
    lines.push(`  ${p.name.padEnd(9)} ${((p.start - t0) / 1000).toFixed(0)}s - ${((p.end - t0) / 1000).toFixed(0)}s${loop}`);
  }
  lines.push('', 'load through the router (sent / skipped at the in-flight cap / statuses):');
  for (const [phase, byModel] of Object.entries(report.load))
    for (const [model, c] of Object.entries(byModel))
      lines.push(`  ${phase.padEnd(9)} ${model.padEnd(14)} ${String(c.sent).padStart(5)} / ${String(c.skipped).padStart(4)}  ${JSON.stringify(c.statuses)}`);
  lines.push('', 'alerts (times from the fault start):');
  for (const row of rows) {
    if (row.instances.length === 0) {
      lines.push(`  ${row.alertname}: never active`);
      continue;
    }
    for (const i of row.instances) {
      lines.push(`  ${row.alertname} ${i.labels}`);
      lines.push(`      pending ${i.pending ?? '-'}, firing ${i.firing ?? '-'}, in Alertmanager ${i.alertmanager ?? '-'}${i.alertmanagerState ? ` (${i.alertmanagerState})` : ''} → [${i.alertmanagerReceivers.join(', ')}]`);
      lines.push(`      arrived: ${i.arrived.map((a) => `${a.receiver} ${a.after}`).join(', ') || '-'}; spec receivers [${i.specReceivers.join(', ')}]`);
    }
  }
  const byArea = new Map<string, CheckResult[]>();
  for (const r of report.results) byArea.set(r.area, [...(byArea.get(r.area) ?? []), r]);
  for (const [area, results] of byArea) {
    lines.push('', `${area}:`);
    for (const r of results) lines.push(`  ${r.outcome.toUpperCase().padEnd(4)} ${r.name}${r.series !== undefined ? ` [${r.series} series]` : ''}\n       ${r.detail}`);
  }
  return lines.join('\n');
}

/** The closing line in the plain `N passed, N failed, N skipped` form test harnesses read. */
export function summaryLine(results: readonly CheckResult[]): string {
  const count = (o: CheckResult['outcome']) => results.filter((r) => r.outcome === o).length;
  const warnings = count('warn') ? `${count('warn')} warning(s), listed above\n` : '';
  return `${warnings}${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped`;
}

/** Writes report.txt and report.json into the work dir and returns the text. */
export function writeReport(report: RunReport, model: Plan, routing: Routing, timelines: readonly AlertTimeline[], notifications: readonly Notification[]): string {
  const rows = alertRows(model, routing, timelines, notifications, report.faultStart);
  const body = text(report, rows);
  writeFileSync(join(report.workDir, 'report.txt'), `${body}\n`);
  writeFileSync(join(report.workDir, 'report.json'), `${JSON.stringify({ ...report, alerts: rows, notifications }, null, 2)}\n`);
  return body;
}
