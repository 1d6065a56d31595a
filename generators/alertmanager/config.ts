import { OUT, alertmanagerConfigName } from '../../src/conventions.ts';
import { fileHeader, type Artifact } from '../../src/model/artifact.ts';
import { locate, type Located, type Model } from '../../src/model/model.ts';
import type { Plan } from '../../src/plan/index.ts';
import { resolveRoutes } from '../../src/model/route-resolution.ts';
import {
  isNullReceiver,
  parseMatcher,
  receiverWithout,
  type Credential,
  type Receiver,
  type Route,
  type Routing,
  type TimeInterval,
} from '../../src/model/routing.ts';
import { objectLabels } from '../../src/model/scrape.ts';
import { runsPrometheusOperator } from '../../src/model/targets.ts';
import { kubernetesArtifact } from '../kubernetes/objects.ts';
import { EMAIL_MESSAGE, MSTEAMS_MESSAGE, NOTIFICATION_TEMPLATES_GLOB, OPSGENIE_MESSAGE, PAGERDUTY_MESSAGE, SLACK_MESSAGE, notificationTemplates } from './templates.ts';

/**
 * alertmanager.yml, the AlertmanagerConfig CR and the route test cases, all from one routing spec.
 * Credentials become `*_file` paths (Secrets mounted by the Alertmanager CR under
 * /etc/alertmanager/secrets/<name>/<key>) or Secret key references; nothing secret is written.
 */

export const ALERTMANAGER_CONFIG = `${OUT.alertmanager}/alertmanager.yml`;
export const ROUTE_TESTS = `${OUT.alertmanager}/tests/routes.yml`;
export const ALERTMANAGER_CR_DIR = `${OUT.kubernetes}/alertmanager`;
/** Where the operator mounts the Secrets listed in the Alertmanager CR's `spec.secrets`. */
export const SECRET_MOUNT_DIR = '/etc/alertmanager/secrets';

/** The file a credential is read from in alertmanager.yml; undefined for an inline value. */
export function credentialFile(credential: Credential): string | undefined {
  if (typeof credential === 'string') return undefined;
  if ('file' in credential) return credential.file;
  return `${SECRET_MOUNT_DIR}/${credential.secret.name}/${credential.secret.key}`;
}

function defined<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}

// ---------------------------------------------------------------- alertmanager.yml

function routeYaml(route: Route, root: boolean): Record<string, unknown> {
  return defined({
    receiver: route.receiver,
    ...(root ? {} : { matchers: route.matchers.length > 0 ? route.matchers.map((m) => formatted(m)) : undefined }),
    group_by: route.groupBy,
    group_wait: route.groupWait,
    group_interval: route.groupInterval,
    repeat_interval: route.repeatInterval,
    continue: route.continue ? true : undefined,
    mute_time_intervals: route.muteTimeIntervals.length > 0 ? route.muteTimeIntervals : undefined,
    active_time_intervals: route.activeTimeIntervals.length > 0 ? route.activeTimeIntervals : undefined,
    routes: route.routes.length > 0 ? route.routes.map((r) => routeYaml(r, false)) : undefined,
  });
}

/** A matcher in its canonical spelling (`name="value"`), so amtool and the CR read the same thing. */
function formatted(text: string): string {
  const m = parseMatcher(text);
  return m ? `${m.name}${m.type}${JSON.stringify(m.value)}` : text;
}

/** Who Opsgenie notifies, how urgently and with which tags: spelt alike in alertmanager.yml and the CR. */
function opsgenieRouting(o: Receiver['opsgenie'][number]): Record<string, unknown> {
  return {
    responders: o.responders.length ? o.responders.map((x) => defined({ id: x.id, name: x.name, username: x.username, type: x.type })) : undefined,
    priority: o.priority,
    tags: o.tags.length ? o.tags.join(',') : undefined,
  };
}

