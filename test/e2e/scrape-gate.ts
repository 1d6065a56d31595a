import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP forwarder in front of a target's metrics port. Prometheus scrapes through it; closing it makes
 * the target unreachable (`up == 0`, as when the pod is gone) while the process behind it keeps serving
 * its own clients, and opening it again on the same port brings the target back under the same instance.
 */
export interface ScrapeGate {
  /** `host:port` Prometheus scrapes. */
  address: string;
  open(): Promise<void>;
  close(): Promise<void>;
}

export async function startScrapeGate(target: { hostname: string; port: string }): Promise<ScrapeGate> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  const forward = (client: Socket) => {
    const upstream = connect(Number(target.port), target.hostname);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', drop);
      s.on('close', drop);
    }
    client.pipe(upstream).pipe(client);
  };

  const open = async () => {
    if (server) return;
    const next = createServer(forward);
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    const address = next.address();
    port = typeof address === 'object' && address ? address.port : port;
    server = next;
  };

  const close = async () => {
    const current = server;
    if (!current) return;
    server = undefined;
    const closed = new Promise<void>((resolve) => current.close(() => resolve()));
    // Prometheus keeps its scrape connection alive; cut it, or the target stays up through it.
    for (const s of sockets) s.destroy();
    sockets.clear();
    await closed;
  };

  await open();
  return { address: `127.0.0.1:${port}`, open, close };
}
