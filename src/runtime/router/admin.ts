import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeText } from './access-log.ts';
import { configDump } from './debug.ts';
import { errorBody } from './errors.ts';
import type { RouterEvents } from './events.ts';
import type { NegotiatedExposition } from '../telemetry/exposition-negotiation.ts';
import type { Topology } from './topology.ts';

export interface AdminContext {
  /** The router's metrics in the format each scrape asks for; absent when metrics are disabled. */
  exposition: NegotiatedExposition | undefined;
  metricsPath: string;
  topology: Topology;
  events: RouterEvents;
}

/** Longest piece of a client-supplied path quoted in the event log. */
const QUOTED_PATH_CHARS = 120;

function wellEncoded(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

function send(res: ServerResponse, status: number, body: string, contentType = 'application/json'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }).end(body);
}

/**
 * The metrics and debug port: /metrics and /debug/config_dump. Scrapes and debug reads are the
 * platform's traffic, so they are not in the access log; requests answered with an error get a line in
 * the router's event log instead.
 */
export async function handleAdminRequest(ctx: AdminContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  req.resume();
  const answer = (status: number, body: string, contentType?: string) => {
    if (status >= 400)
      ctx.events.noteThrottled(
        'admin-error',
        `metrics port answered ${status} to ${escapeText(req.method ?? '')} ${escapeText(path.slice(0, QUOTED_PATH_CHARS))}`,
      );
    send(res, status, body, contentType);
  };
  if (!wellEncoded(path)) return answer(400, errorBody(400, 'malformed percent-encoding in the path', 'malformed_path'));
  if (ctx.exposition && path === ctx.metricsPath) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(405, errorBody(405, `${path} only answers GET`, 'request_protocol'));
    const rendered = await ctx.exposition.render(req.headers);
    return answer(200, rendered.body, rendered.contentType);
  }
  const dump = configDump(ctx.topology, path);
  if (dump) return answer(dump.status, `${JSON.stringify(dump.value, null, 2)}\n`);
  answer(404, errorBody(404, 'no such endpoint on the metrics port', 'not_found'));
}

/** An Expect header other than 100-continue: 417, with an event-log line. */
export function refuseAdminExpectation(ctx: AdminContext, req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  ctx.events.noteThrottled('admin-error', 'metrics port answered 417 to an unsupported Expect header');
  res.setHeader('connection', 'close');
  send(res, 417, errorBody(417, 'the Expect header is not supported (only 100-continue is)', 'request_protocol'));
}
