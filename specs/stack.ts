import { defineStack } from 'infermon';

/**
 * The monitoring stack the output targets: kube-prometheus-stack in `monitoring` with a central Prometheus
 * federating it from plain files, Prometheus 3, infermon's own SLO rules, a Loki configured from files,
 * both log shippers while Promtail is phased out, a blackbox probe of the router's public health endpoint, and
 * traces through an OpenTelemetry Collector into Jaeger.
 */
export const stack = defineStack({
  namespace: 'monitoring',
  targets: { prometheus: ['kube-prometheus-stack', 'plain'], slo: 'native', loki: 'plain', logShippers: ['alloy', 'promtail'] },
  workloadNamespaces: ['kthena-system', 'inference', 'arks-operator-system', 'gpu-operator', 'rag-app', 'moe-router', 'observability'],
  prometheusMajor: 3,
  kubePrometheusStackRelease: 'kube-prometheus-stack',
  selectors: {
    rules: { release: 'kube-prometheus-stack' },
    serviceMonitors: { release: 'kube-prometheus-stack' },
    podMonitors: { release: 'kube-prometheus-stack' },
    probes: { release: 'kube-prometheus-stack' },
    alertmanagerConfigs: { release: 'kube-prometheus-stack' },
  },
  alertmanagerConfigMatcherStrategy: 'None',
  plainPrometheus: {
    staticTargets: { 'kthena-router': ['kthena-router.kthena-system.svc:80'] },
    ruleDir: 'rules',
    federation: { jobName: 'federate-clusters', targets: ['prometheus-lke.external:9090'], scrapeInterval: '1m' },
  },
  probes: [{ name: 'inference-api', url: 'https://inference.example.com/readyz', module: 'http_health' }],
  probing: { exporter: 'prometheus-blackbox-exporter.monitoring.svc:9115', interval: '30s' },
  commonLabels: { 'app.kubernetes.io/part-of': 'infermon' },
  externalLabels: { provider: 'akamai-lke', cluster: 'inference-prod', region: 'us-ord', environment: 'prod' },
  evaluationInterval: '30s',
  alertmanagerUrl: 'http://alertmanager-operated.monitoring.svc:9093',
  lokiUrl: 'http://loki-gateway.monitoring.svc',
  // Jaeger takes OTLP on its collector's 4317; the collector config in out/otel-collector/ sends traces there.
  tracing: {
    backend: 'jaeger',
    queryUrl: 'http://kthena-jaeger-query.observability.svc:16686',
    otlpEndpoint: 'kthena-jaeger-collector.observability.svc:4317',
  },
  runbookBaseUrl: 'https://runbooks.example.com/infermon',
  grafanaUrl: 'https://grafana.example.com',
});
