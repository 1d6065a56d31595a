import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { parseDuration } from '../../model/duration.ts';

/**
 * The router's YAML configuration. `accessLogger` and `observability.metrics` follow the Kthena router
 * observability document; model routes and model servers are a flattened form of Kthena's ModelRoute and
 * ModelServer resources.
 */

const duration = z
  .string()
  .refine((s) => parseDuration(s) !== undefined, { message: 'not a duration (expected e.g. 500ms, 30s, 5m)' })
  .transform((s) => parseDuration(s)!);

/** A duration that must not be zero: a zero timeout would refuse every request or none. */
const positiveDuration = duration.refine((ms) => ms > 0, { message: 'must be longer than 0' });

const name = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'not a Kubernetes object name');

const scoreName = z.enum(['least-request', 'least-latency', 'prefix-cache', 'kv-cache']);
export type ScorePluginName = z.infer<typeof scoreName>;
const filterName = z.enum(['least-request']);
export type FilterPluginName = z.infer<typeof filterName>;

const podSchema = z.strictObject({
  name,
  /** host:port of the pod's OpenAI-compatible server (which also serves /metrics). */
  address: z.string().regex(/^[^\s/:]+:\d{1,5}$/, 'expected host:port'),
  /** Set on every pod of a prefill/decode-disaggregated model server. */
  role: z.enum(['prefill', 'decode']).optional(),
  /** LoRA adapters the pod serves, in addition to those its own /v1/models lists. */
  loraAdapters: z.array(z.string().min(1)).default([]),
});

