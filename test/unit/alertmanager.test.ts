import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { NOTIFICATION_TEMPLATES, notificationTemplateText } from '../../generators/alertmanager/templates.ts';
import { kubePrometheusStackValues } from '../../generators/kubernetes/kube-prometheus-stack-values.ts';
import { outputGroup } from '../../generators/prometheus-rules/index.ts';
import { checkRouting, checkRoutingWith } from '../../src/check/routing.ts';
import { inhibitingRules } from '../../src/model/inhibition.ts';
import type { GeneratedAlert } from '../../src/model/generated-alert.ts';
import { Diagnostics } from '../../src/model/diagnostics.ts';
import { planOf, routed, type Plan } from '../../src/plan/index.ts';
import { resolveRoutes } from '../../src/model/route-resolution.ts';
import { routingSpecSchema, type RoutingSpec } from '../../src/model/routing.ts';
import { runTool } from '../support/tools.ts';
import { SCHEMAS_MISSING_REASON, schemaErrors, schemasAvailable } from '../support/schemas.ts';
import { projectModel, withStack } from './wiring-fixture.ts';
import { artifactText } from '../../src/emit/render.ts';
import { toYaml } from '../../src/emit/serialize.ts';

let model: Plan;
let dir: string;
let configFile: string;
beforeAll(async () => {
  model = await projectModel();
  dir = mkdtempSync(join(tmpdir(), 'infermon-am-'));
  configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, artifact(ALERTMANAGER_CONFIG));
  mkdirSync(join(dir, 'templates'));
  writeFileSync(join(dir, NOTIFICATION_TEMPLATES.replace(/^alertmanager\//, '')), artifact(NOTIFICATION_TEMPLATES));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function artifact(path: string): string {
  const found = alertmanagerGenerator(model).find((a) => a.path === path);
  if (!found) throw new Error(`no ${path}`);
  return artifactText(found);
}

/** The pinned amtool (the current Alertmanager). */
function amtool(...args: string[]) {
  return runTool('amtool', args);
}

/** A model whose routing spec is replaced by this one. */
function withRouting(spec: RoutingSpec): Plan {
  const value = routingSpecSchema.parse(spec);
  return planOf({ ...model, specs: { ...model.specs, routing: [{ value, file: 'specs/routing.ts', root: 'routing' }] } });
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
    expect(text).not.toMatch(/"(match|match_re|routing_key|auth_password|api_key|webhook_url)"/);
    // Slack's api_url is its credential; Opsgenie's is the region's endpoint and may stand in the file.
    const slack = (config.receivers as Array<Record<string, any>>).flatMap((r) => r.slack_configs ?? []);
    expect(slack.filter((c) => 'api_url' in c)).toEqual([]);
    for (const file of ['api_url_file', 'routing_key_file', 'api_key_file', 'webhook_url_file']) expect(text).toContain(file);
    expect(config.global.smtp_auth_password_file).toMatch(/^\/etc\/alertmanager\/secrets\//);
  });

  it.skipIf(!schemasAvailable)('is valid against the SchemaStore schema', () => {
    expect(schemaErrors('schemastore/prometheus-alertmanager.json', parse(artifact(ALERTMANAGER_CONFIG)))).toEqual([]);
  });
  if (!schemasAvailable) console.warn(SCHEMAS_MISSING_REASON);
});

/** A generated alert rule of the example specs, as written to its rule file. */
function generatedRule(alertname: string): { labels: Record<string, string>; annotations: Record<string, string> } {
  for (const group of model.specs.rules) {
    const rule = outputGroup(group, model).rules.find((r) => 'alert' in r && r.alert === alertname);
    if (rule && 'alert' in rule) return rule as { labels: Record<string, string>; annotations: Record<string, string> };
  }
  throw new Error(`no alert ${alertname}`);
}

/** What Alertmanager hands a receiver's templates for one firing alert (template.Data). */
function notificationData(alertname: string, labels: Record<string, string>): string {
  const rule = generatedRule(alertname);
  const all = { ...model.stack.value.externalLabels, ...rule.labels, ...labels, alertname };
  const annotations = Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, v.replace(/\{\{[^}]*\}\}/g, 'x')]));
  const file = join(dir, `${alertname}.data.json`);
  writeFileSync(
    file,
    JSON.stringify({
      receiver: 'inference-platform-slack',
      status: 'firing',
      alerts: [{ status: 'firing', labels: all, annotations, startsAt: '2025-01-01T00:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: '0' }],
      groupLabels: { alertname },
      commonLabels: all,
      commonAnnotations: annotations,
      externalURL: 'http://alertmanager.example.com',
    }),
  );
  return file;
}

function render(dataFile: string, text: string, type: 'text' | 'html' = 'text') {
  return amtool('template', 'render', `--template.glob=${join(dir, 'templates', '*.tmpl')}`, `--template.data=${dataFile}`, `--template.type=${type}`, `--template.text=${text}`);
}

describe('notification templates', () => {
  it('every receiver kind calls them, in alertmanager.yml and in the AlertmanagerConfig CR', () => {
    const config = parse(artifact(ALERTMANAGER_CONFIG)) as Record<string, any>;
    expect(config.templates).toEqual(['templates/*.tmpl']);
    const receivers = config.receivers as Array<Record<string, any>>;
    const calls = (text: unknown) => /\{\{ template "infermon\.[a-z.]+" \. \}\}/.test(String(text));
    for (const r of receivers) {
      for (const c of r.slack_configs ?? []) expect(calls(c.title) && calls(c.text), r.name).toBe(true);
      for (const c of r.email_configs ?? []) expect(calls(c.headers.Subject) && calls(c.html), r.name).toBe(true);
      for (const c of r.pagerduty_configs ?? []) expect(calls(c.description) && calls(c.details.firing), r.name).toBe(true);
      for (const c of r.msteamsv2_configs ?? []) expect(calls(c.title) && calls(c.text), r.name).toBe(true);
      for (const c of r.opsgenie_configs ?? []) expect(calls(c.message) && calls(c.description), r.name).toBe(true);
    }
    // The example platform holds every receiver kind, so each is checked above.
    for (const kind of ['email', 'slack', 'pagerduty', 'msteamsv2', 'opsgenie', 'webhook']) expect(receivers.some((r) => r[`${kind}_configs`]), kind).toBe(true);
    const cr = parse(artifactText(alertmanagerGenerator(model).find((a) => a.path.startsWith('kubernetes/alertmanager/'))!)) as Record<string, any>;
    for (const r of cr.spec.receivers as Array<Record<string, any>>) {
      for (const c of r.slackConfigs ?? []) expect(calls(c.title) && calls(c.text), r.name).toBe(true);
      for (const c of r.emailConfigs ?? []) expect(calls(c.headers[0].value) && calls(c.html), r.name).toBe(true);
      for (const c of r.pagerdutyConfigs ?? []) expect(calls(c.description) && c.details.some((x: { value: string }) => calls(x.value)), r.name).toBe(true);
      for (const c of r.msteamsv2Configs ?? []) expect(calls(c.title) && calls(c.text), r.name).toBe(true);
      for (const c of r.opsgenieConfigs ?? []) expect(calls(c.message) && calls(c.description), r.name).toBe(true);
    }
  });

  it('reach the kube-prometheus-stack Alertmanager, which the CR relies on', () => {
    const { values } = kubePrometheusStackValues(model) as unknown as { values: { alertmanager: { templateFiles: Record<string, string> } } };
    expect(values.alertmanager.templateFiles['infermon.tmpl']).toBe(notificationTemplateText(model, model.specs.routing[0]!));
  });

  it('render title, text, subject, html and PagerDuty fields from the annotations (amtool template render)', () => {
    const data = notificationData('KthenaRouterHighErrorRatio', { model: 'llama-3-8b' });
    const { annotations } = generatedRule('KthenaRouterHighErrorRatio');
    expect(annotations.dashboard_url).toMatch(/\/d\/infermon-kthena-router$/);
    expect(annotations.logs_url).toMatch(/\/explore\?.*panes=/);
    const rendered: Record<string, string> = {};
    for (const [name, type] of [
      ['slack.title', 'text'],
      ['slack.text', 'text'],
      ['email.subject', 'text'],
      ['email.html', 'html'],
      ['pagerduty.description', 'text'],
      ['pagerduty.firing', 'text'],
      ['msteams.title', 'text'],
      ['msteams.text', 'text'],
      ['opsgenie.message', 'text'],
      ['opsgenie.description', 'text'],
    ] as const) {
      const r = render(data, `{{ template "infermon.${name}" . }}`, type);
      expect(r.status, `${name}: ${r.stderr}`).toBe(0);
      rendered[name] = r.stdout;
    }
    for (const name of ['slack.title', 'email.subject', 'pagerduty.description', 'msteams.title', 'opsgenie.message'])
      expect(rendered[name]).toContain('[FIRING:1] KthenaRouterHighErrorRatio (critical) in inference-prod');
    // Opsgenie keeps 130 characters of a message.
    expect(rendered['opsgenie.message']!.length).toBeLessThanOrEqual(130);
    for (const name of ['slack.text', 'email.html', 'pagerduty.firing', 'msteams.text', 'opsgenie.description']) {
      expect(rendered[name]).toContain(annotations.summary);
      expect(rendered[name]).toContain(annotations.runbook_url);
      expect(rendered[name]).toContain(annotations.dashboard_url);
    }
    expect(rendered['slack.text']).toContain(`<${annotations.runbook_url}|Runbook>`);
    expect(rendered['slack.text']).toContain(`<${annotations.logs_url}|Logs>`);
    expect(rendered['pagerduty.firing']).toContain(`Logs: ${annotations.logs_url}`);
    expect(rendered['msteams.text']).toContain(`**${annotations.summary}**`);
    expect(rendered['msteams.text']).toContain(`[Runbook](${annotations.runbook_url})`);
    expect(rendered['msteams.text']).toContain(`[Logs](${annotations.logs_url})`);
    expect(rendered['opsgenie.description']).toContain(`Runbook: ${annotations.runbook_url}`);
    expect(rendered['email.html']).toMatch(/ \| <a href="[^"]+\/explore\?[^"]+">Logs<\/a>/);
    expect(rendered['email.html']).toContain(`<a href="${annotations.dashboard_url}">Dashboard</a>`);
  });

  it('a broken template fails amtool check-config, so the check can fail', () => {
    const broken = mkdtempSync(join(dir, 'broken-'));
    mkdirSync(join(broken, 'templates'));
    writeFileSync(join(broken, 'alertmanager.yml'), artifact(ALERTMANAGER_CONFIG));
    writeFileSync(join(broken, 'templates', 'infermon.tmpl'), readFileSync(join(dir, 'templates', 'infermon.tmpl'), 'utf8').replace('{{ end }}', '{{ ends }}'));
    const result = amtool('check-config', join(broken, 'alertmanager.yml'));
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/ends/);
  });
});

