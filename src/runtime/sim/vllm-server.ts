import { randomUUID } from 'node:crypto';
import type { Span } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
} from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION,
} from '@opentelemetry/semantic-conventions/incubating';
import { endWithStatus, type Tracing } from '../telemetry/tracing.ts';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { httpStatusOf } from '../health.ts';
import { closeServer, listen } from '../http-server.ts';
import { livenessReport, vllmReadiness } from './health.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { promptBlocks, SimEngine } from './vllm-engine.ts';
import { VllmMetrics, type FinishedReason } from './vllm-metrics.ts';

/**
 * A stand-in for a vLLM OpenAI-compatible server, for tests and demos: it speaks the chat and completion
 * APIs (streamed or not), generates filler text at a configurable pace, injects faults on demand, and
 * exposes the catalog's vLLM families with values that follow the traffic. It is no model server.
 */

export const faultsSchema = z.strictObject({
  /** Time to first token, ms. */
  ttftMs: z.number().min(0),
  /** Time between output tokens, ms. */
  itlMs: z.number().min(0),
  /** Share of requests answered with a 500. */
  errorRate: z.number().min(0).max(1),
  /** Share of requests whose connection is reset before any answer. */
  resetRate: z.number().min(0).max(1),
  /** Share of requests that stall for `stallMs` before the first byte. */
  stallRate: z.number().min(0).max(1),
  stallMs: z.number().min(0),
  /** Share of streamed responses whose connection is dropped after the first token, as when the pod dies. */
  breakRate: z.number().min(0).max(1),
});
export type Faults = z.infer<typeof faultsSchema>;

export interface VllmSimOptions {
  port?: number;
  host?: string;
  /** Served model name. */
  model: string;
  /** LoRA adapters also accepted as `model`. */
  loraAdapters?: string[];
  /** `both` serves whole requests; `prefill` and `decode` act as the halves of a disaggregated pair. */
  role?: 'both' | 'prefill' | 'decode';
  /** Output tokens of a request that does not set max_tokens. */
  outputTokens?: number;
  maxNumSeqs?: number;
  maxModelLen?: number;
  blockSize?: number;
  numGpuBlocks?: number;
  faults?: Partial<Faults>;
  /** Random source in [0, 1); injectable so fault tests can be deterministic. */
  random?: () => number;
  /** Spans of the requests it serves, continuing the caller's trace from `traceparent`; none when absent. */
  tracing?: Tracing;
}

/** Attribute of the simulated pod's role in a prefill/decode pair. */
export const SIM_ROLE_ATTR = 'vllm.sim.role';

export interface RunningVllmSim {
  url: string;
  port: number;
  metrics: VllmMetrics;
  engine: SimEngine;
  faults: Faults;
  close(): Promise<void>;
}

const CHARS_PER_TOKEN = 4;
const WORDS = ['the', ' model', ' says', ' hello', ' to', ' you', ' and', ' the', ' world', '.'];

