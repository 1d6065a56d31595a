import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ALLOY_CONFIG } from '../../generators/logs/alloy.ts';
import { LOKI_CONFIG, logsGenerator } from '../../generators/logs/loki.ts';
import { PROMTAIL_CONFIG } from '../../generators/logs/promtail.ts';
import { checkLogs } from '../../src/check/logs.ts';
import { checkLogQL } from '../../src/logql/check.ts';
import { formatJson, formatText, type AccessLogEntry } from '../../src/runtime/router/access-log.ts';
import { Diagnostics } from '../../src/model/diagnostics.ts';
import { logsSpecSchema, streamLabels, type LogsSpec, type LogStream } from '../../src/model/logs.ts';
import { planOf, type Plan } from '../../src/plan/index.ts';
import { SCHEMAS_MISSING_REASON, schemaErrors, schemasAvailable } from '../support/schemas.ts';
import { alloyStagesOf, parseAlloy, promtailStagesOf, runStages, type Processed } from './logs-pipeline-runner.ts';
import { projectModel } from './wiring-fixture.ts';
import { logs as projectLogs } from '../../specs/logs.ts';
import { artifactText } from '../../src/emit/render.ts';

/** Lines of the router observability document, verbatim (the JSON example on one line). */
const ACCESS_JSON =
  '{"timestamp": "2024-01-15T10:30:45.123Z", "method": "POST", "path": "/v1/chat/completions", "protocol": "HTTP/1.1", "status_code": 200, "model_name": "llama2-7b", "model_route": "default/llama2-route-v1", "model_server": "default/llama2-server", "selected_pod": "llama2-deployment-5f7b8c9d-xk2p4", "request_id": "550e8400-e29b-41d4-a716-446655440000", "input_tokens": 150, "output_tokens": 75, "duration_total": 2350, "duration_request_processing": 45, "duration_upstream_processing": 2180, "duration_response_processing": 5, "error": {"type": "timeout", "message": "Model inference timeout after 30s"}}';
const ACCESS_TEXT =
  '[2024-01-15T10:30:45.123Z] "POST /v1/chat/completions HTTP/1.1" 200 model_name=llama2-7b model_route=default/llama2-route-v1 model_server=default/llama2-server selected_pod=llama2-deployment-5f7b8c9d-xk2p4 request_id=550e8400-e29b-41d4-a716-446655440000 tokens=150/75 timings=2350ms(45+2180+5)';
const MOE_JSON =
  '{"timestamp": "2025-03-01T12:00:00.250Z", "level": "ERROR", "event": {"type": "routing.error"}, "message": "Routing failed", "correlation_id": "0f8fad5b-d9cb-469f-a165-70867728950e", "service": "dynamic-moe-router", "environment": "production", "model": {"name": "mixtral-8x7b", "backend": "torch"}}';

const cri = (line: string) => `2024-01-15T10:30:45.123456789Z stdout F ${line}`;

let model: Plan;
let stream: (name: string) => LogStream;
let promtail: Record<string, any>;
let alloy: ReturnType<typeof parseAlloy>;
beforeAll(async () => {
  model = await projectModel();
  const artifacts = logsGenerator(model);
  const body = (path: string) => artifactText(artifacts.find((a) => a.path === path)!);
  promtail = parse(body(PROMTAIL_CONFIG)) as Record<string, any>;
  alloy = parseAlloy(body(ALLOY_CONFIG));
  stream = (name) => model.specs.logs[0]!.value.streams.find((s) => s.name === name)!;
});

/** Runs a line through the Promtail job and the Alloy process component of a stream; both must agree. */
function ship(streamName: string, line: string): Processed {
  const job = promtail.scrape_configs.find((j: { job_name: string }) => j.job_name === streamName);
  const viaPromtail = runStages(promtailStagesOf(job.pipeline_stages), cri(line));
  const process = alloy.find((b) => b.name === 'loki.process' && b.label === streamName.replace(/-/g, '_'))!;
  const viaAlloy = runStages(alloyStagesOf(process), line);
  expect(viaAlloy.labels).toEqual(viaPromtail.labels);
  expect(viaAlloy.metadata).toEqual(viaPromtail.metadata);
  expect(viaAlloy.timestamp).toEqual(viaPromtail.timestamp);
  return viaPromtail;
}

