import type { AccessLogger } from './access-log.ts';
import type { RouterConfig } from './config.ts';
import type { RouterEvents } from './events.ts';
import type { FairnessQueues } from './fairness.ts';
import type { RouterMetrics } from './metrics.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { Scheduler } from './scheduler/scheduler.ts';
import type { Topology } from './topology.ts';
import type { UpstreamPools } from './upstream.ts';
import type { Tracing } from '../telemetry/tracing.ts';

/** Everything a request handler needs, built once at start-up. */
export interface RouterRuntime {
  config: RouterConfig;
  topology: Topology;
  scheduler: Scheduler;
  /** Absent when metrics are disabled. */
  metrics: RouterMetrics | undefined;
  accessLog: AccessLogger | undefined;
  /** The router's own operational log. */
  events: RouterEvents;
  fairness: FairnessQueues | undefined;
  /** Rate limiters by model route key. */
  limiters: Map<string, RateLimiter>;
  upstream: UpstreamPools;
  /** Absent when tracing is off: no span is created and no header added. */
  tracing: Tracing | undefined;
  ready: boolean;
}