describe('inhibition and mute windows of the example routing', () => {
  const labelsOf = (alertname: string, extra: Record<string, string> = {}) => ({
    ...model.stack.value.externalLabels,
    ...generatedRule(alertname).labels,
    ...extra,
    alertname,
  });

  it('a router that is down mutes its latency and error-ratio alerts, in its cluster only', () => {
    const routing = model.specs.routing[0]!.value;
    const down = labelsOf('KthenaRouterDown', { job: 'kthena-router', instance: 'router-0:15000' });
    expect(inhibitingRules(routing, down, labelsOf('KthenaRouterHighErrorRatio', { model: 'm' }))).toHaveLength(1);
    expect(inhibitingRules(routing, down, labelsOf('KthenaRouterHighLatencyP99', { model: 'm' }))).toHaveLength(1);
    expect(inhibitingRules(routing, down, labelsOf('VllmHighTimeToFirstToken', { model_name: 'm' }))).toEqual([]);
    expect(inhibitingRules(routing, down, labelsOf('KthenaRouterRateLimitSpike', { model: 'm' }))).toEqual([]);
    expect(inhibitingRules(routing, { ...down, cluster: 'other' }, labelsOf('KthenaRouterHighErrorRatio', { model: 'm' }))).toEqual([]);
  });

  it('the mute window is generated and a route uses it', () => {
    const config = parse(artifact(ALERTMANAGER_CONFIG)) as Record<string, any>;
    const names = (config.time_intervals as Array<{ name: string }>).map((t) => t.name);
    const used = JSON.stringify(config.route).match(/"mute_time_intervals":\["([^"]+)"\]/);
    expect(used).not.toBeNull();
    expect(names).toContain(used![1]);
    const cr = parse(artifactText(alertmanagerGenerator(model).find((a) => a.path.startsWith('kubernetes/alertmanager/'))!)) as Record<string, any>;
    expect((cr.spec.muteTimeIntervals as Array<{ name: string }>).map((t) => t.name)).toEqual(names);
  });
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
    const doc = parse(artifactText(cr)) as Record<string, any>;
    expect(schemaErrors('prometheus-operator/alertmanagerconfig.v1alpha1.strict.json', doc)).toEqual([]);
    const slackConfig = doc.spec.receivers.find((r: { slackConfigs?: unknown[] }) => r.slackConfigs).slackConfigs[0];
    expect(slackConfig.apiURL).toEqual({ name: 'alertmanager-slack', key: expect.any(String) });
    expect(doc.metadata.labels).toMatchObject(model.stack.value.selectors.alertmanagerConfigs);
  });
});

