import type { ServerResponse } from 'node:http';
import type { ModelRoute, ModelServer, PodState, Topology } from './topology.ts';

/**
 * The /debug/config_dump endpoints: the routing state as the router sees it. Header values configured
 * for upstreams (API keys) are never shown.
 */
export const REDACTED = '<redacted>';

function routeView(r: ModelRoute) {
  const c = r.config;
  return {
    namespace: c.namespace,
    name: c.name,
    model: c.model,
    loraAdapters: c.loraAdapters,
    targets: c.targets,
    rateLimit: c.rateLimit ?? null,
  };
}

function serverView(s: ModelServer) {
  const c = s.config;
  return {
    namespace: c.namespace,
    name: c.name,
    engine: c.engine,
    model: c.model ?? null,
    disaggregated: s.disaggregated,
    pods: c.pods.map((p) => p.name),
    headers: Object.fromEntries(Object.keys(c.headers).sort().map((k) => [k, REDACTED])),
  };
}

function podView(p: PodState) {
  return {
    namespace: p.server.config.namespace,
    name: p.config.name,
    modelServer: p.server.key,
    engine: p.server.config.engine,
    address: p.config.address,
    role: p.config.role ?? null,
    inflight: p.inflight,
    latencyMs: p.latencyMs ?? null,
    kvCacheUsage: p.kvCacheUsage ?? null,
    waiting: p.waiting ?? null,
    running: p.running ?? null,
    lastScrape: p.lastScrape?.toISOString() ?? null,
    lastScrapeError: p.lastScrapeError ?? null,
  };
}

type Kind = 'modelroutes' | 'modelservers' | 'pods';

function list(topology: Topology, kind: Kind): { namespace: string; name: string }[] {
  switch (kind) {
    case 'modelroutes':
      return topology.routes.map(routeView);
    case 'modelservers':
      return [...topology.servers.values()].map(serverView);
    case 'pods':
      return topology.pods.map(podView);
  }
}

const KINDS = new Set<string>(['modelroutes', 'modelservers', 'pods']);

function send(res: ServerResponse, status: number, value: unknown): void {
  const body = `${JSON.stringify(value, null, 2)}\n`;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

/** Answers a /debug/config_dump/... path; false when the path is not one of them. */
export function handleConfigDump(topology: Topology, path: string, res: ServerResponse): boolean {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== 'debug' || parts[1] !== 'config_dump') return false;
  if (parts.length === 3 && KINDS.has(parts[2]!)) {
    send(res, 200, list(topology, parts[2] as Kind));
    return true;
  }
  if (parts.length === 6 && parts[2] === 'namespaces' && KINDS.has(parts[4]!)) {
    const [namespace, kind, name] = [parts[3]!, parts[4] as Kind, parts[5]!];
    const found = list(topology, kind).find((item) => item.namespace === namespace && item.name === name);
    if (found) send(res, 200, found);
    else send(res, 404, { error: { message: `no ${kind.replace(/s$/, '')} ${namespace}/${name}`, type: 'not_found_error', param: null, code: 'not_found' } });
    return true;
  }
  send(res, 404, { error: { message: `unknown debug path ${path}`, type: 'not_found_error', param: null, code: 'not_found' } });
  return true;
}
