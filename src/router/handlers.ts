import type { IncomingMessage, ServerResponse } from 'node:http';
import { RouterError } from './errors.ts';
import { Exchange, UNMATCHED_PATH } from './exchange.ts';
import { dispatchAggregated, dispatchDisaggregated, type Dispatch } from './proxy.ts';
import { estimateTokens, parseInferenceRequest, readBody, userOf, type InferenceKind } from './request-body.ts';
import type { RouterRuntime } from './runtime.ts';
import { QueueAbortedError, QueueTimeoutError } from './fairness.ts';

const INFERENCE_PATHS: Record<string, InferenceKind> = {
  '/v1/chat/completions': 'chat',
  '/v1/completions': 'completion',
};
const MODELS_PATHS = new Set(['/v1/models', '/models']);

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

/** Answers the API port: probes, the model list and the OpenAI inference endpoints. */
export function handleApiRequest(rt: RouterRuntime, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  // Probes are neither counted nor logged: they are the platform's traffic, not the clients'.
  if (path === '/healthz') return sendJson(res, 200, { message: 'ok' });
  if (path === '/readyz')
    return sendJson(res, rt.ready ? 200 : 503, { message: rt.ready ? 'router is ready' : 'router is not ready' });

  const kind = INFERENCE_PATHS[path];
  const known = kind !== undefined || MODELS_PATHS.has(path);
  const ex = new Exchange(req, res, known ? path : UNMATCHED_PATH, path, rt.metrics, rt.accessLog);
  if (MODELS_PATHS.has(path)) {
    if (req.method !== 'GET') return ex.sendError(new RouterError(405, 'request_protocol', 'request_protocol', `${path} only answers GET`));
    req.resume();
    return sendJson(res, 200, {
      object: 'list',
      data: rt.topology.models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'infermon' })),
    });
  }
  if (kind === undefined) {
    req.resume();
    return ex.sendError(new RouterError(404, 'request_failed', 'not_found', `no endpoint ${path}`));
  }
  if (req.method !== 'POST') {
    req.resume();
    return ex.sendError(new RouterError(405, 'request_protocol', 'request_protocol', `${path} only answers POST`));
  }
  handleInference(rt, ex, kind).catch((err: unknown) => {
    if (err instanceof RouterError) return ex.sendError(err);
    if (ex.abort.signal.aborted) return;
    ex.sendError(new RouterError(500, 'request_failed', 'internal', `internal error: ${(err as Error).message}`));
  });
}

async function handleInference(rt: RouterRuntime, ex: Exchange, kind: InferenceKind): Promise<void> {
  const { config, topology } = rt;
  const raw = await readBody(ex.req, config.server.maxBodyBytes, config.server.requestTimeout);
  const request = parseInferenceRequest(raw, kind);
  ex.modelName = request.model;
  const match = topology.match(request.model);
  if (!match) throw new RouterError(404, 'route_not_found', 'route_not_found', `the model \`${request.model}\` does not exist`);
  const { route, loraAdapter } = match;
  ex.modelLabel = request.model;
  ex.modelRoute = route.key;
  rt.metrics?.downstreamDelta(ex.modelLabel, 1);
  ex.whenDone(() => rt.metrics?.downstreamDelta(ex.modelLabel, -1));

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
      const release = await rt.fairness.acquire(ex.modelLabel, user, ex.abort.signal);
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

  const server = topology.pickServer(route, Math.random());
  if (!server) throw new RouterError(503, 'scheduling', 'scheduling', `model route ${route.key} has no target with weight`);
  ex.modelServer = server.key;
  const upstreamModel = loraAdapter ?? server.config.model ?? request.model;
  const path = Object.entries(INFERENCE_PATHS).find(([, k]) => k === kind)![0];
  const d: Dispatch = { rt, ex, route, server, request, path, upstreamModel };
  try {
    if (server.disaggregated) await dispatchDisaggregated(d, raw, estimatedInput);
    else await dispatchAggregated(d, raw, estimatedInput);
  } catch (err) {
    if (ex.abort.signal.aborted) return;
    throw err;
  }
  rt.metrics?.countTokens(ex.modelLabel, ex.pathLabel, 'input', ex.inputTokens);
  rt.metrics?.countTokens(ex.modelLabel, ex.pathLabel, 'output', ex.outputTokens);
}