describe('local alertmanager.yml', () => {
  it('keeps the tree and receiver names, sends every notifying receiver to the webhook, and passes amtool', () => {
    const routing = model.specs.routing[0]!.value;
    const body = toYaml(localAlertmanagerConfig(routing, { webhookUrl: 'http://127.0.0.1:19999/hook', groupWait: '1s' }));
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
    checkRoutingWith(m, routed([alert('RouterDown', { severity: 'critical', team: 'platform', service: 'router' })], m.stack.value.externalLabels), d);
    expect(d.items.map((i) => i.code)).toEqual(['route/unrouted-alert']);
    expect(d.items[0]!.message).toMatch(/critical alert RouterDown matches no route below the root, so it falls to the default receiver default, which has no integrations/);
    expect(d.items[0]!.fix).toMatch(/add a route matching its labels \(severity="critical", team="platform", service="router"\)/);
    expect(d.items[0]!.file).toBe('specs/alerts/x.ts');
  });

  it('report an alert without the label the routes match on as delivered to the default receiver, and name that label', () => {
    const m = withRouting({
      receivers: [{ name: 'platform-alerts', slack: [slack('platform')] }],
      route: { receiver: 'platform-alerts', routes: [{ matchers: ['team="gpu-infra"'], receiver: 'platform-alerts' }, { matchers: ['team="inference-runtime"'], receiver: 'platform-alerts' }] },
    });
    const d = new Diagnostics();
    checkRoutingWith(m, routed([alert('KvCacheHot', { severity: 'warning' })], m.stack.value.externalLabels), d);
    expect(d.items.map((i) => i.code)).toEqual(['route/unrouted-alert']);
    expect(d.items[0]!.message).toBe('the warning alert KvCacheHot matches no route below the root, so it falls to the default receiver platform-alerts: it is delivered there, but no route owns it');
    expect(d.items[0]!.fix).toBe(
      'give it the label the routes in specs/routing.ts match on: `team` ("gpu-infra", "inference-runtime"); or list it under `acceptUnrouted` with the reason',
    );
  });

  it('report an alert whose routes end on receivers without integrations', () => {
    const m = withRouting({
      receivers: [{ name: 'ops', slack: [slack('ops')] }, { name: 'blackhole' }],
      route: { receiver: 'ops', routes: [{ matchers: ['team="research"'], receiver: 'blackhole' }] },
    });
    const d = new Diagnostics();
    checkRoutingWith(m, routed([alert('ExperimentStalled', { severity: 'warning', team: 'research' })], m.stack.value.externalLabels), d);
    expect(d.items.map((i) => i.code)).toEqual(['route/unrouted-alert']);
    expect(d.items[0]!.message).toBe('the warning alert ExperimentStalled only reaches receivers without integrations (blackhole at route.routes[0]): nobody is notified');
  });

  it('accept a default-routed alert that is declared so', () => {
    const m = withRouting({
      receivers: [{ name: 'default' }],
      route: { receiver: 'default' },
      acceptUnrouted: [{ alert: 'Watchdog', reason: 'heartbeat, read by the dead man switch' }],
    });
    const d = new Diagnostics();
    checkRoutingWith(m, routed([alert('Watchdog', { severity: 'info' })], m.stack.value.externalLabels), d);
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

  it('report inline and file credentials of every receiver kind at their paths', () => {
    const m = withRouting({
      receivers: [
        {
          name: 'team-page',
          msteams: [{ webhookUrl: 'https://example.webhook.office.com/workflows/xyz' }],
          opsgenie: [{ apiKey: { file: '/etc/opsgenie/key' }, responders: [{ type: 'team', name: 'platform' }] }],
        },
      ],
      route: { receiver: 'team-page' },
    });
    const d = new Diagnostics();
    checkRoutingWith(m, [], d);
    expect(d.items.map((i) => [i.code, i.path])).toEqual([
      ['route/inline-secret', 'routing.receivers[0].msteams[0].webhookUrl'],
      ['route/credential-not-a-secret', 'routing.receivers[0]'],
    ]);
  });

  it('refuse an Opsgenie responder that names nobody and a priority outside P1 to P5', () => {
    const parsed = routingSpecSchema.safeParse({
      receivers: [{ name: 'page', opsgenie: [{ apiKey: { secret: { name: 'og', key: 'k' } }, responders: [{ type: 'team' }], priority: 'P9' }] }],
      route: { receiver: 'page' },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.'))).toEqual(['receivers.0.opsgenie.0.responders.0', 'receivers.0.opsgenie.0.priority']);
  });

  it('report an inhibit rule comparing a label one side lacks', () => {
    const m = withRouting({
      receivers: [{ name: 'default' }, { name: 'team-slack', slack: [slack('team')] }],
      route: { receiver: 'default', routes: [{ matchers: ['severity=~"critical|warning"'], receiver: 'team-slack' }] },
      inhibitRules: [{ sourceMatchers: ['severity="critical"'], targetMatchers: ['severity="warning"'], equal: ['alertname', 'service'] }],
    });
    const d = new Diagnostics();
    checkRoutingWith(m, routed([alert('A', { severity: 'critical', service: 's' }), alert('B', { severity: 'warning' })], m.stack.value.externalLabels), d);
    expect(d.items.map((i) => i.code)).toEqual(['route/inhibit-label-missing']);
    expect(d.items[0]!.message).toMatch(/^an alert this rule matches has no service label: B \(target, specs\/alerts\/x.ts\)/);
    const dynamic = new Diagnostics();
    checkRoutingWith(m, routed([alert('A', { severity: 'critical', service: 's' }), alert('B', { severity: 'warning' }, ['service'])], m.stack.value.externalLabels), dynamic);
    expect(dynamic.items).toEqual([]);
  });

  it('report a label many alerts of an inhibit rule lack once, naming how many and which', () => {
    const m = withRouting({
      receivers: [{ name: 'team-slack', slack: [slack('team')] }],
      route: { receiver: 'team-slack', routes: [{ matchers: ['severity=~"critical|warning"'], receiver: 'team-slack' }] },
      inhibitRules: [{ sourceMatchers: ['severity="critical"'], targetMatchers: ['severity="warning"'], equal: ['alertname', 'service', 'team'] }],
    });
    const warnings = Array.from({ length: 8 }, (_, i) => alert(`Warn${i}`, { severity: 'warning' }));
    const d = new Diagnostics();
    checkRoutingWith(m, routed([alert('A', { severity: 'critical', service: 's' }), ...warnings], m.stack.value.externalLabels), d);
    expect(d.items.map((i) => [i.code, i.path])).toEqual([
      ['route/inhibit-label-missing', 'routing.inhibitRules[0].equal'],
      ['route/inhibit-label-missing', 'routing.inhibitRules[0].equal'],
    ]);
    const [service, team] = d.items;
    expect(service!.message).toMatch(/^8 alerts this rule matches have no service label: Warn0 \(target, specs\/alerts\/x.ts\), .* and 3 more;/);
    expect(team!.message).toMatch(/^9 alerts this rule matches have no team label: A \(source, specs\/alerts\/x.ts\), Warn0 /);
    expect(team!.fix).toBe('give them the team label, or drop team from `equal`');
    expect(team!.file).toBe('specs/routing.ts');
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

  it('accept an AlertmanagerConfig without selector labels: kube-prometheus-stack selects every AlertmanagerConfig by default', () => {
    const stack = model.stack.value;
    const unlabelled = withStack(model, { kubePrometheusStackRelease: 'kps', selectors: { ...stack.selectors, alertmanagerConfigs: {} } });
    const d = new Diagnostics();
    checkRoutingWith(unlabelled, unlabelled.alerts, d);
    expect(d.items).toEqual([]);
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