function receiverYaml(r: Receiver): Record<string, unknown> {
  return defined({
    name: r.name,
    email_configs: r.email.length
      ? r.email.map((e) =>
          defined({
            to: e.to,
            from: e.from,
            smarthost: e.smarthost,
            auth_username: e.authUsername,
            auth_password_file: e.authPassword ? credentialFile(e.authPassword) : undefined,
            headers: { Subject: e.subject ?? EMAIL_MESSAGE.subject },
            html: e.html ?? EMAIL_MESSAGE.html,
            send_resolved: e.sendResolved,
          }),
        )
      : undefined,
    pagerduty_configs: r.pagerduty.length
      ? r.pagerduty.map((p) =>
          defined({
            routing_key_file: credentialFile(p.routingKey),
            severity: p.severity,
            description: p.description ?? PAGERDUTY_MESSAGE.description,
            details: PAGERDUTY_MESSAGE.details,
            send_resolved: p.sendResolved,
          }),
        )
      : undefined,
    slack_configs: r.slack.length
      ? r.slack.map((s) =>
          defined({
            api_url_file: credentialFile(s.apiUrl),
            channel: s.channel,
            title: s.title ?? SLACK_MESSAGE.title,
            text: s.text ?? SLACK_MESSAGE.text,
            send_resolved: s.sendResolved,
          }),
        )
      : undefined,
    msteamsv2_configs: r.msteams.length
      ? r.msteams.map((m) =>
          defined({
            webhook_url_file: credentialFile(m.webhookUrl),
            title: m.title ?? MSTEAMS_MESSAGE.title,
            text: m.text ?? MSTEAMS_MESSAGE.text,
            send_resolved: m.sendResolved,
          }),
        )
      : undefined,
    opsgenie_configs: r.opsgenie.length
      ? r.opsgenie.map((o) =>
          defined({
            api_key_file: credentialFile(o.apiKey),
            api_url: o.apiUrl,
            message: o.message ?? OPSGENIE_MESSAGE.message,
            description: o.description ?? OPSGENIE_MESSAGE.description,
            ...opsgenieRouting(o),
            send_resolved: o.sendResolved,
          }),
        )
      : undefined,
    webhook_configs: r.webhook.length
      ? r.webhook.map((w) => defined({ url: w.url, max_alerts: w.maxAlerts, send_resolved: w.sendResolved }))
      : undefined,
  });
}

function timeIntervalYaml(t: TimeInterval): Record<string, unknown> {
  return {
    name: t.name,
    time_intervals: t.intervals.map((i) =>
      defined({
        times: i.times?.map((x) => ({ start_time: x.start, end_time: x.end })),
        weekdays: i.weekdays,
        days_of_month: i.daysOfMonth,
        months: i.months,
        years: i.years,
        location: i.location,
      }),
    ),
  };
}

function globalYaml(routing: Routing): Record<string, unknown> {
  const smtp = routing.global.smtp;
  return defined({
    resolve_timeout: routing.global.resolveTimeout,
    smtp_smarthost: smtp?.smarthost,
    smtp_from: smtp?.from,
    smtp_auth_username: smtp?.authUsername,
    smtp_auth_password_file: smtp?.authPassword ? credentialFile(smtp.authPassword) : undefined,
    smtp_require_tls: smtp?.requireTls,
  });
}

/**
 * alertmanager.yml. `templates` are the notification template files it loads: the generated one beside
 * it unless a run keeps the file elsewhere.
 */
export function alertmanagerYaml(routing: Routing, templates: readonly string[] = [NOTIFICATION_TEMPLATES_GLOB]): Record<string, unknown> {
  return defined({
    global: globalYaml(routing),
    templates: [...templates],
    route: routeYaml(routing.route, true),
    receivers: routing.receivers.map(receiverYaml),
    inhibit_rules: routing.inhibitRules.length
      ? routing.inhibitRules.map((i) => ({
          source_matchers: i.sourceMatchers.map(formatted),
          target_matchers: i.targetMatchers.map(formatted),
          equal: i.equal,
        }))
      : undefined,
    time_intervals: routing.timeIntervals.length ? routing.timeIntervals.map(timeIntervalYaml) : undefined,
  });
}

export interface LocalAlertmanagerOptions {
  /** Every receiver with an integration posts here instead (the e2e test's webhook sink). */
  webhookUrl: string;
  /** Where the generated notification templates were written, so the local Alertmanager loads them too. */
  templates?: readonly string[];
  /** Shorter waits for a live test; the spec's values are kept when absent. */
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
}

/**
 * The same tree and receiver names with every receiver's endpoints replaced by one webhook, for a local
 * run. Receivers without integrations stay without, so dropped alerts stay dropped.
 */
