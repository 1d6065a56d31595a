import type { IncomingMessage } from 'node:http';
import { ROUTER_GENERIC_ERROR_TYPE } from 'infermon/catalog/kthena-router';
import type { Cancellation } from './cancellation.ts';
import { badRequest, RouterError } from './errors.ts';

export interface BodyLimits {
  maxBytes: number;
  /** Bytes of an oversized body read and dropped before it is answered, so the client reads the 413. */
  maxDrainBytes: number;
  timeoutMs: number;
}

function tooLarge(limit: number): RouterError {
  return new RouterError(413, ROUTER_GENERIC_ERROR_TYPE, 'request_too_large', `request body exceeds ${limit} bytes`);
}

const EMPTY = Buffer.alloc(0);

/**
 * Reads the request body within a size limit and a deadline. A body over the limit is still read (and
 * dropped) up to `maxDrainBytes` before the promise rejects with 413: a client that is still sending
 * when the connection closes sees a reset rather than the status. Settles early when `cancellation` fires.
 */
export async function readBody(req: IncomingMessage, limits: BodyLimits, cancellation: Cancellation): Promise<Buffer> {
  const drainLimit = Math.max(limits.maxBytes, limits.maxDrainBytes);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > drainLimit) throw tooLarge(limits.maxBytes);
  // The request handler runs as soon as the headers are parsed; a body that arrived with them sits in the
  // stream's buffer by the next microtask. Taken from there whole, it needs neither listeners nor a
  // deadline timer.
  await undefined;
  const arrived = req.complete || (Number.isFinite(declared) && req.readableLength >= declared);
  if (arrived && !req.destroyed && !cancellation.cancelled) {
    const body = (req.read() as Buffer | null) ?? EMPTY;
    // The parser may not have marked the message complete yet: let the stream end as a read one does.
    if (!req.readableEnded) req.resume();
    if (body.length > limits.maxBytes) throw tooLarge(limits.maxBytes);
    return body;
  }
  return readStreamed(req, limits, drainLimit, declared, cancellation);
}

function readStreamed(req: IncomingMessage, limits: BodyLimits, drainLimit: number, declared: number, cancellation: Cancellation): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let oversized = Number.isFinite(declared) && declared > limits.maxBytes;
    const finish = (err: Error | undefined, body?: Buffer) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      cancellation.off(onAborted);
      if (err) reject(err);
      else resolve(body!);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > drainLimit) return finish(tooLarge(limits.maxBytes));
      if (size > limits.maxBytes) oversized = true;
      if (!oversized) chunks.push(chunk);
    };
    const onEnd = () => {
      if (oversized) finish(tooLarge(limits.maxBytes));
      else finish(undefined, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
    const onError = (err: Error) => finish(err);
    const onAborted = () => finish(new Error('client closed the connection while sending the body'));
    const timer = setTimeout(
      () =>
        finish(
          oversized
            ? tooLarge(limits.maxBytes)
            : new RouterError(408, ROUTER_GENERIC_ERROR_TYPE, 'request_timeout', `request body not received within ${limits.timeoutMs} ms`),
        ),
      limits.timeoutMs,
    );
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
    if (cancellation.cancelled) onAborted();
    else cancellation.on(onAborted);
  });
}

/** vLLM's OpenAI server takes JSON bodies only: the media type, parameters such as charset aside. */
export function requireJsonContentType(req: IncomingMessage): void {
  const given = req.headers['content-type'];
  if (given === 'application/json') return;
  const mediaType = (given ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json')
    throw new RouterError(
      415,
      ROUTER_GENERIC_ERROR_TYPE,
      'unsupported_media_type',
      `content type ${mediaType ? `\`${mediaType}\`` : '(none)'} is not supported; send application/json`,
    );
}

/**
 * Deepest nesting of arrays and objects a body may have. Requests need a few levels; the limit keeps a
 * deeply nested field from exhausting the stack when the body is re-serialised for the pods.
 */
export const MAX_JSON_DEPTH = 64;

function nestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * The body as a JSON object. A body that is not JSON at all is not counted in the request metrics (the
 * catalog says so); one that is JSON but unusable is.
 */
export function parseJsonObject(raw: Buffer): Record<string, unknown> {
  const text = raw.toString('utf8');
  if (nestingExceeds(text, MAX_JSON_DEPTH))
    throw badRequest('request_too_deep', `request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    // The parser's message quotes the body, which may be a prompt: only the position is reported.
    const position = /position (\d+)/.exec((err as Error).message)?.[1];
    const where = position === undefined ? '' : ` (at character ${position})`;
    throw badRequest('request_parsing', `request body is not valid JSON${where}`, ROUTER_GENERIC_ERROR_TYPE, { counted: false });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('invalid_type', 'request body must be a JSON object');
  return body as Record<string, unknown>;
}
