import type { IncomingMessage } from 'node:http';
import { badRequest, RouterError } from './errors.ts';

/** Reads the request body within a size limit and a deadline. */
export function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit)
    return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (err: Error | undefined, body?: Buffer) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (err) reject(err);
      else resolve(body!);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish(tooLarge(limit));
      else chunks.push(chunk);
    };
    const onEnd = () => finish(undefined, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    const onError = (err: Error) => finish(err);
    const onAborted = () => finish(new Error('client closed the connection while sending the body'));
    const timer = setTimeout(
      () => finish(new RouterError(408, 'request_failed', 'request_timeout', `request body not received within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

function tooLarge(limit: number): RouterError {
  return new RouterError(413, 'request_failed', 'request_too_large', `request body exceeds ${limit} bytes`);
}

export type InferenceKind = 'chat' | 'completion';

export interface InferenceRequest {
  body: Record<string, unknown>;
  model: string;
  stream: boolean;
  /** Whether the client itself asked for the final usage chunk of a stream. */
  clientWantsUsage: boolean;
  /** The prompt text, for prefix matching and the token estimate. Never logged. */
  prompt: string;
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((part) => (typeof part === 'object' && part && 'text' in part ? String(part.text) : '')).join('');
  return '';
}

/** Parses and checks an OpenAI chat or completion request. */
export function parseInferenceRequest(raw: Buffer, kind: InferenceKind): InferenceRequest {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw badRequest('request_parsing', `request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest('request_parsing', 'request body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model === '')
    throw badRequest('prompt_parsing', 'the request has no "model"', 'prompt_parsing');
  let prompt: string;
  if (kind === 'chat') {
    if (!Array.isArray(b.messages) || b.messages.length === 0)
      throw badRequest('prompt_parsing', '"messages" must be a non-empty array', 'prompt_parsing');
    prompt = b.messages.map((m) => (typeof m === 'object' && m ? contentText((m as { content?: unknown }).content) : '')).join('\n');
  } else {
    if (typeof b.prompt === 'string') prompt = b.prompt;
    else if (Array.isArray(b.prompt) && b.prompt.every((p) => typeof p === 'string')) prompt = b.prompt.join('\n');
    else throw badRequest('prompt_parsing', '"prompt" must be a string or an array of strings', 'prompt_parsing');
  }
  const streamOptions = b.stream_options as { include_usage?: unknown } | undefined;
  return {
    body: b,
    model: b.model,
    stream: b.stream === true,
    clientWantsUsage: streamOptions?.include_usage === true,
    prompt,
  };
}

/** Rough prompt token count used before dispatch (rate limits), about four characters per token. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** The user a request belongs to for fair queueing: the configured header, else the body's `user`. */
export function userOf(req: IncomingMessage, body: Record<string, unknown>, header: string): string {
  const fromHeader = req.headers[header];
  if (typeof fromHeader === 'string' && fromHeader !== '') return fromHeader;
  return typeof body.user === 'string' && body.user !== '' ? body.user : 'anonymous';
}