export function localAlertmanagerConfig(routing: Routing, options: LocalAlertmanagerOptions): Record<string, unknown> {
  const local: Routing = {
    ...routing,
    global: { resolveTimeout: routing.global.resolveTimeout },
    receivers: routing.receivers.map((r) =>
      isNullReceiver(r) ? r : { ...receiverWithout(r.name), webhook: [{ url: options.webhookUrl, sendResolved: true }] },
    ),
    route: {
      ...routing.route,
      groupWait: options.groupWait ?? routing.route.groupWait,
      groupInterval: options.groupInterval ?? routing.route.groupInterval,
      repeatInterval: options.repeatInterval ?? routing.route.repeatInterval,
    },
  };
  return alertmanagerYaml(local, options.templates ?? []);
}

// ---------------------------------------------------------------- AlertmanagerConfig CR

function crMatchers(matchers: readonly string[]): Array<Record<string, string>> {
  return matchers.flatMap((text) => {
    const m = parseMatcher(text);
    return m ? [{ name: m.name, matchType: m.type, value: m.value }] : [];
  });
}

function secretKey(credential: Credential | undefined): { name: string; key: string } | undefined {
  if (!credential || typeof credential === 'string' || !('secret' in credential)) return undefined;
  return { name: credential.secret.name, key: credential.secret.key };
}

function crRoute(route: Route, root: boolean): Record<string, unknown> {
  return defined({
    receiver: route.receiver,
    matchers: !root && route.matchers.length ? crMatchers(route.matchers) : undefined,
    groupBy: route.groupBy,
    groupWait: route.groupWait,
    groupInterval: route.groupInterval,
    repeatInterval: route.repeatInterval,
    continue: route.continue ? true : undefined,
    muteTimeIntervals: route.muteTimeIntervals.length ? route.muteTimeIntervals : undefined,
    activeTimeIntervals: route.activeTimeIntervals.length ? route.activeTimeIntervals : undefined,
    routes: route.routes.length ? route.routes.map((r) => crRoute(r, false)) : undefined,
  });
}

function crReceiver(r: Receiver, routing: Routing): Record<string, unknown> {
  const smtp = routing.global.smtp;
  return defined({
    name: r.name,
    emailConfigs: r.email.length
      ? r.email.map((e) =>
          defined({
            to: e.to,
            from: e.from ?? smtp?.from,
            smarthost: e.smarthost ?? smtp?.smarthost,
            authUsername: e.authUsername ?? smtp?.authUsername,
            authPassword: secretKey(e.authPassword ?? smtp?.authPassword),
            requireTLS: smtp?.requireTls,
            headers: [{ key: 'Subject', value: e.subject ?? EMAIL_MESSAGE.subject }],
            html: e.html ?? EMAIL_MESSAGE.html,
            sendResolved: e.sendResolved,
          }),
        )
      : undefined,
    pagerdutyConfigs: r.pagerduty.length
      ? r.pagerduty.map((p) =>
          defined({
            routingKey: secretKey(p.routingKey),
            severity: p.severity,
            description: p.description ?? PAGERDUTY_MESSAGE.description,
            details: Object.entries(PAGERDUTY_MESSAGE.details).map(([key, value]) => ({ key, value })),
            sendResolved: p.sendResolved,
          }),
        )
      : undefined,
    slackConfigs: r.slack.length
      ? r.slack.map((s) =>
          defined({
            apiURL: secretKey(s.apiUrl),
            channel: s.channel,
            title: s.title ?? SLACK_MESSAGE.title,
            text: s.text ?? SLACK_MESSAGE.text,
            sendResolved: s.sendResolved,
          }),
        )
      : undefined,
    msteamsv2Configs: r.msteams.length
      ? r.msteams.map((m) =>
          defined({
            webhookURL: secretKey(m.webhookUrl),
            title: m.title ?? MSTEAMS_MESSAGE.title,
            text: m.text ?? MSTEAMS_MESSAGE.text,
            sendResolved: m.sendResolved,
          }),
        )
      : undefined,
    opsgenieConfigs: r.opsgenie.length
      ? r.opsgenie.map((o) =>
          defined({
            apiKey: secretKey(o.apiKey),
            apiURL: o.apiUrl,
            message: o.message ?? OPSGENIE_MESSAGE.message,
            description: o.description ?? OPSGENIE_MESSAGE.description,
            ...opsgenieRouting(o),
            sendResolved: o.sendResolved,
          }),
        )
      : undefined,
    webhookConfigs: r.webhook.length
      ? r.webhook.map((w) => defined({ url: w.url, maxAlerts: w.maxAlerts, sendResolved: w.sendResolved }))
      : undefined,
  });
}

