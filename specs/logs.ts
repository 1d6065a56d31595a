import { defineLogs, label } from 'infermon';
import { kthenaRouter } from 'infermon/catalog/kthena-router';
import { moeRouter } from 'infermon/catalog/moe-router';

/**
 * Log pipelines: the Kthena router's access log (JSON by default, the text format as the alternative)
 * and the MoE router's structured JSON logs, shipped to Loki 3 with a handful of bounded stream labels;
 * request and correlation ids travel as structured metadata.
 */

/** JSON access-log fields → JMESPath into the line (the router's default `accessLogger.format: json`). */
export const ROUTER_ACCESS_LOG_JSON_FIELDS = {
  timestamp: 'timestamp',
  method: 'method',
  path: 'path',
  protocol: 'protocol',
  status_code: 'status_code',
  model_name: 'model_name',
  model_route: 'model_route',
  model_server: 'model_server',
  selected_pod: 'selected_pod',
  request_id: 'request_id',
  input_tokens: 'input_tokens',
  output_tokens: 'output_tokens',
  duration_total: 'duration_total',
  error_type: 'error.type',
  error_message: 'error.message',
} as const;

/**
 * The text access-log line (`accessLogger.format: text`) as RE2 with named groups:
 * `[ts] "METHOD path PROTO" status error=type:message model_name=… model_route=… model_server=…
 * selected_pod=… request_id=… tokens=in/out timings=total(req+upstream+resp)`. Only the timings are always
 * there: a request that fails before routing has no route, server or pod, a successful one no error. The
 * error message may contain spaces, so the line is anchored at both ends.
 */
export const ROUTER_ACCESS_LOG_TEXT_PATTERN = [
  '^\\[(?P<timestamp>[^\\]]+)\\] "(?P<method>[A-Z]+) (?P<path>[^ "]+) (?P<protocol>[^"]+)" (?P<status_code>\\d{3})',
  '(?: error=(?P<error_type>[^: ]+):(?P<error_message>.*?))?',
  '(?: model_name=(?P<model_name>\\S+))?',
  '(?: model_route=(?P<model_route>\\S+))?',
  '(?: model_server=(?P<model_server>\\S+))?',
  '(?: selected_pod=(?P<selected_pod>\\S+))?',
  '(?: request_id=(?P<request_id>\\S+))?',
  '(?: tokens=(?P<input_tokens>\\d+)/(?P<output_tokens>\\d+))?',
  ' timings=(?P<duration_total>\\d+)ms\\((?P<duration_request_processing>\\d+)\\+(?P<duration_upstream_processing>\\d+)\\+(?P<duration_response_processing>\\d+)\\)$',
].join('');

/** Event types of the MoE router's structured logs (`event.type`). */
export const MOE_LOG_EVENT_TYPES = [
  'routing.start',
  'routing.complete',
  'routing.error',
  'performance.measurement',
  'memory.warning',
  'model.load',
  'model.error',
] as const;

const router = kthenaRouter.spec.kubernetes;
const moe = moeRouter.spec.kubernetes;
const unbounded = label.unbounded;
const bounded = label.bounded;

export const logs = defineLogs({
  loki: {
    major: 3,
    schema: [{ from: '2025-01-01', store: 'tsdb', schema: 'v13', objectStore: 'filesystem' }],
    dataDir: '/var/loki',
    retention: '744h',
    ruleEvaluationInterval: '1m',
  },
  streams: [
    {
      name: 'kthena-router-access',
      namespace: router.namespace,
      podLabels: router.podLabels,
      app: router.podLabels.app,
      parsers: [
        { type: 'json', expressions: ROUTER_ACCESS_LOG_JSON_FIELDS },
        { type: 'regex', expression: ROUTER_ACCESS_LOG_TEXT_PATTERN },
      ],
      fields: {
        timestamp: unbounded('time the request finished, RFC 3339'),
        method: bounded('HTTP method'),
        path: bounded('request URL path'),
        protocol: bounded('HTTP protocol version'),
        status_code: bounded('HTTP status code'),
        model_name: bounded('requested model'),
        model_route: bounded('ModelRoute that matched, namespace/name'),
        model_server: bounded('ModelServer the request went to, namespace/name'),
        selected_pod: unbounded('model server pod that served the request'),
        request_id: unbounded('per-request id'),
        input_tokens: unbounded('prompt tokens'),
        output_tokens: unbounded('generated tokens'),
        duration_total: unbounded('total time in milliseconds'),
        duration_request_processing: unbounded('router time before dispatch, milliseconds'),
        duration_upstream_processing: unbounded('model server time, milliseconds'),
        duration_response_processing: unbounded('router time after the response, milliseconds'),
        error_type: bounded('error category of a failed request'),
        error_message: unbounded('error text of a failed request'),
      },
      timestamp: 'timestamp',
      statusClass: { from: 'status_code', label: 'status_class' },
      labels: { model: 'model_name' },
      structuredMetadata: {
        request_id: 'request_id',
        selected_pod: 'selected_pod',
        model_route: 'model_route',
        model_server: 'model_server',
        error_type: 'error_type',
      },
    },
    {
      name: 'moe-router',
      namespace: moe.namespace,
      podLabels: moe.podLabels,
      app: moe.podLabels.app,
      parsers: [
        {
          type: 'json',
          expressions: {
            timestamp: 'timestamp',
            level: 'level',
            event_type: 'event.type',
            message: 'message',
            correlation_id: 'correlation_id',
            model_name: 'model.name',
            backend: 'model.backend',
          },
        },
      ],
      fields: {
        timestamp: unbounded('time of the event, RFC 3339'),
        level: bounded('log level'),
        event_type: label.enum(MOE_LOG_EVENT_TYPES, 'structured event type'),
        message: unbounded('human-readable message'),
        correlation_id: unbounded('id shared by every log line of one request'),
        model_name: bounded('MoE model'),
        backend: bounded('compute backend'),
      },
      timestamp: 'timestamp',
      labels: { level: 'level', event_type: 'event_type', model: 'model_name' },
      structuredMetadata: { correlation_id: 'correlation_id' },
    },
  ],
  ruleGroup: 'log-alerts',
  alerts: [
    {
      alert: 'MoeRoutingErrorsBurst',
      expr: `sum by (namespace, model) (count_over_time({namespace="${moe.namespace}", app="${moe.podLabels.app}", event_type="routing.error"}[5m])) > 10`,
      for: '0s',
      severity: 'warning',
      team: 'moe-research',
      service: 'moe-router',
      summary: 'More than 10 routing errors logged in 5 minutes',
      description: 'The MoE router logged {{ $value }} routing.error events for model {{ $labels.model }} in the last 5 minutes.',
    },
    {
      alert: 'KthenaRouter5xxBurst',
      expr: `sum by (namespace, model) (count_over_time({namespace="${router.namespace}", app="${router.podLabels.app}", status_class="5xx"}[5m])) > 20`,
      for: '2m',
      severity: 'warning',
      team: 'inference-platform',
      service: 'kthena-router',
      summary: 'Burst of 5xx responses in the router access log',
      description: 'The Kthena router logged {{ $value }} 5xx responses for model {{ $labels.model }} in the last 5 minutes.',
    },
  ],
});
