import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { logAlertStream, logsUrl, ruleAlertStream, streamSelector } from '../../src/model/alert-logs.ts';
import { planOf, type Plan } from '../../src/plan/index.ts';
import { buildModel } from '../../src/pipeline.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { withStack } from './wiring-fixture.ts';

/** Which log stream an alert links, on the example platform: router access log and MoE router log. */

let model: Plan;
beforeAll(async () => {
  model = (await buildModel(join(PROJECT_ROOT, 'specs'), PROJECT_ROOT)).model!;
}, 60_000);

const name = (stream: { name: string } | undefined) => stream?.name;

describe('the log stream of an alert', () => {
  it("is the stream collecting the pods of the source its metrics or its up{job} read", () => {
    expect(name(ruleAlertStream(model, 'up{job="kthena-router"} == 0'))).toBe('kthena-router-access');
    expect(name(ruleAlertStream(model, 'sum by (model) (rate(kthena_router_requests_total{status_code=~"5.."}[5m])) > 1'))).toBe('kthena-router-access');
    expect(name(ruleAlertStream(model, 'histogram_quantile(0.99, sum by (le) (rate(kthena_router_request_duration_seconds_bucket[5m]))) > 2'))).toBe('kthena-router-access');
    expect(name(ruleAlertStream(model, 'sum(rate(dynamic_moe_routing_errors_total[5m])) > 0.1'))).toBe('moe-router');
  });

  it('is none when no stream collects the source, or the alert reads sources of two streams', () => {
    expect(ruleAlertStream(model, 'max(DCGM_FI_DEV_GPU_TEMP) > 85')).toBeUndefined();
    expect(ruleAlertStream(model, 'up{job="dcgm-exporter"} == 0')).toBeUndefined();
    expect(ruleAlertStream(model, 'sum(rate(kthena_router_requests_total[5m])) > 0 and sum(rate(dynamic_moe_routing_errors_total[5m])) > 0')).toBeUndefined();
  });

  it("of a log alert is the stream its selector names by namespace and app", () => {
    expect(name(logAlertStream(model, 'sum(count_over_time({namespace="moe-router", app="dynamic-moe-router", level="error"}[5m])) > 1'))).toBe('moe-router');
    expect(logAlertStream(model, 'sum(count_over_time({namespace="moe-router", app="other"}[5m])) > 1')).toBeUndefined();
  });
});

describe('the logs URL', () => {
  it("opens Grafana Explore on the Loki datasource with the stream's selector", () => {
    const stream = ruleAlertStream(model, 'up{job="kthena-router"} == 0')!;
    const url = new URL(logsUrl(model, stream)!);
    expect(`${url.origin}${url.pathname}`).toBe(`${model.stack.value.grafanaUrl}/explore`);
    const panes = JSON.parse(url.searchParams.get('panes')!) as Record<string, { queries: Array<{ expr: string; datasource: { type: string; uid: string } }> }>;
    expect(Object.values(panes)[0]!.queries).toEqual([{ refId: 'A', expr: streamSelector(stream), datasource: { type: 'loki', uid: 'loki' } }]);
    expect(streamSelector(stream)).toBe('{namespace="kthena-system", app="kthena-router"}');
    expect(logsUrl(model, stream)).not.toMatch(/[{}]/);
  });

  it('is none without a Grafana URL or without a Loki to provision', () => {
    const stream = ruleAlertStream(model, 'up{job="kthena-router"} == 0')!;
    expect(logsUrl(withStack(model, { grafanaUrl: undefined }), stream)).toBeUndefined();
    const noLoki = withStack(planOf({ ...model, specs: { ...model.specs, logs: model.specs.logs.map((l) => ({ ...l, value: { ...l.value, loki: { ...l.value.loki, url: undefined } } })) } }), { lokiUrl: undefined });
    expect(logsUrl(noLoki, stream)).toBeUndefined();
    expect(logsUrl(model, undefined)).toBeUndefined();
  });
});