const modelServerSchema = z
  .strictObject({
    namespace: name.default('default'),
    name,
    engine: z.enum(['vllm', 'sglang']).default('vllm'),
    /** The model name sent upstream; the requested name when absent. */
    model: z.string().min(1).optional(),
    pods: z.array(podSchema).min(1),
    /** Extra headers sent upstream (e.g. an API key). Never shown by the debug endpoints. */
    headers: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((s, ctx) => {
    const roles = new Set(s.pods.map((p) => p.role));
    if (roles.has(undefined) && roles.size > 1)
      ctx.addIssue({ code: 'custom', path: ['pods'], message: 'either every pod has a role (prefill/decode) or none has' });
    if (!roles.has(undefined) && !(roles.has('prefill') && roles.has('decode')))
      ctx.addIssue({ code: 'custom', path: ['pods'], message: 'a disaggregated model server needs prefill and decode pods' });
    const seen = new Set<string>();
    s.pods.forEach((p, i) => {
      if (seen.has(p.name)) ctx.addIssue({ code: 'custom', path: ['pods', i, 'name'], message: `duplicate pod ${p.name}` });
      seen.add(p.name);
    });
  });

const rateLimitSchema = z.strictObject({
  inputTokensPerUnit: z.number().int().positive().optional(),
  outputTokensPerUnit: z.number().int().positive().optional(),
  requestsPerUnit: z.number().int().positive().optional(),
  unit: z.enum(['second', 'minute', 'hour', 'day']).default('second'),
});
export type RateLimitConfig = z.infer<typeof rateLimitSchema>;

/**
 * Latency a request of a model must stay within to count as goodput, as the user sees it from the router:
 * the first token within `timeToFirstToken` of arrival, then output tokens `interTokenLatency` apart on
 * average (time per output token).
 */
const goodputTargetsSchema = z.strictObject({
  timeToFirstToken: positiveDuration,
  interTokenLatency: positiveDuration,
});
export type GoodputTargets = z.infer<typeof goodputTargetsSchema>;

const modelRouteSchema = z.strictObject({
  namespace: name.default('default'),
  name,
  /** The `model` clients ask for. */
  model: z.string().min(1),
  /** LoRA adapter names served through this route; requesting one sends it upstream as the model. */
  loraAdapters: z.array(z.string().min(1)).default([]),
  targets: z
    .array(z.strictObject({ modelServer: z.string().regex(/^[^/]+\/[^/]+$/, 'expected namespace/name'), weight: z.number().int().min(0).default(1) }))
    .min(1),
  rateLimit: rateLimitSchema.optional(),
  /** This model's goodput targets; each one left out is the router's `observability.goodput` default. */
  goodput: goodputTargetsSchema.partial().optional(),
});

export const routerConfigSchema = z
  .strictObject({
    server: z
      .strictObject({
        host: z.string().default('127.0.0.1'),
        /** 0 picks a free port. */
        port: z.number().int().min(0).max(65535).default(8080),
        maxBodyBytes: z.number().int().positive().default(1024 * 1024),
        /**
         * Bytes of an oversized body read and dropped before the 413 is sent, so the client reads the
         * status instead of a reset connection; a body larger still has its connection closed.
         */
        maxDrainBytes: z.number().int().min(0).default(8 * 1024 * 1024),
        /** Time a client has to send a request's headers; a new connection that stays silent as long is closed. */
        headerTimeout: positiveDuration.default(10_000),
        /** Time a client has to send the whole request body. */
        requestTimeout: positiveDuration.default(30_000),
        /** Time an idle keep-alive connection stays open. */
        idleTimeout: positiveDuration.default(65_000),
        /**
         * Connections each port holds open at once; more are answered 503 and closed. Keep it well below
         * the file-descriptor limit (`ulimit -n`): every proxied request also holds an upstream connection.
         */
        maxConnections: z.number().int().positive().default(1024),
        /** Largest `n` (choices per request) accepted, as vLLM bounds it with VLLM_MAX_N_SEQUENCES. */
        maxN: z.number().int().positive().default(128),
        /** Time an upstream has to answer one attempt (headers and body). */
        upstreamTimeout: duration.default(60_000),
        /** Further attempts on other pods after a connection error or a 5xx. */
        retries: z.number().int().min(0).max(5).default(2),
      })
      .prefault({}),
    accessLogger: z
      .strictObject({
        format: z.enum(['json', 'text']).default('json'),
        /** `stdout`, `stderr` or a file path. */
        output: z.string().min(1).default('stdout'),
        enabled: z.boolean().default(true),
      })
      .prefault({}),
    observability: z
      .strictObject({
        metrics: z
          .strictObject({
            enabled: z.boolean().default(true),
            port: z.number().int().min(0).max(65535).default(15000),
            path: z.string().startsWith('/').default('/metrics'),
          })
          .prefault({}),
        /** Goodput targets of every model whose route sets none. */
        goodput: z
          .strictObject({ timeToFirstToken: positiveDuration.default(1_000), interTokenLatency: positiveDuration.default(100) })
          .prefault({}),
        /** Spans per request, exported over OTLP/HTTP (JSON); off by default. */
        tracing: z
          .strictObject({
            enabled: z.boolean().default(false),
            /** OTLP/HTTP traces endpoint of a collector (or a tracing backend that takes OTLP). */
            endpoint: z.string().url().default('http://127.0.0.1:4318/v1/traces'),
            /** Share of new traces recorded; requests arriving with a `traceparent` follow its sampled flag. */
            samplingRatio: z.number().min(0).max(1).default(1),
            serviceName: z.string().min(1).default('kthena-router'),
            /** Longest time a finished span waits before it is sent. */
            exportInterval: positiveDuration.default(5_000),
          })
          .prefault({}),
      })
      .prefault({}),
    scheduler: z
      .strictObject({
        filters: z.array(filterName).default(['least-request']),
        scores: z
          .array(z.strictObject({ name: scoreName, weight: z.number().min(0).default(1) }))
          .default([
            { name: 'least-request', weight: 1 },
            { name: 'least-latency', weight: 1 },
            { name: 'prefix-cache', weight: 1 },
          ]),
        /** Pods with more requests in flight than this are filtered out (unless all are). */
        maxRequestsPerPod: z.number().int().positive().default(64),
        /** How often the pods' /metrics are read for the kv-cache and least-request scores. */
        podMetricsInterval: duration.default(2_000),
      })
      .prefault({}),
    fairness: z
      .strictObject({
        enabled: z.boolean().default(false),
        /** Requests per model in flight behind the queue at once. */
        maxConcurrency: z.number().int().positive().default(16),
        userHeader: z.string().toLowerCase().default('x-user-id'),
        /** Users reported by name in `user_id`; every other user is reported as one value. */
        users: z.array(z.string().min(1)).default([]),
        queueTimeout: duration.default(30_000),
      })
      .prefault({}),
    modelServers: z.array(modelServerSchema).min(1),
    modelRoutes: z.array(modelRouteSchema).min(1),
  })
  .superRefine((c, ctx) => {
    for (const issue of crossReferenceProblems(c)) ctx.addIssue({ code: 'custom', ...issue });
  });

/**
 * Route targets that name no model server and models routed twice. Written against unchecked input, so
 * these problems are reported together with the schema's own, not only once the rest is valid.
 */
function crossReferenceProblems(input: unknown): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const doc = (typeof input === 'object' && input !== null ? input : {}) as { modelServers?: unknown; modelRoutes?: unknown };
  const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'object' && x !== null) : []);
  const servers = new Set(list(doc.modelServers).map((s) => `${typeof s.namespace === 'string' ? s.namespace : 'default'}/${String(s.name)}`));
  const models = new Set<string>();
  list(doc.modelRoutes).forEach((r, i) => {
    list(r.targets).forEach((t, j) => {
      if (typeof t.modelServer === 'string' && !servers.has(t.modelServer))
        problems.push({
          path: ['modelRoutes', i, 'targets', j, 'modelServer'],
          message: `no model server ${t.modelServer} (known: ${[...servers].join(', ') || 'none'})`,
        });
    });
    const names = [r.model, ...(Array.isArray(r.loraAdapters) ? r.loraAdapters : [])].filter((m): m is string => typeof m === 'string');
    for (const m of names) {
      if (models.has(m)) problems.push({ path: ['modelRoutes', i], message: `model ${m} is routed twice` });
      models.add(m);
    }
  });
  return problems;
}

