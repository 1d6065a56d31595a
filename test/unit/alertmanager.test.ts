import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  ALERTMANAGER_CONFIG,
  ROUTE_TESTS,
  alertmanagerGenerator,
  localAlertmanagerConfig,
  type RouteTestCase,
} from '../../generators/alertmanager/config.ts';
import { checkRouting, checkRoutingWith } from '../../src/check/routing.ts';
import type { GeneratedAlert } from '../../src/model/alerts.ts';
import { Diagnostics } from '../../src/model/diagnostics.ts';
import type { Model } from '../../src/model/model.ts';
import { resolveRoutes } from '../../src/model/route-resolution.ts';
import { routingSpecSchema, type RoutingSpec } from '../../src/model/routing.ts';
import { runTool } from '../support/tools.ts';
import { SCHEMAS_MISSING_REASON, schemaErrors, schemasAvailable } from '../support/schemas.ts';
import { projectModel, withStack } from './wiring-fixture.ts';

let model: Model;
let dir: string;
let configFile: string;
beforeAll(async () => {
  model = await projectModel();
  dir = mkdtempSync(join(tmpdir(), 'infermon-am-'));
  configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, artifact(ALERTMANAGER_CONFIG));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function artifact(path: string): string {
  const found = alertmanagerGenerator(model).find((a) => a.path === path);
  if (!found) throw new Error(`no ${path}`);
  return found.body;
}

/** The pinned amtool (the current Alertmanager). */
function amtool(...args: string[]) {
  return runTool('amtool', args);
}

/** A model whose routing spec is replaced by this one. */
function withRouting(spec: RoutingSpec): Model {
  const value = routingSpecSchema.parse(spec);
  return { ...model, specs: { ...model.specs, routing: [{ value, file: 'specs/routing.ts', root: 'routing' }] } };
}

const alert = (alertname: string, labels: Record<string, string>, dynamicLabels: string[] = []): GeneratedAlert => ({
  alertname,
  labels,
  dynamicLabels,
  origin: { file: 'specs/alerts/x.ts', path: `x.rules[0]` },
});

const slack = (key: string) => ({ apiUrl: { secret: { name: 'alertmanager-slack', key } }, channel: `#${key}` });

describe('alertmanager.yml', () => {
  it('passes amtool check-config', () => {
    const result = amtool('check-config', configFile);
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  it('keeps credentials out of the file and uses matchers, never match', () => {
    const config = parse(artifact(ALERTMANAGER_CONFIG)) as Record<string, any>;
    const text = JSON.stringify(config);
    expect(text).not.toMatch(/"(match|match_re|api_url|routing_key|auth_password)"/);
    expect(text).toContain('api_url_file');
    expect(config.global.smtp_auth_password_file).toMatch(/^\/etc\/alertmanager\/secrets\//);
  });

  it.skipIf(!schemasAvailable)('is valid against the SchemaStore schema', () => {
    expect(schemaErrors('schemastore/prometheus-alertmanager.json', parse(artifact(ALERTMANAGER_CONFIG)))).toEqual([]);
  });
  if (!schemasAvailable) console.warn(SCHEMAS_MISSING_REASON);
});

describe('route test cases', () => {
  it('cover every generated alert and each passes amtool config routes test', () => {
    const { cases } = parse(artifact(ROUTE_TESTS)) as { cases: RouteTestCase[] };
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      const labels = Object.entries(c.labels).map(([k, v]) => `${k}=${v}`);
      const result = amtool('config', 'routes', 'test', `--config.file=${configFile}`, `--verify.receivers=${c.receivers.join(',')}`, ...labels);
      expect(result.status, `${c.alert}: ${result.stdout}${result.stderr}`).toBe(0);
      expect(result.stdout.trim()).toBe(c.receivers.join(','));
    }
  });

  it('route critical alerts to the pager before the owning team', () => {
    const { cases } = parse(artifact(ROUTE_TESTS)) as { cases: RouteTestCase[] };
    const critical = cases.filter((c) => c.labels.severity === 'critical');
    expect(critical.length).toBeGreaterThan(0);
    for (const c of critical) expect(c.receivers[0]).toBe('oncall-pagerduty');
  });

  it('a case whose expected receivers are wrong fails amtool, so the cases can fail', () => {
    const result = amtool('config', 'routes', 'test', `--config.file=${configFile}`, '--verify.receivers=nobody', 'alertname=X', 'severity=critical');
    expect(result.status).not.toBe(0);
  });
});

describe('AlertmanagerConfig CR', () => {
  it.skipIf(!schemasAvailable)('is valid against the strict v1alpha1 schema and references Secrets', () => {
    const cr = alertmanagerGenerator(model).find((a) => a.path.startsWith('kubernetes/alertmanager/'))!;
    const doc = parse(cr.body) as Record<string, any>;
    expect(schemaErrors('prometheus-operator/alertmanagerconfig.v1alpha1.strict.json', doc)).toEqual([]);
    const slackConfig = doc.spec.receivers.find((r: { slackConfigs?: unknown[] }) => r.slackConfigs).slackConfigs[0];
    expect(slackConfig.apiURL).toEqual({ name: 'alertmanager-slack', key: expect.any(String) });
    expect(doc.metadata.labels).toMatchObject(model.stack.value.selectors.alertmanagerConfigs);
  });
});

describe('local alertmanager.yml', () => {
  it('keeps the tree and receiver names, sends every notifying receiver to the webhook, and passes amtool', () => {
    const routing = model.specs.routing[0]!.value;
    const body = localAlertmanagerConfig(routing, { webhookUrl: 'http://127.0.0.1:19999/hook', groupWait: '1s' });
    const local = parse(body) as Record<string, any>;
    const cluster = parse(artifact(ALERTMANAGER_CONFIG)) as Record<string, any>;
    expect(local.receivers.map((r: { name: string }) => r.name)).toEqual(cluster.receivers.map((r: { name: string }) => r.name));
    for (const r of local.receivers) expect(r.webhook_configs).toEqual([{ url: 'http://127.0.0.1:19999/hook', send_resolved: true }]);
    expect(local.route.routes).toEqual(cluster.route.routes);
    expect(local.route.group_wait).toBe('1s');
    const file = join(dir, 'local.yml');
    writeFileSync(file, body);
    const result = amtool('check-config', file);
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });
});

describe('routing checks', () => {
  it('find nothing wrong with the project specs', () => {
    const d = new Diagnostics();
    checkRouting(model, d);
    expect(d.items).toEqual([]);
  });

  it('report a critical alert the tree leaves on the default receiver', () => {
    const m = withRouting({
      receivers: [{ name: 'default' }, { name: 'team-slack', slack: [slack('team')] }],
      route: { receiver: 'default', routes: [{ matchers: ['team="other"'], receiver: 'team-slack' }] },
    });
    const d = new Diagnostics();
    checkRoutingWith(m, [alert('RouterDown', { severity: 'critical', team: 'platform', service: 'router' })], d);
    expect(d.items.map((i) => i.code)).toEqual(['route/unrouted-alert']);
    expect(d.items[0]!.message).toMatch(/critical alert RouterDown only reaches default/);
    expect(d.items[0]!.file).toBe('specs/alerts/x.ts');
  });

  it('accept a default-routed alert that is declared so', () => {
    const m = withRouting({
      receivers: [{ name: 'default' }],
      route: { receiver: 'default' },
      acceptUnrouted: [{ alert: 'Watchdog', reason: 'heartbeat, read by the dead man switch' }],
    });
    const d = new Diagnostics();
    checkRoutingWith(m, [alert('Watchdog', { severity: 'info' })], d);
    expect(d.items).toEqual([]);
  });

  it('report an inline secret with its path', () => {
    const m = withRouting({
      receivers: [{ name: 'team-slack', slack: [{ apiUrl: 'https://hooks.slack.com/services/T000/B000/XXXX', channel: '#t' }] }],
      route: { receiver: 'team-slack' },
    });
    const d = new Diagnostics();
    checkRoutingWith(m, [], d);
    expect(d.items.map((i) => i.code)).toEqual(['route/inline-secret']);
    expect(d.items[0]!.path).toBe('routing.receivers[0].slack[0].apiUrl');
  });

  it('report an inhibit rule comparing a label one side lacks', () => {
    const m = withRouting({
      receivers: [{ name: 'default' }, { name: 'team-slack', slack: [slack('team')] }],
      route: { receiver: 'default', routes: [{ matchers: ['severity=~"critical|warning"'], receiver: 'team-slack' }] },
      inhibitRules: [{ sourceMatchers: ['severity="critical"'], targetMatchers: ['severity="warning"'], equal: ['alertname', 'service'] }],
    });
    const d = new Diagnostics();
    checkRoutingWith(m, [alert('A', { severity: 'critical', service: 's' }), alert('B', { severity: 'warning' })], d);
    expect(d.items.map((i) => i.code)).toEqual(['route/inhibit-label-missing']);
    expect(d.items[0]!.message).toMatch(/B .* target but has no service label/);
    const dynamic = new Diagnostics();
    checkRoutingWith(m, [alert('A', { severity: 'critical', service: 's' }), alert('B', { severity: 'warning' }, ['service'])], dynamic);
    expect(dynamic.items).toEqual([]);
  });

  it('report match instead of matchers, unknown receivers and time intervals', () => {
    const m = withRouting({
      receivers: [{ name: 'default' }],
      route: { receiver: 'default', routes: [{ match: { severity: 'critical' }, receiver: 'pager', muteTimeIntervals: ['nights'] }] },
    });
    const d = new Diagnostics();
    checkRoutingWith(m, [], d);
    expect(d.items.map((i) => i.code).sort()).toEqual(['route/deprecated-match', 'route/unknown-receiver', 'route/unknown-time-interval']);
    expect(d.items.find((i) => i.code === 'route/deprecated-match')!.fix).toContain(`'severity="critical"'`);
  });

  it('report an AlertmanagerConfig its Alertmanager would not select', () => {
    const stack = model.stack.value;
    const broken = withStack(model, { kubePrometheusStackRelease: 'kps', selectors: { ...stack.selectors, alertmanagerConfigs: {} } });
    const d = new Diagnostics();
    checkRoutingWith(broken, [], d);
    expect(d.items.map((i) => i.code)).toEqual(['wiring/missing-selector-label']);
  });

  it('resolve continue routes in order and inherit receivers', () => {
    const routing = routingSpecSchema.parse({
      receivers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
      route: {
        receiver: 'a',
        routes: [
          { matchers: ['severity="critical"'], receiver: 'b', continue: true },
          { matchers: ['team=~"x|y"'], routes: [{ matchers: ['severity!="info"'], receiver: 'c' }] },
        ],
      },
    });
    expect(resolveRoutes(routing, { severity: 'critical', team: 'x' }).map((r) => r.receiver)).toEqual(['b', 'c']);
    expect(resolveRoutes(routing, { severity: 'info', team: 'y' }).map((r) => [r.receiver, r.path])).toEqual([['a', [1]]]);
    expect(resolveRoutes(routing, { severity: 'warning', team: 'z' }).map((r) => [r.receiver, r.path])).toEqual([['a', []]]);
  });
});
