import { healthReport, type HealthCheck, type HealthReport } from '../health.ts';
import type { RouterRuntime } from './runtime.ts';
import type { PodState } from './topology.ts';

/**
 * The router's health: one check per pod (its reachability as of the last /metrics read), the access log
 * and the scheduler, plus the router's own serving state. Readiness fails only when the router is not
 * serving or no pod is usable; a single pod down or a failing access log degrades it.
 */

/** A pod is usable unless its last read failed; pods the poller does not read (non-vLLM) count as usable. */
export function podUsable(pod: PodState): boolean {
  return pod.lastScrapeError === undefined;
}

function podCheck(pod: PodState): HealthCheck {
  return {
    name: `pod:${pod.key}`,
    critical: false,
    run: () => {
      const details = {
        model_server: pod.server.key,
        address: pod.config.address,
        ...(pod.lastScrape ? { last_scrape: pod.lastScrape.toISOString() } : {}),
        inflight: pod.inflight,
      };
      if (pod.lastScrapeError !== undefined)
        return { status: 'unhealthy', message: `last scrape of ${pod.config.address} failed: ${pod.lastScrapeError}`, details };
      if (pod.lastScrape) return { status: 'healthy', message: `reachable at ${pod.config.address}`, details };
      if (pod.server.config.engine !== 'vllm')
        return { status: 'healthy', message: `not scraped: the router reads metrics of vLLM pods only`, details };
      return { status: 'degraded', message: `not scraped yet`, details };
    },
  };
}

function upstreamsCheck(rt: RouterRuntime): HealthCheck {
  return {
    name: 'upstreams',
    critical: true,
    run: () => {
      const pods = rt.topology.pods;
      const usable = pods.filter(podUsable).length;
      const details = { pods: pods.length, usable };
      if (usable === 0) return { status: 'unhealthy', message: 'no upstream pod is usable', details };
      if (usable < pods.length) return { status: 'degraded', message: `${pods.length - usable} of ${pods.length} upstream pods unreachable`, details };
      return { status: 'healthy', message: `all ${pods.length} upstream pods usable`, details };
    },
  };
}

function accessLogCheck(rt: RouterRuntime): HealthCheck {
  return {
    name: 'access_log',
    critical: false,
    run: () => {
      const log = rt.accessLog;
      if (!log) return { status: 'healthy', message: 'access log disabled' };
      const details = { output: log.output };
      if (log.lastWriteError !== undefined) return { status: 'degraded', message: `writing the access log failed: ${log.lastWriteError}`, details };
      return { status: 'healthy', message: `writing to ${log.output}`, details };
    },
  };
}

function schedulerCheck(rt: RouterRuntime): HealthCheck {
  return {
    name: 'scheduler',
    critical: false,
    run: () => {
      const { filters, scores, maxRequestsPerPod } = rt.config.scheduler;
      const usable = rt.topology.pods.filter(podUsable);
      const withRoom = usable.filter((p) => Math.max(p.inflight, (p.running ?? 0) + (p.waiting ?? 0)) < maxRequestsPerPod).length;
      const details = { filters, scores: scores.map((s) => s.name), schedulable_pods: withRoom };
      if (usable.length > 0 && withRoom === 0)
        return { status: 'degraded', message: `every usable pod is at ${maxRequestsPerPod} requests or more`, details };
      return { status: 'healthy', message: `${withRoom} pods below ${maxRequestsPerPod} requests`, details };
    },
  };
}

function servingCheck(rt: RouterRuntime): HealthCheck {
  return {
    name: 'router',
    critical: true,
    run: () => (rt.ready ? { status: 'healthy', message: 'serving' } : { status: 'unhealthy', message: 'starting or shutting down' }),
  };
}

export function routerReadiness(rt: RouterRuntime, now?: Date): HealthReport {
  return healthReport(
    [servingCheck(rt), upstreamsCheck(rt), ...rt.topology.pods.map(podCheck), accessLogCheck(rt), schedulerCheck(rt)],
    now,
  );
}

/** Liveness asks only whether the process answers: a restart cures nothing an upstream outage causes. */
export function routerLiveness(now?: Date): HealthReport {
  return healthReport([{ name: 'process', critical: true, run: () => ({ status: 'healthy', message: 'answering' }) }], now);
}
