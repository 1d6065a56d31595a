import { z } from 'zod';
import { grafanaUid } from '../conventions.ts';
import type { Stack } from './stack.ts';

/**
 * What an alert's runbook page says beyond the alert itself: what it means, what to look at first, and
 * the queries to run while investigating. Rule alerts and log alerts carry the same runbook; its PromQL is
 * checked against the catalog and its LogQL against the declared log streams, like any other query.
 */

export const runbookQuerySchema = z.union([
  z.strictObject({ title: z.string().min(1), promql: z.string().min(1) }),
  z.strictObject({ title: z.string().min(1), logql: z.string().min(1) }),
]);
export type RunbookQuery = z.output<typeof runbookQuerySchema>;

export const runbookSchema = z.strictObject({
  /** What the alert means for the platform and its users, in a few sentences. */
  meaning: z.string().min(1),
  /** What to look at first, in order; shell commands in backticks. */
  firstChecks: z.array(z.string().min(1)).min(1),
  /** Queries to run while investigating: PromQL against Prometheus, LogQL against Loki. */
  queries: z.array(runbookQuerySchema).default([]),
});
export type RunbookSpec = z.input<typeof runbookSchema>;
export type Runbook = z.output<typeof runbookSchema>;

/** A runbook page under the stack's runbook base URL (out/docs/runbooks/<page>.md once published). */
export function runbookUrl(stack: Stack, page: string): string {
  return `${stack.runbookBaseUrl.replace(/\/$/, '')}/${page}.md`;
}

/** Grafana's short link to a dashboard: its UID, which the dashboard generator derives from the id. */
export function dashboardPath(dashboardId: string): string {
  return `/d/${grafanaUid(dashboardId)}`;
}

/** The link an alert's `dashboard_url` carries; undefined without a Grafana URL in the stack. */
export function dashboardUrl(stack: Stack, dashboardId: string): string | undefined {
  if (!stack.grafanaUrl) return undefined;
  return `${stack.grafanaUrl.replace(/\/$/, '')}${dashboardPath(dashboardId)}`;
}

/**
 * Where an alert's links point: its runbook page, its dashboard when it names one, and its logs in Grafana
 * Explore when a log stream collects its target.
 */
export function alertLinks(stack: Stack, alert: { runbookPage: string; runbookUrl?: string; dashboard?: string }, logsUrl?: string): Record<string, string> {
  const links: Record<string, string> = { runbook_url: alert.runbookUrl ?? runbookUrl(stack, alert.runbookPage) };
  const dashboard = alert.dashboard ? dashboardUrl(stack, alert.dashboard) : undefined;
  if (dashboard) links.dashboard_url = dashboard;
  if (logsUrl) links.logs_url = logsUrl;
  return links;
}