function tokensOf(text: string): number {
  return Math.max(1, Math.ceil(text.length / CHARS_PER_TOKEN));
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

function openAiError(res: ServerResponse, status: number, message: string, type = 'BadRequestError'): void {
  sendJson(res, status, { error: { message, type, param: null, code: status } });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

type Kind = 'chat' | 'completion';

function promptOf(body: Record<string, unknown>, kind: Kind): string | undefined {
  if (kind === 'chat') {
    if (!Array.isArray(body.messages)) return undefined;
    return body.messages
      .map((m) => {
        const c = (m as { content?: unknown }).content;
        return typeof c === 'string' ? c : Array.isArray(c) ? c.map((p) => (p as { text?: string }).text ?? '').join('') : '';
      })
      .join('\n');
  }
  if (typeof body.prompt === 'string') return body.prompt;
  if (Array.isArray(body.prompt)) return body.prompt.join('\n');
  return undefined;
}

export async function startVllmSim(options: VllmSimOptions): Promise<RunningVllmSim> {
  const random = options.random ?? Math.random;
  const role = options.role ?? 'both';
  const blockSize = options.blockSize ?? 16;
  const numGpuBlocks = options.numGpuBlocks ?? 4096;
  const maxModelLen = options.maxModelLen ?? 8192;
  const defaultOutput = options.outputTokens ?? 16;
  const faults: Faults = faultsSchema.parse({ ttftMs: 20, itlMs: 5, errorRate: 0, resetRate: 0, stallRate: 0, stallMs: 0, breakRate: 0, ...options.faults });
  const served = new Set([options.model, ...(options.loraAdapters ?? [])]);
  const engine = new SimEngine({ maxNumSeqs: options.maxNumSeqs ?? 64, blockSize, numGpuBlocks });
  const metrics = new VllmMetrics({ model: options.model, engine: '0', blockSize, numGpuBlocks });
  const publishState = () => metrics.setState(engine.numRunning, engine.numWaiting, engine.kvUsage);

  /**
   * A SERVER span per inference request, named after the GenAI conventions (`{operation} {model}`) and
   * ended when the response closes, whichever way it ends.
   */
  function requestSpan(tracing: Tracing, req: IncomingMessage, res: ServerResponse, kind: Kind, path: string): Span {
    const operation = kind === 'chat' ? GEN_AI_OPERATION_NAME_VALUE_CHAT : GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION;
    const span = tracing.startServerSpan(operation, tracing.extract(req.headers), {
      [ATTR_GEN_AI_OPERATION_NAME]: operation,
      [ATTR_GEN_AI_PROVIDER_NAME]: 'vllm',
      [ATTR_HTTP_REQUEST_METHOD]: req.method ?? 'POST',
      [ATTR_HTTP_ROUTE]: path,
      [SIM_ROLE_ATTR]: role,
    });
    res.once('close', () => {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
      if (res.statusCode >= 400) span.setAttribute(ATTR_ERROR_TYPE, String(res.statusCode));
      endWithStatus(span, res.statusCode, res.writableFinished ? undefined : 'connection closed before the response was complete');
    });
    return span;
  }

  async function generate(req: IncomingMessage, res: ServerResponse, kind: Kind, span: Span | undefined): Promise<void> {
    const arrived = performance.now();
    let body: Record<string, unknown>;
    try {
      const parsed = await readJson(req);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      return openAiError(res, 400, 'request body is not a JSON object');
    }
    if (typeof body.model !== 'string' || !served.has(body.model))
      return openAiError(res, 404, `The model \`${String(body.model)}\` does not exist.`, 'NotFoundError');
    const prompt = promptOf(body, kind);
    if (prompt === undefined) return openAiError(res, 400, kind === 'chat' ? 'messages is required' : 'prompt is required');
    span?.updateName(`${kind === 'chat' ? GEN_AI_OPERATION_NAME_VALUE_CHAT : GEN_AI_OPERATION_NAME_VALUE_TEXT_COMPLETION} ${body.model}`);
    span?.setAttribute(ATTR_GEN_AI_REQUEST_MODEL, body.model);

    if (random() < faults.resetRate) {
      res.socket?.destroy();
      return;
    }
    if (random() < faults.errorRate) {
      metrics.failed('error');
      return openAiError(res, 500, 'simulated engine failure', 'InternalServerError');
    }

    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const promptTokens = tokensOf(prompt);
    const kvTransfer = body.kv_transfer_params as { do_remote_prefill?: unknown } | undefined;
    const transferred = role === 'decode' && kvTransfer && typeof kvTransfer === 'object' ? promptTokens : 0;
    const requestedMax = typeof body.max_tokens === 'number' ? body.max_tokens : typeof body.max_completion_tokens === 'number' ? body.max_completion_tokens : undefined;
    const maxTokens = Math.max(1, Math.min(requestedMax ?? maxModelLen - promptTokens, maxModelLen));
    const outputTokens = Math.min(maxTokens, defaultOutput);
    const reason: FinishedReason = requestedMax !== undefined && requestedMax <= defaultOutput ? 'length' : 'stop';
    const stream = body.stream === true;
    // Drawn only when breaks are on, so seeded fault sequences of other tests stay as they were.
    const breaksMidStream = stream && faults.breakRate > 0 && random() < faults.breakRate;
    const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    const id = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model;
    span?.setAttributes({ [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: maxTokens, [ATTR_GEN_AI_RESPONSE_ID]: id, [ATTR_GEN_AI_RESPONSE_MODEL]: model });

    let seq: Awaited<ReturnType<SimEngine['admit']>> | undefined;
    try {
      publishState();
      seq = await engine.admit(abort.signal);
      const scheduled = performance.now();
      engine.grow(seq, promptTokens);
      publishState();
      const cached = transferred ? 0 : Math.min(promptTokens, engine.lookupPrefix(promptBlocks(prompt, blockSize * CHARS_PER_TOKEN)) * blockSize);
      metrics.prefilled(promptTokens, cached, transferred);
      if (random() < faults.stallRate) await sleep(faults.stallMs, undefined, { signal: abort.signal });
      // Only the uncached part of the prompt costs prefill time; a KV transfer costs a quarter of it.
      const prefillShare = transferred ? 0.25 : 1 - cached / promptTokens / 2;
      if (faults.ttftMs > 0) await sleep(faults.ttftMs * prefillShare, undefined, { signal: abort.signal });
      const firstToken = performance.now();
      metrics.firstToken((firstToken - arrived) / 1000);

      const chunk = (delta: Record<string, unknown>, finish: string | null) =>
        kind === 'chat'
          ? { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] }
          : { id, object: 'text_completion', created, model, choices: [{ index: 0, text: delta.content ?? '', logprobs: null, finish_reason: finish }] };
      if (stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        if (kind === 'chat') res.write(`data: ${JSON.stringify(chunk({ role: 'assistant', content: '' }, null))}\n\n`);
      }
      let text = '';
      for (let i = 0; i < outputTokens; i++) {
        // Each token is due at its own step from the first, as an engine's steps are: a timer that fires
        // late on a busy host delays the tokens around it, not every token after it.
        const due = firstToken + i * faults.itlMs - performance.now();
        if (i > 0 && due > 0) await sleep(due, undefined, { signal: abort.signal });
        const word = WORDS[i % WORDS.length]!;
        text += word;
        engine.grow(seq, promptTokens + i + 1);
        // The engine's own step time, as a GPU would take it: a timer of the simulator's process that fires
        // late on a busy host is no slower decode, and must not burn the inter-token SLO of a healthy bench.
        metrics.decoded(1, i === 0 ? undefined : faults.itlMs / 1000);
        if (stream) {
          const event = `data: ${JSON.stringify(chunk({ content: word }, i === outputTokens - 1 ? reason : null))}\n\n`;
          if (breaksMidStream) {
            // The token reaches the client, then the connection drops without the end of the stream.
            await new Promise<void>((resolve) => res.write(event, () => resolve()));
            metrics.failed('error');
            res.socket?.destroy();
            return;
          }
          res.write(event);
        }
      }
      publishState();
      const done = performance.now();
      const usage = { prompt_tokens: promptTokens, completion_tokens: outputTokens, total_tokens: promptTokens + outputTokens };
      span?.setAttributes({
        [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: promptTokens,
        [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: outputTokens,
        [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: [reason],
      });
      const kvParams = role === 'prefill' ? { kv_transfer_params: { do_remote_prefill: true, remote_engine_id: `sim-${options.model}`, remote_block_ids: [], remote_request_id: id } } : {};
      if (stream) {
        if (includeUsage) res.write(`data: ${JSON.stringify({ id, object: kind === 'chat' ? 'chat.completion.chunk' : 'text_completion', created, model, choices: [], usage })}\n\n`);
        res.end('data: [DONE]\n\n');
      } else {
        const choice =
          kind === 'chat'
            ? { index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: reason }
            : { index: 0, text, logprobs: null, finish_reason: reason };
        sendJson(res, 200, { id, object: kind === 'chat' ? 'chat.completion' : 'text_completion', created, model, choices: [choice], usage, ...kvParams });
      }
      metrics.finished({
        reason,
        promptTokens,
        generatedTokens: outputTokens,
        maxTokens,
        n: typeof body.n === 'number' ? body.n : 1,
        computedPromptTokens: Math.max(0, promptTokens - cached - transferred),
        ttft: (firstToken - arrived) / 1000,
        e2e: (done - arrived) / 1000,
        queue: (scheduled - arrived) / 1000,
        prefill: (firstToken - scheduled) / 1000,
        decode: (done - firstToken) / 1000,
      });
    } catch (err) {
      if (abort.signal.aborted) metrics.failed('abort');
      else throw err;
    } finally {
      if (seq) engine.release(seq);
      publishState();
    }
  }

  async function admin(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET') return sendJson(res, 200, faults);
    let update: unknown;
    try {
      update = await readJson(req);
    } catch {
      return openAiError(res, 400, 'body is not JSON');
    }
    const parsed = faultsSchema.partial().safeParse(update);
    if (!parsed.success) return openAiError(res, 400, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    Object.assign(faults, parsed.data);
    sendJson(res, 200, faults);
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const run = (p: Promise<void>) =>
      p.catch((err: Error) => {
        if (!res.headersSent) openAiError(res, 500, err.message, 'InternalServerError');
        else res.destroy();
      });
    switch (path) {
      case '/v1/chat/completions':
      case '/v1/completions': {
        const kind: Kind = path === '/v1/chat/completions' ? 'chat' : 'completion';
        const span = options.tracing ? requestSpan(options.tracing, req, res, kind, path) : undefined;
        return void run(generate(req, res, kind, span));
      }
      case '/v1/models':
        req.resume();
        return sendJson(res, 200, { object: 'list', data: [...served].map((id) => ({ id, object: 'model', created: 0, owned_by: 'vllm' })) });
      case '/health':
        req.resume();
        return void res.writeHead(200).end();
      case '/livez':
      case '/readyz': {
        req.resume();
        const report = path === '/livez' ? livenessReport() : vllmReadiness(engine, faults);
        return sendJson(res, httpStatusOf(report), report);
      }
      case '/metrics':
        req.resume();
        publishState();
        return void metrics.registry.metrics().then((text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text));
      case '/admin/faults':
        return void run(admin(req, res));
      case '/admin/load':
        req.resume();
        return sendJson(res, 200, { running: engine.numRunning, waiting: engine.numWaiting, kvCacheUsage: engine.kvUsage, maxNumSeqs: engine.options.maxNumSeqs });
      default:
        req.resume();
        return openAiError(res, 404, `no route ${path}`, 'NotFoundError');
    }
  });
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  return {
    url: `http://${host}:${port}`,
    port,
    metrics,
    engine,
    faults,
    close: () => closeServer(server),
  };
}
