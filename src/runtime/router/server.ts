import { createServer, type Server, type ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import { closeServer, listen } from '../http-server.ts';
import { createAccessLogger } from './access-log.ts';
import { handleAdminRequest, refuseAdminExpectation } from './admin.ts';
import { onAdminClientError, onAdminConnect, onApiClientError, onApiConnect } from './client-errors.ts';
import type { RouterConfig } from './config.ts';
import { ConnectionGuard } from './connection-guard.ts';
import { withErrorBoundary, type Handler } from './error-boundary.ts';
import { RouterEvents, type EventSink } from './events.ts';
import { FairnessQueues } from './fairness.ts';
import { handleApiRequest, refuseExpectation } from './handlers.ts';
import { RouterMetrics } from './metrics.ts';
import { PodMetricsPoller } from './pod-metrics.ts';
import { RateLimiter } from './rate-limit.ts';
import type { RouterRuntime } from './runtime.ts';
import { Scheduler } from './scheduler/scheduler.ts';
import { Topology } from './topology.ts';
import { NegotiatedExposition } from '../telemetry/exposition-negotiation.ts';
import { Tracing } from '../telemetry/tracing.ts';
import { UpstreamPools } from './upstream.ts';

export interface RunningRouter {
  /** Base URL of the API listener, e.g. http://127.0.0.1:8080 */
  apiUrl: string;
  /** Full URL of the metrics endpoint, or undefined when metrics are disabled. */
  metricsUrl: string | undefined;
  /** Base URL of the listener serving /metrics and /debug/config_dump. */
  adminUrl: string;
  runtime: RouterRuntime;
  /** Connections refused past `server.maxConnections`, per port. */
  refusedConnections(): { api: number; admin: number };
  /** Reads every pod's /metrics and /v1/models now (the poller does it on its interval too). */
  refreshPodMetrics(): Promise<void>;
  close(): Promise<void>;
}

export interface RouterOptions {
  /** Where the router's operational event lines go; stderr by default. */
  events?: EventSink;
  /** Spans go here instead of the configured OTLP endpoint (tests); used only when tracing is enabled. */
  tracing?: Tracing;
}

function routerTracing(config: RouterConfig['observability']['tracing'], given: Tracing | undefined): Tracing | undefined {
  if (!config.enabled) return undefined;
  return (
    given ??
    Tracing.otlp({ serviceName: config.serviceName, endpoint: config.endpoint, samplingRatio: config.samplingRatio, exportIntervalMs: config.exportInterval })
  );
}

/**
 * Timeouts of both listeners. Node's own request timeout stays off: the body deadline is the router's
 * (it answers with a JSON 408 through the exchange). Turning it off also turns off Node's header timeout
 * unless that is set explicitly, which is why it is.
 */
function listenerOptions(server: RouterConfig['server']): ServerOptions {
  return {
    requestTimeout: 0,
    headersTimeout: server.headerTimeout,
    keepAliveTimeout: server.idleTimeout,
    // Node checks header deadlines on this interval (30 s by default): a fraction of the timeout keeps it honest.
    connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(server.headerTimeout / 4))),
    // The router does not use Host; a request without one is served like any other.
    requireHostHeader: false,
  };
}

function guardedServer(config: RouterConfig, events: RouterEvents, name: string, handler: Handler): { server: Server; guard: ConnectionGuard } {
  const guard = new ConnectionGuard(config.server.maxConnections, events);
  const guarded = withErrorBoundary(name, events, handler);
  const server = createServer(listenerOptions(config.server), (req, res) => {
    // A refused connection already has its 503; whatever it sends is not served.
    if (guard.isRefused(req.socket)) return;
    guarded(req, res);
  });
  guard.attach(server);
  return { server, guard };
}

export async function startRouter(config: RouterConfig, options: RouterOptions = {}): Promise<RunningRouter> {
  const events = new RouterEvents(options.events);
  const topology = new Topology(config);
  const tracing = routerTracing(config.observability.tracing, options.tracing);
  const metrics = config.observability.metrics.enabled
    ? new RouterMetrics({ fairness: config.fairness.enabled, disaggregated: topology.disaggregated, exemplars: tracing !== undefined })
    : undefined;
  for (const route of topology.routes) {
    metrics?.touchModel(route.config.model);
    for (const t of route.targets) metrics?.touchUpstream(route.key, t.server.key);
  }
  const accessLog = createAccessLogger(config.accessLogger);
  const upstream = new UpstreamPools(config.server.upstreamTimeout);
  const limiters = new Map<string, RateLimiter>();
  for (const route of topology.routes) if (route.config.rateLimit) limiters.set(route.key, new RateLimiter(route.config.rateLimit));
  const rt: RouterRuntime = {
    config,
    topology,
    scheduler: new Scheduler(config.scheduler, metrics),
    metrics,
    accessLog,
    events,
    fairness: config.fairness.enabled ? new FairnessQueues(config.fairness, metrics) : undefined,
    limiters,
    upstream,
    tracing,
    ready: false,
  };
  const poller = new PodMetricsPoller(topology.pods, config.scheduler.podMetricsInterval, (pod) => upstream.for(pod));

  const api = guardedServer(config, events, 'API port', (req, res) => handleApiRequest(rt, req, res));
  const apiErrors = { guard: api.guard, metrics, accessLog };
  api.server.on('clientError', (err, socket) => onApiClientError(apiErrors, err, socket as Socket));
  api.server.on('connect', (req, socket) => onApiConnect(apiErrors, req, socket as Socket));
  api.server.on('checkExpectation', (req, res) => {
    if (!api.guard.isRefused(req.socket)) refuseExpectation(rt, req, res);
  });
  const adminContext = { exposition: metrics ? new NegotiatedExposition(metrics.registry) : undefined, metricsPath: config.observability.metrics.path, topology, events };
  const admin = guardedServer(config, events, 'metrics port', (req, res) => handleAdminRequest(adminContext, req, res));
  admin.server.on('clientError', (err, socket) => onAdminClientError(admin.guard, events, err, socket as Socket));
  admin.server.on('connect', (_req, socket) => onAdminConnect(admin.guard, events, socket as Socket));
  admin.server.on('checkExpectation', (req, res) => {
    if (!admin.guard.isRefused(req.socket)) refuseAdminExpectation(adminContext, req, res);
  });

  const host = config.server.host;
  const apiPort = await listen(api.server, config.server.port, host);
  const adminPort = await listen(admin.server, config.observability.metrics.port, host);
  poller.start();
  rt.ready = true;
  const base = (port: number) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    apiUrl: base(apiPort),
    metricsUrl: metrics ? `${base(adminPort)}${adminContext.metricsPath}` : undefined,
    adminUrl: base(adminPort),
    runtime: rt,
    refusedConnections: () => ({ api: api.guard.refused, admin: admin.guard.refused }),
    refreshPodMetrics: () => poller.pollOnce(),
    async close() {
      rt.ready = false;
      await poller.stop();
      await Promise.all([closeServer(api.server), closeServer(admin.server)]);
      await upstream.close();
      await accessLog?.close();
      await tracing?.shutdown();
    },
  };
}
