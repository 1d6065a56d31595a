import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from './errors.ts';
import type { RouterEvents } from './events.ts';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * Runs a request handler so that nothing it throws or rejects with can reach the process: the client
 * gets a 500 (or, once a response is under way, a closed connection) and the router's event log a line.
 * Handlers answer bad input themselves with 4xx; reaching this boundary means a bug, not a bad request.
 */
export function withErrorBoundary(name: string, events: RouterEvents, handler: Handler): Handler {
  return (req, res) => {
    const fail = (err: unknown) => {
      events.noteThrottled(`${name}-internal-error`, `${name}: internal error on ${req.method ?? '?'} request: ${(err as Error)?.message ?? String(err)}`);
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      const body = errorBody(500, 'internal router error', 'internal');
      res.writeHead(500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' }).end(body);
    };
    try {
      const result = handler(req, res);
      if (result) result.catch(fail);
    } catch (err) {
      fail(err);
    }
  };
}
