import { expect } from 'vitest';

const STATUS = ['healthy', 'degraded', 'unhealthy'];

/**
 * Asserts the shape of document 002's health report: status, a Unix timestamp in seconds, a summary that
 * counts the checks by status, and per-component status, message, duration_ms and optional details.
 */
export function expectHealthReport(body: unknown): void {
  const report = body as Record<string, unknown>;
  expect(Object.keys(report).sort()).toEqual(['checks', 'status', 'summary', 'timestamp']);
  expect(STATUS).toContain(report.status);
  expect(Math.abs((report.timestamp as number) - Date.now() / 1000)).toBeLessThan(60);
  const checks = Object.values(report.checks as Record<string, Record<string, unknown>>);
  for (const check of checks) {
    expect(STATUS).toContain(check.status);
    expect(typeof check.message).toBe('string');
    expect(typeof check.duration_ms).toBe('number');
    expect(Object.keys(check).filter((k) => !['status', 'message', 'duration_ms', 'details'].includes(k))).toEqual([]);
  }
  const count = (s: string) => checks.filter((c) => c.status === s).length;
  expect(report.summary).toEqual({ total_checks: checks.length, healthy: count('healthy'), degraded: count('degraded'), unhealthy: count('unhealthy') });
}
