import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeServer, listen } from '../../src/runtime/http-server.ts';
import { Cancellation } from '../../src/runtime/router/cancellation.ts';
import { RouterError } from '../../src/runtime/router/errors.ts';
import { readBody, type BodyLimits } from '../../src/runtime/router/request-body.ts';

const LIMITS: BodyLimits = { maxBytes: 64, maxDrainBytes: 1024, timeoutMs: 2000 };

interface Outcome {
  body?: string;
  status?: number;
  /** Whether a 'data' listener was added: never when the body was taken from the buffer. */
  listened: boolean;
}

let server: Server | undefined;
afterEach(async () => {
  if (server) await closeServer(server);
  server = undefined;
});

/** Sends `parts` over one connection, `gapMs` apart, and reports what readBody made of the request. */
async function read(parts: string[], gapMs = 0): Promise<Outcome> {
  let outcome!: Promise<Outcome>;
  server = createServer((req: IncomingMessage, res) => {
    let listened = false;
    const on = req.on.bind(req);
    req.on = (event: string, listener: (...args: any[]) => void) => {
      if (event === 'data') listened = true;
      return on(event, listener);
    };
    outcome = readBody(req, LIMITS, new Cancellation(new Error('over'))).then(
      (body) => ({ body: body.toString('utf8'), listened }),
      (err: unknown) => ({ status: err instanceof RouterError ? err.status : -1, listened }),
    );
    void outcome.then(() => res.writeHead(204, { connection: 'close' }).end());
  });
  const port = await listen(server, 0, '127.0.0.1');
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((resolve) => socket.once('connect', resolve));
  for (const [i, part] of parts.entries()) {
    if (i > 0 && gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    socket.write(part);
  }
  await new Promise((resolve) => socket.once('close', resolve).resume());
  return outcome;
}

const request = (body: string, headers = `content-length: ${Buffer.byteLength(body)}\r\n`) =>
  `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n${headers}\r\n${body}`;

describe('readBody', () => {
  it('takes a body that arrived with its headers from the buffer, without reading the stream', async () => {
    expect(await read([request('{"model":"m"}')])).toEqual({ body: '{"model":"m"}', listened: false });
  });

  it('takes an empty body as an empty buffer', async () => {
    expect(await read([request('')])).toEqual({ body: '', listened: false });
  });

  it('reads a body that arrives after its headers as it comes', async () => {
    const body = '{"model":"m","messages":[]}';
    const whole = request(body);
    const split = whole.length - 10;
    expect(await read([whole.slice(0, split), whole.slice(split)], 50)).toEqual({ body, listened: true });
  });

  it('reads a chunked body sent in pieces', async () => {
    const outcome = await read(
      [request('', 'transfer-encoding: chunked\r\n'), '5\r\n{"a":\r\n', '2\r\n1}\r\n', '0\r\n\r\n'],
      30,
    );
    expect(outcome.body).toBe('{"a":1}');
  });

  it('refuses a body over the limit with 413, whole or in pieces', async () => {
    const big = JSON.stringify({ model: 'x'.repeat(LIMITS.maxBytes) });
    expect((await read([request(big)])).status).toBe(413);
    const whole = request(big);
    expect((await read([whole.slice(0, whole.length - 20), whole.slice(-20)], 50)).status).toBe(413);
  });

  it('accepts a body of exactly the limit', async () => {
    const body = `"${'x'.repeat(LIMITS.maxBytes - 2)}"`;
    expect((await read([request(body)])).body).toBe(body);
  });
});
