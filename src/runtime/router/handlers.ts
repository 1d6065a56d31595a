import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouterConfig } from './config.ts';
import { httpStatusOf } from '../health.ts';
import { RouterError } from './errors.ts';
import { Exchange, UNMATCHED_PATH } from './exchange.ts';
import { QueueAbortedError, QueueTimeoutError } from './fairness.ts';
import { estimateTokens, modelOf, parseInferenceRequest, userOf, type InferenceKind } from './inference-request.ts';
import { candidateTargets } from './lora.ts';
import { routerLiveness, routerReadiness } from './health.ts';
import { dispatchAggregated, dispatchDisaggregated, type Dispatch } from './proxy.ts';
import { parseJsonObject, readBody, requireJsonContentType, type BodyLimits } from './request-body.ts';
import type { RouterRuntime } from './runtime.ts';
import { pickByWeight } from './topology.ts';

const INFERENCE_PATHS = new Map<string, InferenceKind>([
  ['/v1/chat/completions', 'chat'],
  ['/v1/completions', 'completion'],
]);
const MODELS_PATHS = new Set(['/v1/models', '/models']);
/** `/healthz` keeps its plain answer for existing probes; `/livez` and `/readyz` answer the JSON health report. */
const HEALTH_PATHS = new Set(['/healthz', '/livez', '/readyz']);

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

const limitsOf = new WeakMap<RouterConfig['server'], BodyLimits>();

function bodyLimits(server: RouterConfig['server']): BodyLimits {
  let limits = limitsOf.get(server);
  if (!limits) {
    limits = { maxBytes: server.maxBodyBytes, maxDrainBytes: server.maxDrainBytes, timeoutMs: server.requestTimeout };
    limitsOf.set(server, limits);
  }
  return limits;
}

/** The request target without its query string. */
function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

/** Answers a request the router refuses, after reading (and dropping) what it sent. */
async function refuse(rt: RouterRuntime, ex: Exchange, err: RouterError): Promise<void> {
  ex.sendError(err, (await discardBody(rt, ex)) !== undefined);
}

/**
 * Reads and drops a body the router has no use for, within the usual limits, so the client is done
 * sending when it is answered. Returns why the body could not be read, if it could not.
 */
async function discardBody(rt: RouterRuntime, ex: Exchange): Promise<RouterError | undefined> {
  try {
    await readBody(ex.req, bodyLimits(rt.config.server), ex.cancellation);
    return undefined;
  } catch (err) {
    return err instanceof RouterError ? err : new RouterError(400, 'request_protocol', 'request_protocol', 'the request body could not be read');
  }
}

/**
 * Answers the API port: probes, the model list and the OpenAI inference endpoints. Every bad request is
 * answered with a JSON error through its exchange, so it is counted and logged once.
 */
export async function handleApiRequest(rt: RouterRuntime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = pathOf(req.url);
  // Probes are neither counted nor logged: they are the platform's traffic, not the clients'.
  if (HEALTH_PATHS.has(path)) {
    req.resume();
    if (path === '/healthz') return sendJson(res, 200, { message: 'ok' });
    const report = path === '/livez' ? routerLiveness() : routerReadiness(rt);
    return sendJson(res, httpStatusOf(report), report);
  }

  const kind = INFERENCE_PATHS.get(path);
  const known = kind !== undefined || MODELS_PATHS.has(path);
  const ex = new Exchange(req, res, known ? path : UNMATCHED_PATH, path, rt.metrics, rt.accessLog, rt.tracing);
  if (MODELS_PATHS.has(path)) {
    if (req.method !== 'GET') return refuse(rt, ex, new RouterError(405, 'request_protocol', 'request_protocol', `${path} only answers GET`));
    const bodyError = await discardBody(rt, ex);
    if (bodyError) return ex.sendError(bodyError);
    return sendJson(res, 200, {
      object: 'list',
      data: rt.topology.models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'infermon' })),
    });
  }
  if (kind === undefined) return refuse(rt, ex, new RouterError(404, 'request_failed', 'not_found', `no endpoint ${path}`));
  if (req.method !== 'POST') return refuse(rt, ex, new RouterError(405, 'request_protocol', 'request_protocol', `${path} only answers POST`));
  try {
    await handleInference(rt, ex, kind);
  } catch (err) {
    if (err instanceof RouterError) return ex.sendError(err);
    if (ex.cancellation.cancelled) return;
    rt.events.noteThrottled('internal-error', `internal error on ${path}: ${(err as Error).message}`);
    ex.sendError(new RouterError(500, 'request_failed', 'internal', 'internal router error'));
  }
}