function crTimeInterval(t: TimeInterval): Record<string, unknown> {
  return {
    name: t.name,
    timeIntervals: t.intervals.map((i) =>
      defined({
        times: i.times?.map((x) => ({ startTime: x.start, endTime: x.end })),
        weekdays: i.weekdays,
        daysOfMonth: i.daysOfMonth?.map((d) => {
          const [start, end] = d.split(':').map(Number);
          return { start: start!, end: end ?? start! };
        }),
        months: i.months,
        years: i.years,
      }),
    ),
  };
}

export interface AlertmanagerConfigObject {
  apiVersion: 'monitoring.coreos.com/v1alpha1';
  kind: 'AlertmanagerConfig';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
}

export function alertmanagerConfigObject(routing: Located<Routing>, model: Model): AlertmanagerConfigObject {
  const r = routing.value;
  return {
    apiVersion: 'monitoring.coreos.com/v1alpha1',
    kind: 'AlertmanagerConfig',
    metadata: {
      name: alertmanagerConfigName(routing.root),
      namespace: model.stack.value.namespace,
      labels: objectLabels(model.stack.value, 'alertmanagerConfigs'),
    },
    spec: defined({
      route: crRoute(r.route, true),
      receivers: r.receivers.map((x) => crReceiver(x, r)),
      inhibitRules: r.inhibitRules.length
        ? r.inhibitRules.map((i) => ({ sourceMatch: crMatchers(i.sourceMatchers), targetMatch: crMatchers(i.targetMatchers), equal: i.equal }))
        : undefined,
      muteTimeIntervals: r.timeIntervals.length ? r.timeIntervals.map(crTimeInterval) : undefined,
    }),
  };
}

// ---------------------------------------------------------------- route tests

export interface RouteTestCase {
  alert: string;
  /** Spec file and path the alert is declared at. */
  origin: string;
  labels: Record<string, string>;
  /** Receivers in notification order, as `amtool config routes test` prints them. */
  receivers: string[];
}

export function routeTestCases(model: Plan, routing: Routing): RouteTestCase[] {
  const seen = new Set<string>();
  const cases: RouteTestCase[] = [];
  for (const alert of model.alerts) {
    const labels = alert.routingLabels;
    const key = JSON.stringify(labels);
    if (seen.has(key)) continue;
    seen.add(key);
    cases.push({
      alert: alert.alertname,
      origin: `${alert.origin.file}: ${alert.origin.path}`,
      labels,
      receivers: resolveRoutes(routing, labels).map((r) => r.receiver),
    });
  }
  return cases;
}

export function alertmanagerGenerator(model: Plan): Artifact[] {
  const [routing] = model.specs.routing;
  if (!routing) return [];
  const files = [...new Set([routing.file, ...model.alerts.map((a) => a.origin.file)])];
  const artifacts: Artifact[] = [];
  if (runsPrometheusOperator(model.stack.value.targets)) {
    const cr = alertmanagerConfigObject(routing, model);
    artifacts.push(
      kubernetesArtifact(
        `${ALERTMANAGER_CR_DIR}/${cr.metadata.name}.yaml`,
        [{ object: cr, at: locate(routing) }],
        fileHeader(model.stack.value, [routing.file, model.stack.file]),
      ),
    );
  }
  return [
    ...artifacts,
    { path: ALERTMANAGER_CONFIG, format: 'yaml', document: alertmanagerYaml(routing.value), header: fileHeader(model.stack.value, [routing.file]) },
    notificationTemplates(model, routing),
    {
      path: ROUTE_TESTS,
      format: 'yaml',
      document: { config: '../alertmanager.yml', cases: routeTestCases(model, routing.value) },
      header: fileHeader(model.stack.value, files, [
        'Each case: `amtool config routes test --config.file=<config> <labels>` prints <receivers> (config relative to this file).',
        '`npx infermon test-routes` runs them all.',
      ]),
    },
  ];
}
