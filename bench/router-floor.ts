import { createServer } from 'node:http';
import { Pool } from 'undici';
import { closeServer, listen } from '../src/runtime/http-server.ts';

/**
 * The least a Node.js reverse proxy does per request with the reference router's building blocks: a
 * node:http server, the body read whole, one undici dispatch to the pod reading the whole answer, the
 * answer relayed with its status and content type. No routing, validation, metrics, logs, deadlines or
 * error handling: the floor of CPU per request the router's own work adds to.
 */
export async function startProxyFloor(pod: string): Promise<{ url: string; close: () => Promise<void> }> {
  const pool = new Pool(`http://${pod}`, { connections: 256 });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answer: Buffer[] = [];
      let status = 502;
      let contentType = 'application/json';
      pool.dispatch(
        { path: req.url ?? '/', method: 'POST', body: Buffer.concat(chunks), headers: { 'content-type': 'application/json' } },
        {
          // undici tells its handler interfaces apart by this method.
          onRequestStart() {},
          onResponseStart(_controller, statusCode, headers) {
            status = statusCode;
            if (typeof headers['content-type'] === 'string') contentType = headers['content-type'];
          },
          onResponseData(_controller, chunk) {
            answer.push(chunk);
          },
          onResponseEnd() {
            const body = Buffer.concat(answer);
            res.writeHead(status, { 'content-type': contentType, 'content-length': body.length }).end(body);
          },
          onResponseError() {
            res.writeHead(502).end();
          },
        },
      );
    });
  });
  const port = await listen(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await closeServer(server);
      await pool.destroy();
    },
  };
}
