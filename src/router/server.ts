import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { closeServer, listen } from '../http-server.ts';
import { createAccessLogger, type AccessLogger } from './access-log.ts';
import type { RouterConfig } from './config.ts';
import { handleConfigDump } from './debug.ts';
import { errorBody } from './errors.ts';
import { UNKNOWN_MODEL, UNMATCHED_PATH } from './exchange.ts';
import { FairnessQueues } from './fairness.ts';
import { handleApiRequest } from './handlers.ts';
import { RouterMetrics } from './metrics.ts';
import { PodMetricsPoller } from './pod-metrics.ts';
import { RateLimiter } from './rate-limit.ts';
import type { RouterRuntime } from './runtime.ts';
import { Scheduler } from './scheduler/scheduler.ts';
import { Topology } from './topology.ts';
import { UpstreamPools } from './upstream.ts';

export interface RunningRouter {
  /** Base URL of the API listener, e.g. http://127.0.0.1:8080 */
  apiUrl: string;
  /** Full URL of the metrics endpoint, or undefined when metrics are disabled. */
  metricsUrl: string | undefined;
  /** Base URL of the listener serving /metrics and /debug/config_dump. */
  adminUrl: string;
  runtime: RouterRuntime;
  /** Reads every pod's /metrics now (the poller does it on its interval too). */
  refreshPodMetrics(): Promise<void>;
  close(): Promise<void>;
}

/** First line of a request the HTTP parser rejected, for the access log. */
function requestLine(raw: unknown): { method: string; path: string; protocol: string } {
  const text = Buffer.isBuffer(raw) ? raw.toString('latin1') : '';
  const [method = '', path = '', protocol = ''] = (text.split(/\r?\n/)[0] ?? '').split(' ');
  return { method, path: path.split('?')[0] ?? '', protocol };
}

/**
 * Requests the HTTP parser rejects (CR or LF inside a header, oversized headers, ...) never reach the
 * handler; they still get a JSON error, a metric and an access-log line.
 */
function onClientError(rt: RouterRuntime, log: AccessLogger | undefined, err: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Socket): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const message = status === 431 ? 'request headers too large' : status === 408 ? 'request headers not received in time' : `malformed HTTP request (${err.code ?? 'parse error'})`;
  const body = errorBody(status, message, 'request_protocol');
  socket.end(
    `HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : status === 408 ? 'Request Timeout' : 'Request Header Fields Too Large'}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  rt.metrics?.requestFinished(UNKNOWN_MODEL, UNMATCHED_PATH, status, 'request_protocol', 0);
  const line = requestLine(err.rawPacket);
  log?.log({
    timestamp: new Date(),
    ...line,
    status_code: status,
    request_id: '',
    duration_total: 0,
    duration_request_processing: 0,
    duration_upstream_processing: 0,
    duration_response_processing: 0,
    error: { type: 'request_protocol', message },
  });
}

export async function startRouter(config: RouterConfig): Promise<RunningRouter> {
  const topology = new Topology(config);
  const metrics = config.observability.metrics.enabled
    ? new RouterMetrics({ fairness: config.fairness.enabled, disaggregated: topology.disaggregated })
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
    fairness: config.fairness.enabled ? new FairnessQueues(config.fairness, metrics) : undefined,
    limiters,
    upstream,
    ready: false,
  };
  const poller = new PodMetricsPoller(topology.pods, config.scheduler.podMetricsInterval, (pod) => upstream.for(pod));

  const api = createServer({ requestTimeout: 0, keepAliveTimeout: 65_000 }, (req, res) => handleApiRequest(rt, req, res));
  api.on('clientError', (err, socket) => onClientError(rt, accessLog, err, socket as Socket));
  const metricsPath = config.observability.metrics.path;
  const admin = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    req.resume();
    if (metrics && path === metricsPath) {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (err: Error) => res.writeHead(500).end(err.message),
      );
      return;
    }
    if (handleConfigDump(topology, path, res)) return;
    res.writeHead(404, { 'content-type': 'application/json' }).end(errorBody(404, `no endpoint ${path}`, 'not_found'));
  });

  const host = config.server.host;
  const apiPort = await listen(api, config.server.port, host);
  const adminPort = await listen(admin, config.observability.metrics.port, host);
  poller.start();
  rt.ready = true;
  const base = (port: number) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    apiUrl: base(apiPort),
    metricsUrl: metrics ? `${base(adminPort)}${metricsPath}` : undefined,
    adminUrl: base(adminPort),
    runtime: rt,
    refreshPodMetrics: () => poller.pollOnce(),
    async close() {
      rt.ready = false;
      await poller.stop();
      await Promise.all([closeServer(api), closeServer(admin)]);
      await upstream.close();
      await accessLog?.close();
    },
  };
}