/**
 * A request with an Expect header other than 100-continue: Node would answer 417 on its own, uncounted
 * and unlogged; the router answers it through an exchange like any other refusal.
 */
export function refuseExpectation(rt: RouterRuntime, req: IncomingMessage, res: ServerResponse): void {
  const path = pathOf(req.url);
  const known = INFERENCE_PATHS.has(path) || MODELS_PATHS.has(path);
  const ex = new Exchange(req, res, known ? path : UNMATCHED_PATH, path, rt.metrics, rt.accessLog, rt.tracing);
  ex.sendError(new RouterError(417, 'request_protocol', 'request_protocol', 'the Expect header is not supported (only 100-continue is)'), true);
}

async function handleInference(rt: RouterRuntime, ex: Exchange, kind: InferenceKind): Promise<void> {
  const { config, topology } = rt;
  const raw = await readBody(ex.req, bodyLimits(config.server), ex.cancellation);
  requireJsonContentType(ex.req);
  const body = parseJsonObject(raw);
  const model = modelOf(body);
  ex.modelName = model;
  const match = topology.match(model);
  if (!match) throw new RouterError(404, 'route_not_found', 'route_not_found', `the model \`${model}\` does not exist`);
  const { route, loraAdapter } = match;
  ex.modelLabel = model;
  ex.modelRoute = route.key;
  ex.goodputTargets = route.goodput;
  ex.enterDownstream();
  const request = parseInferenceRequest(body, model, kind, config.server);
  const targets = candidateTargets(route, loraAdapter);

  const estimatedInput = estimateTokens(request.prompt);
  const limiter = rt.limiters.get(route.key);
  if (limiter) {
    const rejected = limiter.admit(estimatedInput);
    if (rejected) {
      rt.metrics?.rateLimitExceeded(ex.modelLabel, rejected, ex.pathLabel);
      const logType = rejected === 'input_tokens' ? 'input_rate_limit' : rejected === 'output_tokens' ? 'output_rate_limit' : 'rate_limit';
      throw new RouterError(429, 'rate_limit', logType, `rate limit of model route ${route.key} exceeded (${rejected})`);
    }
    ex.whenDone(() => limiter.recordOutput(ex.outputTokens));
  }

  if (rt.fairness) {
    const user = userOf(ex.req, request.body, config.fairness.userHeader);
    try {
      const release = await rt.fairness.acquire(ex.modelLabel, user, ex.cancellation.signal);
      ex.whenDone(() => {
        release();
        rt.fairness?.charge(user, ex.inputTokens + ex.outputTokens);
      });
    } catch (err) {
      if (err instanceof QueueTimeoutError) throw new RouterError(503, 'scheduling', 'scheduling', err.message);
      if (err instanceof QueueAbortedError) return;
      throw err;
    }
  }

  const target = pickByWeight(targets, Math.random());
  if (!target) throw new RouterError(503, 'scheduling', 'scheduling', `model route ${route.key} has no target with weight`);
  const { server, pods } = target;
  ex.modelServer = server.key;
  const upstreamModel = loraAdapter ?? server.config.model ?? request.model;
  // The inference path the client called (its kind was looked up from it) is the path the pods serve.
  const d: Dispatch = { rt, ex, route, server, pods, request, path: ex.path, upstreamModel };
  try {
    if (server.disaggregated) await dispatchDisaggregated(d, raw, estimatedInput);
    else await dispatchAggregated(d, raw, estimatedInput);
  } catch (err) {
    if (ex.cancellation.cancelled) return;
    throw err;
  }
  rt.metrics?.countTokens(ex.modelLabel, ex.pathLabel, 'input', ex.inputTokens);
  rt.metrics?.countTokens(ex.modelLabel, ex.pathLabel, 'output', ex.outputTokens);
}