export type RouterConfigInput = z.input<typeof routerConfigSchema>;
export type RouterConfig = z.output<typeof routerConfigSchema>;
export type ModelServerConfig = RouterConfig['modelServers'][number];
export type ModelRouteConfig = RouterConfig['modelRoutes'][number];
export type PodConfig = ModelServerConfig['pods'][number];

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid router configuration\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function parseRouterConfig(input: unknown, file = '<config>'): RouterConfig {
  const result = routerConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const at = (path: readonly PropertyKey[]) => (path.length ? path.map(String).join('.') : '(root)');
  const problems = result.error.issues.map((i) => `${at(i.path)}: ${i.message}`);
  for (const p of crossReferenceProblems(input)) {
    const line = `${at(p.path)}: ${p.message}`;
    if (!problems.includes(line)) problems.push(line);
  }
  throw new ConfigError(file, problems);
}

export function loadRouterConfig(file: string): RouterConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'read error'})`]);
  }
  let doc: unknown;
  try {
    // Warnings are not printed: like errors, they may quote the document.
    doc = parseYaml(text, { logLevel: 'error' });
  } catch (err) {
    throw new ConfigError(file, [yamlProblem(err)]);
  }
  return parseRouterConfig(doc, file);
}

/**
 * A YAML syntax error by position and kind only. The parser's own message quotes the offending line,
 * and a configuration's lines hold credentials (upstream API keys), so it is never shown.
 */
function yamlProblem(err: unknown): string {
  if (!(err instanceof YAMLParseError)) return 'not a YAML document';
  const kind = err.code.toLowerCase().replace(/_/g, ' ');
  const at = err.linePos?.[0];
  return `${at ? `line ${at.line}, column ${at.col}: ` : ''}YAML syntax error (${kind}); the line is not shown because it may hold a credential`;
}
