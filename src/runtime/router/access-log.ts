import { closeSync, openSync, writeSync } from 'node:fs';
import type { RouterConfig } from './config.ts';

/**
 * One access-log entry per request, in the JSON (default) or text format of the Kthena router
 * observability document. Prompts, completions and request headers are never logged.
 */
export interface AccessLogEntry {
  /** Request start. */
  timestamp: Date;
  method: string;
  path: string;
  protocol: string;
  status_code: number;
  model_name?: string;
  model_route?: string;
  model_server?: string;
  selected_pod?: string;
  request_id: string;
  /** W3C trace ID of the request when tracing is on, to jump from the line to its trace. */
  trace_id?: string;
  input_tokens?: number;
  output_tokens?: number;
  duration_total: number;
  duration_request_processing: number;
  duration_upstream_processing: number;
  duration_response_processing: number;
  /** Prefill and decode phase durations of disaggregated requests (ms). */
  duration_prefill?: number;
  duration_decode?: number;
  error?: { type: string; message: string };
}

/** Fields dropped when empty or zero, as the reference router does. */
const OMIT_EMPTY = new Set([
  'model_name',
  'model_route',
  'model_server',
  'selected_pod',
  'trace_id',
  'input_tokens',
  'output_tokens',
  'duration_prefill',
  'duration_decode',
]);

/** Authored order of the JSON fields: the order of the specification's example. */
const JSON_ORDER = [
  'timestamp',
  'method',
  'path',
  'protocol',
  'status_code',
  'model_name',
  'model_route',
  'model_server',
  'selected_pod',
  'request_id',
  'trace_id',
  'input_tokens',
  'output_tokens',
  'duration_total',
  'duration_request_processing',
  'duration_upstream_processing',
  'duration_response_processing',
  'duration_prefill',
  'duration_decode',
  'error',
] as const satisfies readonly (keyof AccessLogEntry)[];

/** Line separators JSON allows unescaped in strings; a line-oriented reader would split an entry there. */
const LINE_SEPARATOR = /[\u2028\u2029]/;
const LINE_SEPARATORS = new RegExp(LINE_SEPARATOR.source, 'g');
/** Characters JSON.stringify would escape (controls, quote, backslash, lone surrogates). */
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

function jsonValue(value: unknown): string {
  if (typeof value === 'string') return NEEDS_ESCAPING.test(value) ? JSON.stringify(value) : `"${value}"`;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return JSON.stringify(value);
}

/** The timestamp is written first, as an ISO string; these follow it. */
const FIELDS_AFTER_TIMESTAMP = JSON_ORDER.slice(1);

/**
 * The entry as one JSON line, written field by field rather than through an intermediate object: this
 * runs once per request. Values go through JSON.stringify, which escapes CR, LF and every other control
 * character; U+2028/9 are escaped as well.
 */
export function formatJson(entry: AccessLogEntry): string {
  let line = `{"timestamp":"${entry.timestamp.toISOString()}"`;
  for (const key of FIELDS_AFTER_TIMESTAMP) {
    const value = entry[key];
    if (value === undefined || (OMIT_EMPTY.has(key) && (value === '' || value === 0))) continue;
    line += `,"${key}":${jsonValue(value)}`;
  }
  line += '}';
  return LINE_SEPARATOR.test(line) ? line.replace(LINE_SEPARATORS, (c) => `\\u${c.charCodeAt(0).toString(16)}`) : line;
}

/** Escapes backslashes and control characters so one entry is always one line. */
export function escapeText(value: string): string {
  return value.replace(/[\\\u0000-\u001f\u007f\u2028\u2029]/g, (c) => {
    switch (c) {
      case '\\':
        return '\\\\';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default: {
        const code = c.charCodeAt(0);
        return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
      }
    }
  });
}

export function formatText(entry: AccessLogEntry): string {
  const e = escapeText;
  let line = `[${entry.timestamp.toISOString()}] "${e(entry.method)} ${e(entry.path)} ${e(entry.protocol)}" ${entry.status_code}`;
  if (entry.error) line += ` error=${e(entry.error.type)}:${e(entry.error.message)}`;
  for (const key of ['model_name', 'model_route', 'model_server', 'selected_pod', 'request_id', 'trace_id'] as const) {
    const value = entry[key];
    if (value) line += ` ${key}=${e(value)}`;
  }
  if (entry.input_tokens || entry.output_tokens) line += ` tokens=${entry.input_tokens ?? 0}/${entry.output_tokens ?? 0}`;
  line += ` timings=${entry.duration_total}ms(${entry.duration_request_processing}+${entry.duration_upstream_processing}+${entry.duration_response_processing})`;
  return line;
}

export interface AccessLogger {
  log(entry: AccessLogEntry): void;
  /** Where the lines go: `stdout`, `stderr` or a file path. */
  readonly output: string;
  /** Why the last write failed, until a write succeeds again. */
  readonly lastWriteError: string | undefined;
  /** Flushes pending lines and closes a log file. */
  close(): Promise<void>;
}

/** Pending bytes that trigger an immediate write. */
const FLUSH_BYTES = 64 * 1024;
/** Longest time a line waits before it is written. */
const FLUSH_MS = 20;

/**
 * Lines are batched and written at most every few milliseconds (or once 64 KiB are pending): one write
 * system call per batch instead of one per request keeps logging off the request path.
 */
class BatchingLogger implements AccessLogger {
  private pending = '';
  private timer: NodeJS.Timeout | undefined;
  lastWriteError: string | undefined;

  constructor(
    readonly output: string,
    private readonly format: (entry: AccessLogEntry) => string,
    private readonly write: (chunk: string) => void,
    private readonly release: () => void = () => undefined,
  ) {}

  log(entry: AccessLogEntry): void {
    this.pending += `${this.format(entry)}\n`;
    if (this.pending.length >= FLUSH_BYTES) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending === '') return;
    const chunk = this.pending;
    this.pending = '';
    // A full disk or a closed pipe loses these lines but must not take the router down; health reports it.
    try {
      this.write(chunk);
      this.lastWriteError = undefined;
    } catch (err) {
      this.lastWriteError = (err as Error).message;
    }
  }

  async close(): Promise<void> {
    this.flush();
    this.release();
  }
}

export function createAccessLogger(config: RouterConfig['accessLogger']): AccessLogger | undefined {
  if (!config.enabled) return undefined;
  const format = config.format === 'json' ? formatJson : formatText;
  if (config.output === 'stdout') return new BatchingLogger(config.output, format, (chunk) => process.stdout.write(chunk));
  if (config.output === 'stderr') return new BatchingLogger(config.output, format, (chunk) => process.stderr.write(chunk));
  // A batch is a few kilobytes into the page cache: a synchronous append costs less than a round trip
  // through the thread pool, and a batch is never interleaved with another.
  const fd = openSync(config.output, 'a');
  return new BatchingLogger(config.output, format, (chunk) => writeSync(fd, chunk), () => closeSync(fd));
}
