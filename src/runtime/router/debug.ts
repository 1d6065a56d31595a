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
    loraAdapters: p.config.loraAdapters,
    servedModels: p.servedModels ? [...p.servedModels].sort() : null,
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

export interface DebugAnswer {
  status: number;
  value: unknown;
}

const notFound = (message: string, code = 'not_found'): DebugAnswer => ({
  status: 404,
  value: { error: { message, type: 'not_found_error', param: null, code } },
});

/** Path segments, percent-decoded; undefined when a segment is not valid percent-encoding. */
function segments(path: string): string[] | undefined {
  try {
    return path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

/** The answer to a /debug/config_dump/... path; undefined when the path is not one of them. */
export function configDump(topology: Topology, path: string): DebugAnswer | undefined {
  if (!path.startsWith('/debug/config_dump')) return undefined;
  const parts = segments(path);
  if (!parts)
    return { status: 400, value: { error: { message: 'malformed percent-encoding in the path', type: 'invalid_request_error', param: null, code: 'malformed_path' } } };
  if (parts[0] !== 'debug' || parts[1] !== 'config_dump') return undefined;
  if (parts.length === 3 && KINDS.has(parts[2]!)) return { status: 200, value: list(topology, parts[2] as Kind) };
  if (parts.length === 6 && parts[2] === 'namespaces' && KINDS.has(parts[4]!)) {
    const [namespace, kind, name] = [parts[3]!, parts[4] as Kind, parts[5]!];
    const found = list(topology, kind).find((item) => item.namespace === namespace && item.name === name);
    return found ? { status: 200, value: found } : notFound(`no ${kind.replace(/s$/, '')} ${namespace}/${name}`);
  }
  return notFound('unknown debug path');
}