describe('access-log pipeline (Promtail and Alloy)', () => {
  it('parses the JSON format: model and status class as labels, ids as structured metadata', () => {
    const out = ship('kthena-router-access', ACCESS_JSON);
    expect(out.labels).toEqual({ model: 'llama2-7b', status_class: '2xx' });
    expect(out.metadata).toEqual({
      request_id: '550e8400-e29b-41d4-a716-446655440000',
      selected_pod: 'llama2-deployment-5f7b8c9d-xk2p4',
      model_route: 'default/llama2-route-v1',
      model_server: 'default/llama2-server',
      error_type: 'timeout',
    });
    expect(out.timestamp).toBe(Date.parse('2024-01-15T10:30:45.123Z'));
  });

  it('parses the text format to the same labels and metadata', () => {
    const out = ship('kthena-router-access', ACCESS_TEXT);
    expect(out.labels).toEqual({ model: 'llama2-7b', status_class: '2xx' });
    expect(out.metadata).toEqual({
      request_id: '550e8400-e29b-41d4-a716-446655440000',
      selected_pod: 'llama2-deployment-5f7b8c9d-xk2p4',
      model_route: 'default/llama2-route-v1',
      model_server: 'default/llama2-server',
    });
    expect(out.extracted.duration_upstream_processing).toBe('2180');
    expect(out.timestamp).toBe(Date.parse('2024-01-15T10:30:45.123Z'));
  });

  it('parses what the reference router writes in both formats, errors included', () => {
    const entry: AccessLogEntry = {
      timestamp: new Date('2025-02-03T04:05:06.789Z'),
      method: 'POST',
      path: '/v1/completions',
      protocol: 'HTTP/1.1',
      status_code: 503,
      model_name: 'qwen2-7b',
      request_id: 'req-1',
      duration_total: 12,
      duration_request_processing: 2,
      duration_upstream_processing: 9,
      duration_response_processing: 1,
      error: { type: 'upstream_transport', message: 'connect ECONNREFUSED 10.0.0.7:8000' },
    };
    for (const line of [formatJson(entry), formatText(entry)]) {
      const out = ship('kthena-router-access', line);
      expect(out.labels, line).toEqual({ model: 'qwen2-7b', status_class: '5xx' });
      expect(out.metadata, line).toEqual({ request_id: 'req-1', error_type: 'upstream_transport' });
      expect(out.timestamp, line).toBe(entry.timestamp.getTime());
    }
    const routed = formatText({ ...entry, status_code: 200, error: undefined, model_route: 'default/r', model_server: 'default/s', selected_pod: 'p-1', input_tokens: 3, output_tokens: 4 });
    expect(ship('kthena-router-access', routed).metadata).toEqual({ request_id: 'req-1', model_route: 'default/r', model_server: 'default/s', selected_pod: 'p-1' });
  });

  it('leaves a line in neither format unlabelled', () => {
    const out = ship('kthena-router-access', 'router starting on :8080');
    expect(out.labels).toEqual({});
    expect(out.metadata).toEqual({});
  });

  it('parses the MoE structured logs: level, event type and model as labels, correlation id as metadata', () => {
    const out = ship('moe-router', MOE_JSON);
    expect(out.labels).toEqual({ level: 'ERROR', event_type: 'routing.error', model: 'mixtral-8x7b' });
    expect(out.metadata).toEqual({ correlation_id: '0f8fad5b-d9cb-469f-a165-70867728950e' });
  });

  it('never turns a field the spec marks unbounded into a label', () => {
    for (const s of model.specs.logs[0]!.value.streams) {
      for (const [label, field] of Object.entries(s.labels)) expect(s.fields[field]?.kind, `${s.name}.${label}`).not.toBe('unbounded');
      expect(streamLabels(s)).not.toContain('request_id');
    }
  });
});

describe('generated log configs', () => {
  it('warn in the Promtail header that Promtail is end of life', () => {
    const body = artifactText(logsGenerator(model).find((a) => a.path === PROMTAIL_CONFIG)!);
    expect(body.split('\n').slice(0, 3).join('\n')).toMatch(/end of life since 2026-03-02/);
  });

  it('give Loki 3 a tsdb v13 store with 24h index, retention with a delete-request store, a ruler on Alertmanager', () => {
    const config = parse(artifactText(logsGenerator(model).find((a) => a.path === LOKI_CONFIG)!)) as Record<string, any>;
    const active = config.schema_config.configs.at(-1);
    expect(active).toMatchObject({ store: 'tsdb', schema: 'v13', index: { period: '24h' } });
    expect(config.compactor).toMatchObject({ retention_enabled: true, delete_request_store: 'filesystem' });
    expect(config.ruler.alertmanager_url).toBe(model.stack.value.alertmanagerUrl);
    expect(config.limits_config).not.toHaveProperty('enforce_metric_name');
  });

  it.skipIf(!schemasAvailable)('the Loki config and ruler rules are valid against the SchemaStore schemas', () => {
    const artifacts = logsGenerator(model);
    expect(schemaErrors('schemastore/loki.json', parse(artifactText(artifacts.find((a) => a.path === LOKI_CONFIG)!)))).toEqual([]);
    const rules = artifacts.find((a) => a.path.startsWith('loki/rules/'))!;
    expect(schemaErrors('schemastore/prometheus.rules.json', parse(artifactText(rules)))).toEqual([]);
  });
  if (!schemasAvailable) console.warn(SCHEMAS_MISSING_REASON);

  it('route the log-based alerts through Alertmanager like every other alert', async () => {
    const { routeTestCases } = await import('../../generators/alertmanager/config.ts');
    const cases = routeTestCases(model, model.specs.routing[0]!.value);
    for (const a of model.specs.logs[0]!.value.alerts) {
      const c = cases.find((x) => x.alert === a.alert);
      expect(c, a.alert).toBeDefined();
      expect(c!.receivers).not.toEqual([model.specs.routing[0]!.value.route.receiver]);
    }
  });
});

