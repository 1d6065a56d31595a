import { defineRouting } from 'infermon';

/**
 * Alert routing: critical alerts page the on-call rotation and go to the incident bridge, every alert
 * reaches its owning team's channel (Slack, or Teams for ML ops), and the GPU team's critical alerts page
 * its own Opsgenie schedule as well. A critical alert silences the warning of the same alert and
 * service, a router that is down silences its own latency and error alerts (they read the metrics it
 * no longer serves), a GPU fault under a model's pod silences that model's time-to-first-token alert,
 * and an SLO's fast-burn page silences its slow-burn page for the same SLO and model (the slow tier would
 * only repeat it). The model team's channel is muted during its weekly rollout window; pages still go out.
 * Credentials come from Secrets in the stack namespace, never from this file.
 */
export const routing = defineRouting({
  global: {
    resolveTimeout: '5m',
    smtp: {
      smarthost: 'smtp.example.com:587',
      from: 'alerts@example.com',
      authUsername: 'alerts@example.com',
      authPassword: { secret: { name: 'alertmanager-smtp', key: 'password' } },
    },
  },
  receivers: [
    { name: 'ops-default', email: [{ to: 'ops-team@example.com' }] },
    { name: 'oncall-pagerduty', pagerduty: [{ routingKey: { secret: { name: 'alertmanager-pagerduty', key: 'routing-key' } }, severity: 'critical' }] },
    { name: 'incident-bridge', webhook: [{ url: 'http://incident-bridge.monitoring.svc:8080/alerts', maxAlerts: 20 }] },
    { name: 'inference-platform-slack', slack: [{ apiUrl: { secret: { name: 'alertmanager-slack', key: 'inference-platform' } }, channel: '#inference-platform' }] },
    { name: 'inference-runtime-slack', slack: [{ apiUrl: { secret: { name: 'alertmanager-slack', key: 'inference-runtime' } }, channel: '#inference-runtime' }] },
    { name: 'rag-app-slack', slack: [{ apiUrl: { secret: { name: 'alertmanager-slack', key: 'rag-app' } }, channel: '#rag-app' }] },
    { name: 'moe-research-slack', slack: [{ apiUrl: { secret: { name: 'alertmanager-slack', key: 'moe-research' } }, channel: '#moe-research' }] },
    { name: 'ml-ops-teams', msteams: [{ webhookUrl: { secret: { name: 'alertmanager-msteams', key: 'ml-ops' } } }] },
    { name: 'gpu-infra-slack', slack: [{ apiUrl: { secret: { name: 'alertmanager-slack', key: 'gpu-infra' } }, channel: '#gpu-infra' }] },
    {
      name: 'gpu-infra-page',
      opsgenie: [
        {
          apiKey: { secret: { name: 'alertmanager-opsgenie', key: 'api-key' } },
          apiUrl: 'https://api.eu.opsgenie.com/',
          responders: [{ type: 'schedule', name: 'gpu-infra-oncall' }],
          priority: 'P2',
          tags: ['gpu', 'inference'],
        },
      ],
      slack: [{ apiUrl: { secret: { name: 'alertmanager-slack', key: 'gpu-infra' } }, channel: '#gpu-infra' }],
    },
    { name: 'gpu-infra-email', email: [{ to: 'gpu-infra@example.com' }] },
  ],
  route: {
    receiver: 'ops-default',
    groupBy: ['alertname', 'cluster', 'service'],
    groupWait: '30s',
    groupInterval: '5m',
    repeatInterval: '4h',
    routes: [
      { matchers: ['severity="critical"'], receiver: 'oncall-pagerduty', groupWait: '10s', repeatInterval: '1h', continue: true },
      { matchers: ['severity="critical"'], receiver: 'incident-bridge', continue: true },
      { matchers: ['team="inference-platform"'], receiver: 'inference-platform-slack' },
      { matchers: ['team="inference-runtime"'], receiver: 'inference-runtime-slack' },
      { matchers: ['team="rag-app"'], receiver: 'rag-app-slack' },
      { matchers: ['team="moe-research"'], receiver: 'moe-research-slack' },
      { matchers: ['team="ml-ops"'], receiver: 'ml-ops-teams', muteTimeIntervals: ['model-rollout'] },
      {
        matchers: ['team="gpu-infra"'],
        receiver: 'gpu-infra-slack',
        routes: [
          { matchers: ['severity="critical"'], receiver: 'gpu-infra-page' },
          { matchers: ['severity="warning"'], receiver: 'gpu-infra-email', activeTimeIntervals: ['business-hours'] },
        ],
      },
    ],
  },
  inhibitRules: [
    { sourceMatchers: ['severity="critical"'], targetMatchers: ['severity="warning"'], equal: ['alertname', 'service'] },
    {
      sourceMatchers: ['alertname="KthenaRouterDown"'],
      targetMatchers: ['alertname=~"KthenaRouterHighErrorRatio|KthenaRouterHighLatencyP99"'],
      equal: ['cluster', 'service'],
    },
    {
      // A faulty GPU under a model's pod explains the model's slow first tokens: the GPU team gets the
      // cause (naming the model), the runtime team no symptom. The goodput SLO still pages.
      sourceMatchers: ['alertname=~"GpuFaultUnderModel|GpuThermalThrottleUnderModel"'],
      targetMatchers: ['alertname="VllmHighTimeToFirstToken"'],
      equal: ['cluster', 'model_name'],
    },
    {
      // A GPU that needs a reset pages; the warning about its new XID would only repeat it.
      sourceMatchers: ['alertname="GpuNeedsReset"'],
      targetMatchers: ['alertname="GpuXidError"'],
      equal: ['cluster', 'Hostname', 'gpu'],
    },
    { sourceMatchers: ['slo_tier="page-fast"'], targetMatchers: ['slo_tier="page-slow"'], equal: ['sloth_id', 'model'] },
  ],
  timeIntervals: [
    {
      name: 'business-hours',
      intervals: [{ weekdays: ['monday:friday'], times: [{ start: '08:00', end: '18:00' }], location: 'UTC' }],
    },
    {
      name: 'model-rollout',
      intervals: [{ weekdays: ['tuesday'], times: [{ start: '06:00', end: '08:00' }], location: 'UTC' }],
    },
  ],
});
