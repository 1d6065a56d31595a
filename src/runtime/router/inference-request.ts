import type { IncomingMessage } from 'node:http';
import { ROUTER_GENERIC_ERROR_TYPE } from 'infermon/catalog/kthena-router';
import { badRequest } from './errors.ts';

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

/** The requested model; a body without one cannot be routed. */
export function modelOf(body: Record<string, unknown>): string {
  if (typeof body.model !== 'string' || body.model === '') throw badRequest('prompt_parsing', 'the request has no "model"', 'prompt_parsing');
  return body.model;
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((part) => (typeof part === 'object' && part && 'text' in part ? String(part.text) : '')).join('');
  return '';
}

function promptOf(body: Record<string, unknown>, kind: InferenceKind): string {
  if (kind === 'chat') {
    if (!Array.isArray(body.messages) || body.messages.length === 0)
      throw badRequest('prompt_parsing', '"messages" must be a non-empty array', 'prompt_parsing');
    return body.messages.map((m) => (typeof m === 'object' && m ? contentText((m as { content?: unknown }).content) : '')).join('\n');
  }
  if (typeof body.prompt === 'string') return body.prompt;
  if (Array.isArray(body.prompt) && body.prompt.every((p) => typeof p === 'string')) return body.prompt.join('\n');
  throw badRequest('prompt_parsing', '"prompt" must be a string or an array of strings', 'prompt_parsing');
}

type JsonType = 'boolean' | 'integer' | 'number' | 'object';

function hasType(value: unknown, type: JsonType): boolean {
  switch (type) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return `a ${typeof value}`;
}

/** Checks one optional field: absent and null are fine, as vLLM's request model allows both. */
function check(
  body: Record<string, unknown>,
  param: string,
  type: JsonType,
  inRange?: (v: number) => string | undefined,
  key = param,
): void {
  const value = body[key];
  if (value === undefined || value === null) return;
  if (!hasType(value, type))
    throw badRequest('invalid_type', `invalid type for '${param}': expected ${type === 'integer' ? 'an integer' : `a ${type}`}, got ${describe(value)}`, ROUTER_GENERIC_ERROR_TYPE, { param });
  const problem = inRange?.(value as number);
  if (problem) throw badRequest('invalid_value', `invalid '${param}': ${problem}, got ${String(value)}`, ROUTER_GENERIC_ERROR_TYPE, { param });
}

const atLeast = (min: number) => (v: number) => (v < min ? `expected a value >= ${min}` : undefined);
const positive = atLeast(1);
const nonNegative = atLeast(0);
const probability = (v: number) => (v <= 0 || v > 1 ? 'expected a value in (0, 1]' : undefined);

export interface ValidationLimits {
  /** Largest accepted `n`. */
  maxN: number;
}

/**
 * Parses the prompt and checks the sampling fields the router or the pods act on, with vLLM's ranges
 * (its SamplingParams checks) and JSON types as OpenAI's API defines them: a request the pod would reject
 * is rejected here, before it takes a queue slot, and the router and the pod never disagree about
 * whether a response is streamed.
 */
export function parseInferenceRequest(body: Record<string, unknown>, model: string, kind: InferenceKind, limits: ValidationLimits): InferenceRequest {
  const prompt = promptOf(body, kind);
  check(body, 'stream', 'boolean');
  check(body, 'max_tokens', 'integer', positive);
  check(body, 'max_completion_tokens', 'integer', positive);
  if (body.n !== undefined && body.n !== null)
    check(body, 'n', 'integer', (v) => (v < 1 || v > limits.maxN ? `expected a value between 1 and ${limits.maxN}` : undefined));
  check(body, 'temperature', 'number', nonNegative);
  check(body, 'top_p', 'number', probability);
  check(body, 'stream_options', 'object');
  const stream = body.stream === true;
  const streamOptions = body.stream_options as { include_usage?: unknown } | null | undefined;
  if (streamOptions && !stream)
    throw badRequest('invalid_value', "'stream_options' is only allowed when 'stream' is true", ROUTER_GENERIC_ERROR_TYPE, { param: 'stream_options' });
  if (streamOptions) check(streamOptions as Record<string, unknown>, 'stream_options.include_usage', 'boolean', undefined, 'include_usage');
  return { body, model, stream, clientWantsUsage: streamOptions?.include_usage === true, prompt };
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
