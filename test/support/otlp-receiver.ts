import { createServer, type IncomingMessage } from 'node:http';
import { request } from 'undici';
import { closeServer, listen } from '../../src/runtime/http-server.ts';

/**
 * An OTLP/HTTP traces receiver for tests and benchmarks: takes `POST /v1/traces` in the JSON encoding
 * (what `@opentelemetry/exporter-trace-otlp-http` sends), answers as a collector does, and keeps the
 * spans it decoded. IDs are hex, as the OTLP JSON encoding writes them. `keep: false` only counts the
 * spans of each export, without decoding it, so a benchmark's receiver takes little of the machine.
 * `relayTo` passes every accepted export on, unchanged, to another OTLP/HTTP endpoint (a collector).
 */

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP span kind: 1 internal, 2 server, 3 client. */
  kind: number;
  service: string;
  attributes: Record<string, unknown>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
}

export const OTLP_SPAN_KIND = { server: 2, client: 3 } as const;

export interface OtlpReceiver {
  /** The traces endpoint, e.g. http://127.0.0.1:4318/v1/traces. */
  url: string;
  /** Answers GET with the number of spans decoded so far (for a receiver in another process). */
  countUrl: string;
  spans(): ReceivedSpan[];
  /** Spans decoded so far, kept or not. */
  count(): number;
  /** Requests that were not a decodable OTLP JSON export. */
  rejected(): number;
  /** Exports `relayTo` did not take: refused or unreachable. */
  relayFailures(): number;
  close(): Promise<void>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}
interface OtlpKeyValue {
  key: string;
  value: OtlpValue;
}
interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: Array<{
      spans?: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: OtlpKeyValue[]; status?: { code?: number } }>;
    }>;
  }>;
}

function valueOf(v: OtlpValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(valueOf);
  return undefined;
}

function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, valueOf(kv.value)]));
}

export function decodeOtlpJson(body: string): ReceivedSpan[] {
  const doc = JSON.parse(body) as OtlpExport;
  const out: ReceivedSpan[] = [];
  for (const rs of doc.resourceSpans ?? []) {
    const service = String(attributesOf(rs.resource?.attributes)['service.name'] ?? '');
    for (const ss of rs.scopeSpans ?? [])
      for (const s of ss.spans ?? [])
        out.push({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? '',
          name: s.name,
          kind: s.kind,
          service,
          attributes: attributesOf(s.attributes),
          statusCode: s.status?.code ?? 0,
        });
  }
  return out;
}

/** Spans in an OTLP JSON export, by their `"spanId"` keys (`parentSpanId` does not match). */
function countSpans(body: string): number {
  let n = 0;
  for (let at = body.indexOf('"spanId"'); at >= 0; at = body.indexOf('"spanId"', at + 8)) n++;
  return n;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startOtlpReceiver(options: { keep?: boolean; relayTo?: string } = {}): Promise<OtlpReceiver> {
  const keep = options.keep ?? true;
  const spans: ReceivedSpan[] = [];
  let count = 0;
  let rejected = 0;
  let relayFailures = 0;
  const relay = (body: string) => {
    if (!options.relayTo) return;
    request(options.relayTo, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      .then(async (res) => {
        await res.body.dump();
        if (res.statusCode !== 200) relayFailures++;
      })
      .catch(() => relayFailures++);
  };
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/count') {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' }).end(String(count));
      return;
    }
    void bodyOf(req).then((body) => {
      const json = (req.headers['content-type'] ?? '').startsWith('application/json');
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !json) {
        rejected++;
        res.writeHead(req.url === '/v1/traces' ? 415 : 404).end();
        return;
      }
      try {
        if (keep) {
          const decoded = decodeOtlpJson(body);
          count += decoded.length;
          spans.push(...decoded);
        } else count += countSpans(body);
      } catch {
        rejected++;
        res.writeHead(400).end();
        return;
      }
      relay(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const port = await listen(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    countUrl: `http://127.0.0.1:${port}/count`,
    spans: () => [...spans],
    count: () => count,
    rejected: () => rejected,
    relayFailures: () => relayFailures,
    close: () => closeServer(server),
  };
}
