import { z } from 'zod';
import { durationSchema } from './duration.ts';

/**
 * Alert routing as authors write it: receivers, a route tree, inhibit rules and time intervals. The same
 * model becomes alertmanager.yml and an AlertmanagerConfig CR, and every generated alert is resolved
 * through the tree before anything is written.
 */

/** A credential read from a Kubernetes Secret (mounted at `/etc/alertmanager/secrets/<name>/<key>`). */
const secretRefSchema = z.strictObject({ secret: z.strictObject({ name: z.string().min(1), key: z.string().min(1) }) });
/** A credential read from a file on the Alertmanager host. */
const fileRefSchema = z.strictObject({ file: z.string().startsWith('/') });
/**
 * A credential. A bare string is accepted by the schema only so the check can name the field that holds
 * an inline secret (`route/inline-secret`); it is never written out.
 */
export const credentialSchema = z.union([secretRefSchema, fileRefSchema, z.string()]);
export type Credential = z.output<typeof credentialSchema>;
export type CredentialRef = Exclude<Credential, string>;

const emailSchema = z.strictObject({
  to: z.string().min(1),
  from: z.string().optional(),
  smarthost: z.string().optional(),
  authUsername: z.string().optional(),
  authPassword: credentialSchema.optional(),
  /** Subject and HTML body; infermon's notification templates when left out. */
  subject: z.string().optional(),
  html: z.string().optional(),
  sendResolved: z.boolean().default(true),
});

const slackSchema = z.strictObject({
  apiUrl: credentialSchema,
  channel: z.string().min(1),
  /** Title and text; infermon's notification templates when left out. */
  title: z.string().optional(),
  text: z.string().optional(),
  sendResolved: z.boolean().default(true),
});

const pagerdutySchema = z.strictObject({
  routingKey: credentialSchema,
  severity: z.string().optional(),
  /** Incident description; infermon's notification template when left out, as are the custom details. */
  description: z.string().optional(),
  sendResolved: z.boolean().default(true),
});

const webhookSchema = z.strictObject({
  /** An endpoint without credentials in it (Alertmanager 0.25 has no `url_file`). */
  url: z.string().url(),
  maxAlerts: z.number().int().nonnegative().optional(),
  sendResolved: z.boolean().default(true),
});

/**
 * A Microsoft Teams channel through a Workflows webhook (Alertmanager's `msteamsv2_configs`, 0.28 and
 * later): the adaptive-card format that replaced the retired Office 365 connectors.
 */
const msteamsSchema = z.strictObject({
  webhookUrl: credentialSchema,
  /** Title and text; infermon's notification templates when left out. */
  title: z.string().optional(),
  text: z.string().optional(),
  sendResolved: z.boolean().default(true),
});

/** Who Opsgenie notifies of the alert: one of `id`, `name` or `username`, and what kind of responder it is. */
const opsgenieResponderSchema = z
  .strictObject({
    type: z.enum(['team', 'teams', 'user', 'escalation', 'schedule']),
    id: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
    username: z.string().min(1).optional(),
  })
  .refine((r) => r.id !== undefined || r.name !== undefined || r.username !== undefined, { message: 'a responder needs an `id`, a `name` or a `username`' });

const opsgenieSchema = z.strictObject({
  apiKey: credentialSchema,
  /** Opsgenie's API for the account's region, e.g. `https://api.eu.opsgenie.com/`; Alertmanager's default (US) otherwise. */
  apiUrl: z.string().regex(/^https?:\/\/.+$/, 'an http(s) URL').optional(),
  responders: z.array(opsgenieResponderSchema).default([]),
  /** P1 (highest) to P5, or a template that yields one. */
  priority: z.string().regex(/^(P[1-5]|.*\{\{.*\}\}.*)$/, 'P1 to P5, or a template').optional(),
  tags: z.array(z.string().min(1)).default([]),
  /** Message and description; infermon's notification templates when left out. */
  message: z.string().optional(),
  description: z.string().optional(),
  sendResolved: z.boolean().default(true),
});

export const receiverSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'receiver names are lower-case with dashes'),
  email: z.array(emailSchema).default([]),
  slack: z.array(slackSchema).default([]),
  pagerduty: z.array(pagerdutySchema).default([]),
  msteams: z.array(msteamsSchema).default([]),
  opsgenie: z.array(opsgenieSchema).default([]),
  webhook: z.array(webhookSchema).default([]),
});
export type Receiver = z.output<typeof receiverSchema>;

/** The integrations a receiver can hold, as its spec names them. */
export const RECEIVER_INTEGRATIONS = ['email', 'slack', 'pagerduty', 'msteams', 'opsgenie', 'webhook'] as const;

/** A receiver named `name` with no integration. */
export function receiverWithout(name: string): Receiver {
  return { name, email: [], slack: [], pagerduty: [], msteams: [], opsgenie: [], webhook: [] };
}

/** Every credential field a receiver sets, with its path under the receiver (`slack[0].apiUrl`). */
export function receiverCredentials(r: Receiver): Array<{ path: string; credential: Credential }> {
  const of = <T>(list: readonly T[], kind: string, field: keyof T & string) =>
    list.flatMap((item, i) => (item[field] === undefined ? [] : [{ path: `${kind}[${i}].${field}`, credential: item[field] as Credential }]));
  return [
    ...of(r.email, 'email', 'authPassword'),
    ...of(r.slack, 'slack', 'apiUrl'),
    ...of(r.pagerduty, 'pagerduty', 'routingKey'),
    ...of(r.msteams, 'msteams', 'webhookUrl'),
    ...of(r.opsgenie, 'opsgenie', 'apiKey'),
  ];
}

