import type { GoodputTargets, ModelRouteConfig, ModelServerConfig, PodConfig, RouterConfig } from './config.ts';
import { targetsOf } from './goodput.ts';

/** What the router knows about one pod at run time. */
export interface PodState {
  config: PodConfig;
  server: ModelServer;
  /** `namespace/name` of the pod. */
  key: string;
  /** Requests this router has open against the pod. */
  inflight: number;
  /** Smoothed time to response headers of recent requests (ms); undefined before the first one. */
  latencyMs: number | undefined;
  /** From the pod's own /metrics; undefined until the first successful read. */
  kvCacheUsage: number | undefined;
  waiting: number | undefined;
  running: number | undefined;
  lastScrape: Date | undefined;
  lastScrapeError: string | undefined;
  /** Model names (base models and LoRA adapters) from the pod's own /v1/models; undefined until read. */
  servedModels: Set<string> | undefined;
}

export interface ModelServer {
  config: ModelServerConfig;
  /** `namespace/name`. */
  key: string;
  pods: PodState[];
  disaggregated: boolean;
}

export interface RouteTarget {
  server: ModelServer;
  weight: number;
}

/** A target of a route with the pods of its model server that can take a request. */
export interface CandidateTarget extends RouteTarget {
  pods: PodState[];
}

export interface ModelRoute {
  config: ModelRouteConfig;
  key: string;
  targets: RouteTarget[];
  /** Every target with all its pods: the candidates of a base-model request. */
  baseCandidates: CandidateTarget[];
  /** The route's goodput targets over the router's defaults. */
  goodput: GoodputTargets;
}

export interface RouteMatch {
  route: ModelRoute;
  /** The LoRA adapter the client asked for, when it asked for one. */
  loraAdapter: string | undefined;
}

export class Topology {
  readonly servers = new Map<string, ModelServer>();
  readonly routes: ModelRoute[] = [];
  private readonly byModel = new Map<string, RouteMatch>();

  constructor(config: RouterConfig) {
    for (const s of config.modelServers) {
      const key = `${s.namespace}/${s.name}`;
      const server: ModelServer = { config: s, key, pods: [], disaggregated: s.pods.some((p) => p.role !== undefined) };
      server.pods = s.pods.map((p) => ({
        config: p,
        server,
        key: `${s.namespace}/${p.name}`,
        inflight: 0,
        latencyMs: undefined,
        kvCacheUsage: undefined,
        waiting: undefined,
        running: undefined,
        lastScrape: undefined,
        lastScrapeError: undefined,
        servedModels: undefined,
      }));
      this.servers.set(key, server);
    }
    for (const r of config.modelRoutes) {
      const targets = r.targets.map((t) => ({ server: this.servers.get(t.modelServer)!, weight: t.weight }));
      const route: ModelRoute = {
        config: r,
        key: `${r.namespace}/${r.name}`,
        targets,
        baseCandidates: targets.map((t) => ({ ...t, pods: t.server.pods })),
        goodput: targetsOf(config.observability.goodput, r.goodput),
      };
      this.routes.push(route);
      this.byModel.set(r.model, { route, loraAdapter: undefined });
      for (const adapter of r.loraAdapters) this.byModel.set(adapter, { route, loraAdapter: adapter });
    }
  }

  match(model: string): RouteMatch | undefined {
    return this.byModel.get(model);
  }

  /** Every model name clients may ask for, base models and adapters. */
  get models(): string[] {
    return [...this.byModel.keys()];
  }

  get pods(): PodState[] {
    return [...this.servers.values()].flatMap((s) => s.pods);
  }

  get disaggregated(): boolean {
    return [...this.servers.values()].some((s) => s.disaggregated);
  }
}

/** Picks one of the targets by weight; `roll` in [0, 1). Undefined when no target has weight. */
export function pickByWeight<T extends RouteTarget>(targets: readonly T[], roll: number): T | undefined {
  const total = targets.reduce((sum, t) => sum + t.weight, 0);
  if (total === 0) return undefined;
  let point = roll * total;
  for (const t of targets) {
    if (point < t.weight) return t;
    point -= t.weight;
  }
  return targets[targets.length - 1];
}
