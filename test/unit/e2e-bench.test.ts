import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Routing } from '../../src/model/routing.ts';
import { createServer } from 'node:http';
import type { Plan } from '../../src/plan/index.ts';
import { checkInhibition, checkRouterStopped, expectedRouting, targetlessJobAlerts } from '../e2e/alert-assertions.ts';
import type { AmAlert } from '../e2e/http-api.ts';
import { alertKey, type AlertTimeline } from '../e2e/alert-watch.ts';
import { startScrapeGate } from '../e2e/scrape-gate.ts';
import { substituted } from '../e2e/assertions.ts';
import { successRatio } from '../e2e/load.ts';
import { loadModel } from '../e2e/stack.ts';
import { startWebhookRecorder, type WebhookRecorder } from '../e2e/webhook-recorder.ts';

describe('webhook recorder', () => {
  let recorder: WebhookRecorder;
  beforeAll(async () => {
    recorder = await startWebhookRecorder();
  });
  afterAll(() => recorder.close());

  it('keeps each Alertmanager payload with the receiver that sent it', async () => {
    const payload = {
      version: '4',
      receiver: 'gpu-infra-slack',
      status: 'firing',
      groupLabels: { alertname: 'GpuXidError' },
      alerts: [{ status: 'firing', labels: { alertname: 'GpuXidError', gpu: '0' }, annotations: {}, startsAt: '2025-01-01T00:00:00Z' }],
    };
    const res = await request(recorder.url, { method: 'POST', body: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    const [n] = recorder.notifications();
    expect(n?.receiver).toBe('gpu-infra-slack');
    expect(n?.alerts[0]?.labels.gpu).toBe('0');
  });

  it('rejects a body that is no webhook payload', async () => {
    const res = await request(recorder.url, { method: 'POST', body: '{"hello":1}' });
    await res.body.dump();
    expect(res.statusCode).toBe(400);
    expect(recorder.notifications()).toHaveLength(1);
  });
});

describe('expected routing from the routing spec', () => {
  let routing: Routing;
  beforeAll(async () => {
    const [located] = (await loadModel()).specs.routing;
    routing = located!.value;
  }, 60_000);

  it('a critical alert pages, reaches the bridge and its team', () => {
    const r = expectedRouting(routing, { alertname: 'KthenaRouterHighErrorRatio', severity: 'critical', team: 'inference-platform', service: 'kthena-router' });
    expect(r.matched).toEqual(['incident-bridge', 'inference-platform-slack', 'oncall-pagerduty']);
    expect(r.notified).toEqual(r.matched);
  });

  it("a critical GPU alert also pages the GPU team's Opsgenie schedule, below its team route", () => {
    const r = expectedRouting(routing, { alertname: 'GpuXidError', severity: 'critical', team: 'gpu-infra', service: 'gpu' });
    expect(r.matched).toEqual(['gpu-infra-page', 'incident-bridge', 'oncall-pagerduty']);
  });

  it('a route gated by a time interval is matched but need not notify', () => {
    const r = expectedRouting(routing, { alertname: 'GpuMemoryHigh', severity: 'warning', team: 'gpu-infra', service: 'gpu' });
    expect(r.matched).toEqual(['gpu-infra-email']);
    expect(r.notified).toEqual([]);
  });
});

describe('dashboard query substitution', () => {
  it('gives Grafana variables their values and regex matchers the All value', async () => {
    const text = await substituted('sum(rate(x_total{model=~"$model"}[$__rate_interval])) / $__range_s', 'http://127.0.0.1:1');
    expect(text).toBe('sum(rate(x_total{model=~".*"}[1m])) / 300');
  });

  it('refuses a dashboard variable outside a label matcher', async () => {
    await expect(substituted('topk($n, x)', 'http://127.0.0.1:1')).rejects.toThrow(/\$n/);
  });
});

describe('small helpers', () => {
  it('alert keys ignore label order and the labels asked to', () => {
    expect(alertKey({ b: '2', a: '1', cluster: 'c' }, new Set(['cluster']))).toBe(alertKey({ a: '1', b: '2' }));
  });

  it('success counts every answer below 500', () => {
    expect(successRatio({ sent: 4, skipped: 0, statuses: { '200': 2, '429': 1, '500': 1 } })).toBe(0.75);
    expect(successRatio({ sent: 1, skipped: 0, statuses: { network: 1 } })).toBe(0);
  });
});

describe('scrape gate', () => {
  it('forwards scrapes, refuses them while closed, and serves again on the same address', async () => {
    const server = createServer((_, res) => res.end('up 1\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as { port: number };
    const gate = await startScrapeGate({ hostname: '127.0.0.1', port: String(port) });
    const scrape = async () => {
      const res = await request(`http://${gate.address}/metrics`);
      return res.body.text();
    };
    try {
      expect(await scrape()).toBe('up 1\n');
      await gate.close();
      await expect(scrape()).rejects.toThrow(/ECONNREFUSED|other side closed|socket/);
      await gate.open();
      expect(await scrape()).toBe('up 1\n');
    } finally {
      await gate.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('inhibition checks of the live loop', () => {
  let model: Plan;
  beforeAll(async () => {
    model = await loadModel();
  }, 60_000);

  const timeline = (labels: Record<string, string>, extra: Partial<AlertTimeline>): AlertTimeline => ({
    key: alertKey(labels),
    alertname: labels.alertname!,
    labels,
    active: true,
    alertmanagerReceivers: [],
    alertmanagerStates: ['active'],
    inhibitedBy: [],
    ...extra,
  });
  const down = { alertname: 'KthenaRouterDown', job: 'kthena-router', instance: 'router:15000', service: 'kthena-router', severity: 'critical', team: 'inference-platform' };
  const errors = { alertname: 'KthenaRouterHighErrorRatio', model: 'm', service: 'kthena-router', severity: 'critical', team: 'inference-platform' };
  const ttft = { alertname: 'VllmHighTimeToFirstToken', model_name: 'm', service: 'vllm', severity: 'warning', team: 'inference-runtime' };
  const window = { name: 'router-unscraped', start: 1000, end: 2000 };
  const expected = [{ alertname: 'KthenaRouterHighErrorRatio', labels: { model: 'm' }, cause: 'errors' }];

  it('pass when the spec inhibition is what Alertmanager applied', () => {
    const timelines = [
      timeline(down, { fingerprint: 'd', firstInAlertmanager: 1500 }),
      timeline(errors, { fingerprint: 'e', inhibitedBy: ['d'], firstInhibited: 1500, alertmanagerStates: ['active', 'suppressed'] }),
      timeline(ttft, { fingerprint: 't' }),
    ];
    const results = checkInhibition(model, model.specs.routing[0]!.value, 'KthenaRouterDown', 'once the router is down', expected, timelines, window);
    expect(results.map((r) => r.outcome)).toEqual(['pass', 'pass', 'pass']);
  });

  it('fail when the target is not muted, or something the spec does not inhibit is', () => {
    const timelines = [
      timeline(down, { fingerprint: 'd', firstInAlertmanager: 1500 }),
      timeline(errors, { fingerprint: 'e' }),
      timeline(ttft, { fingerprint: 't', inhibitedBy: ['d'], firstInhibited: 1500 }),
    ];
    const results = checkInhibition(model, model.specs.routing[0]!.value, 'KthenaRouterDown', 'once the router is down', expected, timelines, window);
    expect(results.map((r) => r.outcome)).toEqual(['pass', 'fail', 'fail']);
    expect(results[2]!.detail).toContain('VllmHighTimeToFirstToken');
  });

  it('hold a model\'s first-token alert muted by a GPU fault under that model, and not another model\'s', () => {
    const fault = { alertname: 'GpuFaultUnderModel', gpu: '1', model: 'm', model_name: 'm', service: 'gpu', severity: 'warning', team: 'gpu-infra' };
    const other = { ...ttft, model_name: 'n' };
    const muted = [{ alertname: 'VllmHighTimeToFirstToken', labels: { model_name: 'm' }, cause: 'slow on a faulty GPU' }];
    const check = (timelines: ReturnType<typeof timeline>[]) =>
      checkInhibition(model, model.specs.routing[0]!.value, 'GpuFaultUnderModel', 'once the GPU fails', muted, timelines, window).map((r) => r.outcome);
    expect(check([timeline(fault, { fingerprint: 'g', firstInAlertmanager: 1200 }), timeline(ttft, { fingerprint: 't', inhibitedBy: ['g'], firstInhibited: 1300 })])).toEqual(['pass', 'pass', 'pass']);
    expect(check([timeline(fault, { fingerprint: 'g', firstInAlertmanager: 1200 }), timeline(other, { fingerprint: 'o', inhibitedBy: ['g'], firstInhibited: 1300 })])).toEqual(['pass', 'fail', 'fail']);
  });

  it('alerts whose absent() guard reads a job the bench does not scrape are expected to fire', () => {
    const jobs = new Set(['kthena-router', 'vllm', 'dcgm-exporter']);
    const controller = { alertname: 'KthenaControllerManagerUnavailable', job: 'kube-state-metrics', labels: { namespace: 'kthena-system', deployment: 'kthena-controller-manager' } };
    expect(targetlessJobAlerts(model, jobs)).toEqual([controller, { alertname: 'KthenaServiceDown', job: 'kthena-models', labels: { job: 'kthena-models' } }]);
    expect(targetlessJobAlerts(model, new Set([...jobs, 'kthena-models', 'kube-state-metrics']))).toEqual([]);
  });
});

describe('the router-stopped checks of the live loop', () => {
  let model: Plan;
  beforeAll(async () => {
    model = await loadModel();
  }, 60_000);

  const window = { name: 'router-stopped', start: 1000, end: 2000 };
  const probe = { alertname: 'EndpointProbeFailing', labels: { probe: 'inference-api' }, cause: 'router stopped' };
  const targets = [{ alertname: 'KthenaRouterHighErrorRatio', labels: { model: 'm' }, cause: 'errors' }];
  const am = (labels: Record<string, string>, fingerprint: string, state: AmAlert['status']['state'], inhibitedBy: string[] = []): AmAlert => ({
    fingerprint,
    labels: { ...model.stack.value.externalLabels, ...labels },
    receivers: [],
    status: { state, inhibitedBy, silencedBy: [] },
    startsAt: '',
  });
  const probeLabels = { alertname: 'EndpointProbeFailing', probe: 'inference-api', instance: 'https://inference.example.com/readyz', job: 'blackbox', service: 'public-endpoints', severity: 'critical', team: 'inference-platform' };
  const down = { alertname: 'KthenaRouterDown', job: 'kthena-router', instance: 'router:15000', service: 'kthena-router', severity: 'critical', team: 'inference-platform' };
  const errors = { alertname: 'KthenaRouterHighErrorRatio', model: 'm', service: 'kthena-router', severity: 'critical', team: 'inference-platform' };
  const probeTimeline = (firstInAlertmanager: number): AlertTimeline => ({
    key: alertKey(probeLabels),
    alertname: probeLabels.alertname,
    labels: probeLabels,
    active: true,
    firstInAlertmanager,
    alertmanagerReceivers: [],
    alertmanagerStates: ['active'],
    inhibitedBy: [],
  });
  const check = (alerts: AmAlert[], firstSeen = 1500) =>
    checkRouterStopped(model, model.specs.routing[0]!.value, probe, 'KthenaRouterDown', targets, alerts, [probeTimeline(firstSeen)], window).map((r) => r.outcome);

  it('pass when the probe alert is active and the router alerts are suppressed by the router-down alert', () => {
    expect(check([am(probeLabels, 'p', 'active'), am(down, 'd', 'active'), am(errors, 'e', 'suppressed', ['d'])])).toEqual(['pass', 'pass', 'pass']);
  });

  it('fail when the probe alert came before the stop, or a router alert is not muted by the down alert', () => {
    expect(check([am(probeLabels, 'p', 'active'), am(down, 'd', 'active'), am(errors, 'e', 'suppressed', ['d'])], 900)[0]).toBe('fail');
    expect(check([am(probeLabels, 'p', 'active'), am(down, 'd', 'active'), am(errors, 'e', 'active')])).toEqual(['pass', 'pass', 'fail']);
    expect(check([am(probeLabels, 'p', 'active'), am(errors, 'e', 'suppressed', ['x'])])).toEqual(['pass', 'fail', 'fail']);
    expect(check([am(down, 'd', 'active'), am(errors, 'e', 'suppressed', ['d'])])).toEqual(['fail', 'pass', 'pass']);
  });
});