export interface RouteSpec {
  receiver?: string;
  /** Alertmanager matchers, e.g. `severity="critical"`, `team=~"ml-ops|platform"`. */
  matchers?: string[];
  /** The deprecated equality map; accepted only so the check can ask for `matchers` instead. */
  match?: Record<string, string>;
  groupBy?: string[];
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  continue?: boolean;
  muteTimeIntervals?: string[];
  activeTimeIntervals?: string[];
  routes?: RouteSpec[];
}

export interface Route {
  receiver?: string;
  matchers: string[];
  match?: Record<string, string>;
  groupBy?: string[];
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  continue: boolean;
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
  routes: Route[];
}

export const routeSchema: z.ZodType<Route, RouteSpec> = z.lazy(() =>
  z.strictObject({
    receiver: z.string().optional(),
    matchers: z.array(z.string()).default([]),
    match: z.record(z.string(), z.string()).optional(),
    groupBy: z.array(z.string()).optional(),
    groupWait: durationSchema.optional(),
    groupInterval: durationSchema.optional(),
    repeatInterval: durationSchema.optional(),
    continue: z.boolean().default(false),
    muteTimeIntervals: z.array(z.string()).default([]),
    activeTimeIntervals: z.array(z.string()).default([]),
    routes: z.array(routeSchema).default([]),
  }),
);

const clock = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'times are HH:MM');
export const timeIntervalSchema = z.strictObject({
  name: z.string().min(1),
  intervals: z
    .array(
      z.strictObject({
        times: z.array(z.strictObject({ start: clock, end: clock })).optional(),
        /** `monday`, `monday:friday`, ... */
        weekdays: z.array(z.string()).optional(),
        /** `1`, `1:5`, `-1` ... */
        daysOfMonth: z.array(z.string()).optional(),
        months: z.array(z.string()).optional(),
        years: z.array(z.string()).optional(),
        /** IANA time zone, e.g. `Europe/Berlin`. */
        location: z.string().optional(),
      }),
    )
    .min(1),
});
export type TimeInterval = z.output<typeof timeIntervalSchema>;

export const inhibitRuleSchema = z.strictObject({
  sourceMatchers: z.array(z.string()).min(1),
  targetMatchers: z.array(z.string()).min(1),
  /** Labels that must have equal values on the source and target alerts; each must exist on both. */
  equal: z.array(z.string()).default([]),
});
export type InhibitRule = z.output<typeof inhibitRuleSchema>;

export const routingSpecSchema = z.strictObject({
  global: z
    .strictObject({
      resolveTimeout: durationSchema.default('5m'),
      smtp: z
        .strictObject({
          smarthost: z.string().min(1),
          from: z.string().min(1),
          authUsername: z.string().optional(),
          authPassword: credentialSchema.optional(),
          requireTls: z.boolean().default(true),
        })
        .optional(),
    })
    .default({ resolveTimeout: '5m' }),
  receivers: z.array(receiverSchema).min(1),
  /** The root route: its receiver is the default every unmatched alert falls to. */
  route: routeSchema,
  inhibitRules: z.array(inhibitRuleSchema).default([]),
  timeIntervals: z.array(timeIntervalSchema).default([]),
  /** Alerts allowed to land on the default or a receiver without integrations, each with the reason. */
  acceptUnrouted: z.array(z.strictObject({ alert: z.string(), reason: z.string().min(1) })).default([]),
});
export type RoutingSpec = z.input<typeof routingSpecSchema>;
export type Routing = z.output<typeof routingSpecSchema>;

export type MatchType = '=' | '!=' | '=~' | '!~';
export interface Matcher {
  name: string;
  type: MatchType;
  value: string;
}

const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/;

/** Parses one matcher in Alertmanager's syntax (`name="value"`); undefined when it is not one. */
export function parseMatcher(text: string): Matcher | undefined {
  if (parsedMatchers.has(text)) return parsedMatchers.get(text);
  const m = MATCHER.exec(text);
  const parsed = m ? { name: m[1]!, type: m[2] as MatchType, value: m[3]!.replace(/\\(["\\])/g, '$1').replace(/\\n/g, '\n') } : undefined;
  if (parsedMatchers.size >= MEMO_LIMIT) parsedMatchers.clear();
  parsedMatchers.set(text, parsed);
  return parsed;
}

// Routing is evaluated for every generated alert against the same few route and inhibit matchers.
const MEMO_LIMIT = 10_000;
const parsedMatchers = new Map<string, Matcher | undefined>();
const anchoredRegexes = new Map<string, RegExp>();

function anchored(pattern: string): RegExp {
  let re = anchoredRegexes.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`);
    if (anchoredRegexes.size >= MEMO_LIMIT) anchoredRegexes.clear();
    anchoredRegexes.set(pattern, re);
  }
  return re;
}

/** The canonical text of a matcher, as Alertmanager prints it. */
export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.type}${JSON.stringify(m.value)}`;
}

/** Whether a label set satisfies a matcher (absent labels are empty, regexes are anchored). */
export function matches(m: Matcher, labels: Readonly<Record<string, string>>): boolean {
  return matchValue(m.type, m.value, labels[m.name] ?? '');
}

/** Prometheus-style label matching of one value: `=`, `!=`, and fully anchored `=~`, `!~`. */
export function matchValue(op: MatchType, expected: string, value: string): boolean {
  switch (op) {
    case '=':
      return value === expected;
    case '!=':
      return value !== expected;
    case '=~':
      return anchored(expected).test(value);
    case '!~':
      return !anchored(expected).test(value);
  }
}

/** A receiver with no integration: alerts routed to it are dropped. */
export function isNullReceiver(r: Receiver): boolean {
  return RECEIVER_INTEGRATIONS.every((kind) => r[kind].length === 0);
}
