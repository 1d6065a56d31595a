/**
 * The JSON health report of the observability guide (document 002, "Health Check Results"): an overall
 * status, a Unix timestamp in seconds, a summary of the checks by status, and one entry per component.
 */

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface ComponentHealth {
  status: HealthStatus;
  message: string;
  duration_ms: number;
  details?: Record<string, unknown>;
}

export interface HealthReport {
  status: HealthStatus;
  timestamp: number;
  summary: { total_checks: number; healthy: number; degraded: number; unhealthy: number };
  checks: Record<string, ComponentHealth>;
}

/** One component's verdict before it is timed. */
export interface ComponentVerdict {
  status: HealthStatus;
  message: string;
  details?: Record<string, unknown>;
}

export interface HealthCheck {
  name: string;
  /**
   * Whether this component failing makes the whole service unhealthy; a failing non-critical component
   * (one of several pods, the access log) only degrades it.
   */
  critical: boolean;
  run(): ComponentVerdict;
}

const RANK: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

function worse(a: HealthStatus, b: HealthStatus): HealthStatus {
  return RANK[a] >= RANK[b] ? a : b;
}

export function healthReport(checks: readonly HealthCheck[], now: Date = new Date()): HealthReport {
  const results: Record<string, ComponentHealth> = {};
  const summary = { total_checks: checks.length, healthy: 0, degraded: 0, unhealthy: 0 };
  let status: HealthStatus = 'healthy';
  for (const check of checks) {
    const started = performance.now();
    const verdict = check.run();
    const duration = Math.round((performance.now() - started) * 1000) / 1000;
    results[check.name] = { status: verdict.status, message: verdict.message, duration_ms: duration, ...(verdict.details ? { details: verdict.details } : {}) };
    summary[verdict.status] += 1;
    status = worse(status, check.critical || verdict.status === 'healthy' ? verdict.status : 'degraded');
  }
  return { status, timestamp: now.getTime() / 1000, summary, checks: results };
}

/** Readiness answers 503 only when the service as a whole is unhealthy; degraded still takes traffic. */
export function httpStatusOf(report: HealthReport): number {
  return report.status === 'unhealthy' ? 503 : 200;
}
