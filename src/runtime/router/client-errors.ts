import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { AccessLogger } from './access-log.ts';
import type { ConnectionGuard } from './connection-guard.ts';
import { errorBody, RouterError } from './errors.ts';
import type { RouterEvents } from './events.ts';
import { activeExchange, UNKNOWN_MODEL, UNMATCHED_PATH } from './exchange.ts';
import type { RouterMetrics } from './metrics.ts';

/** An error Node's HTTP parser (or its header timeout) reports for a connection. */
export type ClientError = NodeJS.ErrnoException & { rawPacket?: unknown };

function rejection(err: ClientError): { status: number; message: string } {
  if (err.code === 'HPE_HEADER_OVERFLOW') return { status: 431, message: 'request headers too large' };
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, message: 'request headers not received in time' };
  return { status: 400, message: `malformed HTTP request (${err.code ?? 'parse error'})` };
}

/** First line of a request the HTTP parser rejected, for the access log. */
function requestLine(raw: unknown): { method: string; path: string; protocol: string } {
  const text = Buffer.isBuffer(raw) ? raw.toString('latin1') : '';
  const [method = '', path = '', protocol = ''] = (text.split(/\r?\n/)[0] ?? '').split(' ');
  return { method, path: path.split('?')[0] ?? '', protocol };
}

/** Writes a complete JSON error response on a socket the HTTP server gave up on, then closes it. */
function answerRaw(socket: Socket, status: number, message: string): void {
  const body = errorBody(status, message, 'request_protocol');
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** Whether anything can or should still be answered on the socket. */
function answerable(err: ClientError, socket: Socket): boolean {
  if (!socket.writable || err.code === 'ECONNRESET' || err.code === 'EPIPE') return false;
  // A connection that never sent a byte made no request: it is closed, not answered or counted.
  return socket.bytesRead > 0;
}

export interface ApiClientErrorContext {
  guard: ConnectionGuard;
  metrics: RouterMetrics | undefined;
  accessLog: AccessLogger | undefined;
}

/**
 * Requests the HTTP parser rejects (CR or LF inside a header, oversized headers, headers too slow, a
 * malformed chunked body, ...) still get a JSON error, a metric and an access-log line, exactly once: an
 * error inside a request the handler already has is answered through that request's exchange.
 */
export function onApiClientError(ctx: ApiClientErrorContext, err: ClientError, socket: Socket): void {
  const { status, message } = rejection(err);
  const exchange = activeExchange(socket);
  if (exchange && !exchange.isRecorded) {
    if (!exchange.req.complete && !exchange.res.headersSent) {
      exchange.sendError(new RouterError(status, 'request_protocol', 'request_protocol', message), true);
      return;
    }
    // Garbage after a complete request: its response finishes, then the connection closes.
    exchange.whenDone(() => socket.destroySoon());
    return;
  }
  if (ctx.guard.isRefused(socket) || !answerable(err, socket)) {
    socket.destroy();
    return;
  }
  rejectOnSocket(ctx, socket, status, message, requestLine(err.rawPacket));
}

/**
 * CONNECT asks to turn the connection into a tunnel, which Node hands over without a response; the
 * router tunnels nothing, so it answers 405 like any request it does not serve.
 */
export function onApiConnect(ctx: ApiClientErrorContext, req: IncomingMessage, socket: Socket): void {
  // Node has detached the socket from the HTTP server, its error handler included.
  socket.on('error', () => socket.destroy());
  if (ctx.guard.isRefused(socket)) {
    socket.destroy();
    return;
  }
  const path = (req.url ?? '').split('?')[0] ?? '';
  rejectOnSocket(ctx, socket, 405, 'CONNECT is not supported', { method: 'CONNECT', path, protocol: `HTTP/${req.httpVersion}` });
}

/** Answers on the bare socket and counts and logs the request like any other. */
function rejectOnSocket(
  ctx: ApiClientErrorContext,
  socket: Socket,
  status: number,
  message: string,
  line: { method: string; path: string; protocol: string },
): void {
  answerRaw(socket, status, message);
  ctx.metrics?.requestFinished(UNKNOWN_MODEL, UNMATCHED_PATH, status, 'request_protocol', 0);
  ctx.accessLog?.log({
    timestamp: new Date(),
    ...line,
    status_code: status,
    request_id: '',
    duration_total: 0,
    duration_request_processing: 0,
    duration_upstream_processing: 0,
    duration_response_processing: 0,
    error: { type: 'request_protocol', message },
  });
}

/** CONNECT on the metrics port: 405 and an event-log line. */
export function onAdminConnect(guard: ConnectionGuard, events: RouterEvents, socket: Socket): void {
  socket.on('error', () => socket.destroy());
  if (guard.isRefused(socket)) {
    socket.destroy();
    return;
  }
  answerRaw(socket, 405, 'CONNECT is not supported');
  events.noteThrottled('admin-client-error', 'metrics port answered 405 to CONNECT');
}

/** The metrics port: a JSON error and an event-log line, no request metrics. */
export function onAdminClientError(guard: ConnectionGuard, events: RouterEvents, err: ClientError, socket: Socket): void {
  if (guard.isRefused(socket) || !answerable(err, socket)) {
    socket.destroy();
    return;
  }
  const { status, message } = rejection(err);
  answerRaw(socket, status, message);
  events.noteThrottled('admin-client-error', `metrics port answered ${status}: ${message}`);
}
