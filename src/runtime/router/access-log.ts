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

/**
 * Characters a JSON string value cannot hold as they are (controls, quote, backslash, lone surrogates),
 * and U+2028/9, which JSON allows unescaped but a line-oriented reader would split an entry at.
 */
const NEEDS_ESCAPING = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/;
const LINE_SEPARATORS = /[\u2028\u2029]/g;

function jsonString(value: string): string {
  if (!NEEDS_ESCAPING.test(value)) return `"${value}"`;
  return JSON.stringify(value).replace(LINE_SEPARATORS, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** A string field dropped when empty, as the reference router does. */
function optionalString(key: string, value: string | undefined): string {
  return value === undefined || value === '' ? '' : `,"${key}":${jsonString(value)}`;
}

/** A number field dropped when zero, as the reference router does. */
function optionalCount(key: string, value: number | undefined): string {
  return value === undefined || value === 0 ? '' : `,"${key}":${jsonNumber(value)}`;
}

function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/**
 * The entry as one JSON line, in the order of the specification's example, written field by field: this
 * runs once per request. Strings are escaped as JSON.stringify escapes them (CR, LF and every other
 * control character), U+2028/9 as well.
 */
export function formatJson(entry: AccessLogEntry): string {
  let line =
    `{"timestamp":"${entry.timestamp.toISOString()}","method":${jsonString(entry.method)},"path":${jsonString(entry.path)}` +
    `,"protocol":${jsonString(entry.protocol)},"status_code":${jsonNumber(entry.status_code)}`;
  line += optionalString('model_name', entry.model_name);
  line += optionalString('model_route', entry.model_route);
  line += optionalString('model_server', entry.model_server);
  line += optionalString('selected_pod', entry.selected_pod);
  line += `,"request_id":${jsonString(entry.request_id)}`;
  line += optionalString('trace_id', entry.trace_id);
  line += optionalCount('input_tokens', entry.input_tokens);
  line += optionalCount('output_tokens', entry.output_tokens);
  line +=
    `,"duration_total":${jsonNumber(entry.duration_total)},"duration_request_processing":${jsonNumber(entry.duration_request_processing)}` +
    `,"duration_upstream_processing":${jsonNumber(entry.duration_upstream_processing)},"duration_response_processing":${jsonNumber(entry.duration_response_processing)}`;
  line += optionalCount('duration_prefill', entry.duration_prefill);
  line += optionalCount('duration_decode', entry.duration_decode);
  if (entry.error !== undefined) line += `,"error":{"type":${jsonString(entry.error.type)},"message":${jsonString(entry.error.message)}}`;
  return `${line}}`;
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
 * system call per batch instead of one per request keeps logging off the request path. Pending lines
 * also go out when the process exits, after an uncaught error too (a log file is written synchronously,
 * and so are stdout and stderr when they are files or pipes on Linux); only a process killed outright
 * loses them, at most the last few milliseconds' worth.
 */
class BatchingLogger implements AccessLogger {
  private pending = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly flushOnExit = () => this.flush();
  lastWriteError: string | undefined;

  constructor(
    readonly output: string,
    private readonly format: (entry: AccessLogEntry) => string,
    private readonly write: (chunk: string) => void,
    private readonly release: () => void = () => undefined,
  ) {
    process.on('exit', this.flushOnExit);
  }

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
    process.off('exit', this.flushOnExit);
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
