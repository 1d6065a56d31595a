import { defineLogs, label } from 'infermon';
import { moeRouter } from 'infermon/catalog/moe-router';
import { kthenaRouter } from './sources.ts';

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

// The router as its chart deploys it (sources.ts): its pods carry no `app` label, so the stream names its own.
const router = kthenaRouter.spec.kubernetes;
const ROUTER_APP = 'kthena-router';
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
      app: ROUTER_APP,
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
      dashboard: 'moe-router',
      runbook: {
        meaning:
          'The MoE router fails to route tokens to experts for one model, in bursts. Requests of that model fail or fall back; the structured log says why for every failure, and its correlation id ties the failure to the rest of the request.',
        firstChecks: [
          'Read the failures (first query): the message names the failing expert or backend.',
          'Follow one request end to end: filter the stream on the `correlation_id` of a failure (`| correlation_id="<id>"`).',
          'Check the memory warnings that often precede routing errors (second query), and the expert balance on the dashboard.',
          `Recent restarts or model loads: \`kubectl logs -n ${moe.namespace} -l app=${moe.podLabels.app} --tail=100\`.`,
        ],
        queries: [
          { title: 'Routing errors with their message', logql: `{namespace="${moe.namespace}", app="${moe.podLabels.app}", event_type="routing.error"} | json | line_format "{{.model_name}} {{.backend}}: {{.message}}"` },
          { title: 'Memory warnings, by model', logql: `sum by (model) (count_over_time({namespace="${moe.namespace}", app="${moe.podLabels.app}", event_type="memory.warning"}[15m]))` },
        ],
      },
    },
    {
      alert: 'KthenaRouter5xxBurst',
      expr: `sum by (namespace, model) (count_over_time({namespace="${router.namespace}", app="${ROUTER_APP}", status_class="5xx"}[5m])) > 20`,
      for: '2m',
      severity: 'warning',
      team: 'inference-platform',
      service: 'kthena-router',
      summary: 'Burst of 5xx responses in the router access log',
      description: 'The Kthena router logged {{ $value }} 5xx responses for model {{ $labels.model }} in the last 5 minutes.',
      dashboard: 'kthena-router',
      runbook: {
        meaning:
          'The router\'s access log shows a burst of server errors for one model. It sees what the metrics see, one request at a time: the error type and message, the route, the model server and the pod each failure went to.',
        firstChecks: [
          'Which error, which pod? Read the failed requests (first query); one `selected_pod` owning the errors points at that model server.',
          'Is it routing? A 5xx without `model_server` means the router found no ready pod: check `/debug/config_dump/modelservers` on the router\'s port 15000.',
          'Trace one request: filter the stream on its id (`| request_id="<id>"`) to see every line it left.',
          'Compare with the router\'s error-ratio alert: the log counts every failure, the ratio weighs them against traffic.',
        ],
        queries: [
          {
            title: 'Failed requests with their route, pod and error',
            logql: `{namespace="${router.namespace}", app="${ROUTER_APP}", status_class="5xx"} | json | line_format "{{.model_name}} {{.model_server}} {{.selected_pod}} {{.error_type}}: {{.error_message}}"`,
          },
          { title: 'Failed requests by model and error type', logql: `sum by (model, error_type) (count_over_time({namespace="${router.namespace}", app="${ROUTER_APP}", status_class="5xx"}[10m]))` },
        ],
      },
    },
  ],
});