function logsModel(change: (spec: LogsSpec) => LogsSpec): Plan {
  const value = logsSpecSchema.parse(change(structuredClone(projectLogs.spec) as LogsSpec));
  return planOf({ ...model, specs: { ...model.specs, logs: [{ value, file: 'specs/logs.ts', root: 'logs' }] } });
}

function logCodes(m: Plan): string[] {
  const d = new Diagnostics();
  checkLogs(m, d);
  return d.items.map((i) => i.code);
}

describe('log checks', () => {
  it('find nothing wrong with the project specs', () => {
    expect(logCodes(model)).toEqual([]);
  });

  it('reject boltdb and a pre-v13 active period on Loki 3', () => {
    const boltdb = logsModel((s) => ({ ...s, loki: { ...s.loki, schema: [{ from: '2020-10-24', store: 'boltdb', schema: 'v11' }] } }));
    const d = new Diagnostics();
    checkLogs(boltdb, d);
    expect(d.items.map((i) => i.code)).toEqual(['logs/loki3-rejects']);
    expect(d.items[0]!.message).toMatch(/boltdb.*removed in Loki 3/);
    expect(d.items[0]!.path).toBe('logs.loki.schema[0]');
    const shipper = logsModel((s) => ({ ...s, loki: { ...s.loki, schema: [{ from: '2023-01-01', store: 'boltdb-shipper', schema: 'v12' }] } }));
    expect(logCodes(shipper)).toEqual(['logs/loki3-rejects']);
    const migrated = logsModel((s) => ({
      ...s,
      loki: { ...s.loki, schema: [{ from: '2023-01-01', store: 'boltdb-shipper', schema: 'v12' }, { from: '2025-01-01', store: 'tsdb', schema: 'v13' }] },
    }));
    expect(logCodes(migrated)).toEqual([]);
  });

  it('reject an unbounded field as a stream label', () => {
    const m = logsModel((s) => ({ ...s, streams: s.streams.map((x, i) => (i === 0 ? { ...x, labels: { ...x.labels, request_id: 'request_id' } } : x)) }));
    expect(logCodes(m)).toEqual(['logs/unbounded-label']);
  });

  it('reject labels and metadata taken from fields no parser extracts', () => {
    const m = logsModel((s) => ({ ...s, streams: s.streams.map((x, i) => (i === 0 ? { ...x, structuredMetadata: { trace_id: 'trace_id' } } : x)) }));
    expect(logCodes(m)).toEqual(['logs/unknown-field']);
  });

  it('check LogQL: syntax, stream labels, declared streams, unbounded grouping', () => {
    const streams = model.specs.logs[0]!.value.streams;
    const code = (expr: string) => checkLogQL(expr, { streams, requireMetric: true }).map((p) => p.code);
    expect(code('sum by (model) (count_over_time({app="kthena-router", status_class="5xx"}[5m])) > 1')).toEqual([]);
    expect(code('sum(count_over_time({app="kthena-router"}[5m]) >')).toEqual(['logql/syntax']);
    expect(code('sum(count_over_time({app="kthena-router", status="500"}[5m])) > 1')).toEqual(['logql/unknown-label']);
    expect(code('sum(count_over_time({app="nginx"}[5m])) > 1')).toEqual(['logql/no-stream']);
    expect(code('sum by (request_id) (count_over_time({app="kthena-router"}[5m])) > 1')).toEqual(['logql/unbounded-label']);
    expect(code('{app="kthena-router"} |= "error"')).toEqual(['logql/not-a-metric-query']);
    expect(code('sum by (backend) (count_over_time({app="dynamic-moe-router"} | json [5m])) > 1')).toEqual([]);
    expect(code('sum by (backend) (count_over_time({app="dynamic-moe-router"}[5m])) > 1')).toEqual(['logql/unknown-label']);
  });

  it('report a log alert whose LogQL does not parse at its path', () => {
    const m = logsModel((s) => ({ ...s, alerts: [{ ...s.alerts![0]!, expr: 'sum(count_over_time({app="dynamic-moe-router"}[5m]' }] }));
    const d = new Diagnostics();
    checkLogs(m, d);
    expect(d.items.map((i) => [i.code, i.path])).toEqual([['logql/syntax', 'logs.alerts[0].expr']]);
  });
});
