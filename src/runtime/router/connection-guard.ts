import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody } from './errors.ts';
import type { RouterEvents } from './events.ts';

const refusalBody = (limit: number) => errorBody(503, `the router has ${limit} connections open, its limit; retry later`, 'too_many_connections');

/** How long a refused client may keep sending before its connection is dropped. */
const REFUSED_LINGER_MS = 1000;

/**
 * Bounds the connections a server holds open. A connection past the bound gets a complete 503 response
 * right away and is closed, instead of holding a file descriptor until some timeout: a flood of idle or
 * trickling connections cannot starve the clients already connected.
 */
export class ConnectionGuard {
  private open = 0;
  private refusedCount = 0;
  private readonly refusedSockets = new WeakSet<Socket>();

  constructor(
    private readonly limit: number,
    private readonly events: RouterEvents,
  ) {}

  /** Sees every socket before the HTTP server does, so a refused one is marked before a request on it is parsed. */
  attach(server: Server): void {
    server.prependListener('connection', (socket: Socket) => this.admit(socket));
  }

  /** Connections refused so far. */
  get refused(): number {
    return this.refusedCount;
  }

  /** True when the socket was refused; its requests must not be handled. */
  isRefused(socket: Socket): boolean {
    return this.refusedSockets.has(socket);
  }

  private admit(socket: Socket): void {
    if (this.open < this.limit) {
      this.open++;
      socket.once('close', () => this.open--);
      return;
    }
    this.refusedCount++;
    this.refusedSockets.add(socket);
    this.events.noteThrottled('connection-limit', `refused a connection from ${socket.remoteAddress ?? 'unknown'}: ${this.limit} connections open`);
    const body = refusalBody(this.limit);
    socket.end(
      `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `retry-after: 1\r\nconnection: close\r\n\r\n${body}`,
    );
    // The client may still be sending; give it a moment to read the refusal, then free the descriptor.
    setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
  }
}
