import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An in-process sink for Alertmanager's webhook notifications. Every receiver of the local
 * alertmanager.yml posts here; the payload's `receiver` field says which one sent it.
 */

export interface NotifiedAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
}

/** One webhook POST, as Alertmanager's webhook_config sends it (version 4). */
export interface Notification {
  receiver: string;
  status: 'firing' | 'resolved';
  groupLabels: Record<string, string>;
  alerts: NotifiedAlert[];
  /** Wall-clock time the POST arrived, ms since the epoch. */
  receivedAt: number;
}

export interface WebhookRecorder {
  url: string;
  notifications(): readonly Notification[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function asNotification(value: unknown, receivedAt: number): Notification | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<Notification>;
  if (typeof v.receiver !== 'string' || !Array.isArray(v.alerts)) return undefined;
  return { receiver: v.receiver, status: v.status ?? 'firing', groupLabels: v.groupLabels ?? {}, alerts: v.alerts, receivedAt };
}

export async function startWebhookRecorder(): Promise<WebhookRecorder> {
  const received: Notification[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') {
      req.resume();
      res.writeHead(405).end();
      return;
    }
    const receivedAt = Date.now();
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readBody(req));
    } catch {
      res.writeHead(400).end('body is not JSON');
      return;
    }
    const notification = asNotification(parsed, receivedAt);
    if (!notification) {
      res.writeHead(400).end('not an Alertmanager webhook payload');
      return;
    }
    received.push(notification);
    res.writeHead(200).end();
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    notifications: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
