import { deploySource } from '../../model/spec.ts';
import { kthenaRouter } from '../kthena-router.ts';
import { factsAt, named, type ConfirmedFacts } from './confirmed.ts';

/**
 * The Kthena router as the `kthena` Helm chart (subchart `networking`) deploys it. Port 15000 is no metrics
 * port in any release: from v0.3.0 on it is the debug listener, bound to localhost (`--debug-port`, chart
 * value debugPort), and v0.2.0 has no listener there at all. Released routers serve /metrics on their HTTP
 * port; the main branch moved it to a dedicated listener behind its own Service. The chart sets no `prometheus.io/*` annotations, so a plain
 * Prometheus reaches the router through `stack.plainPrometheus.staticTargets` (the Service, port 80).
 */

/** `main@3cc0572` is the unreleased main branch at commit 3cc057284c34 (2026-08-21). */
export const KTHENA_VERSIONS = ['v0.2.0', 'v0.3.0', 'v0.4.0', 'v1.0.0', 'main@3cc0572'] as const;
export type KthenaVersion = (typeof KTHENA_VERSIONS)[number];

interface RouterFacts {
  serviceLabels: Record<string, string>;
  podLabels: Record<string, string>;
  port: { name: string; number: number };
}

const ROUTER_PODS = { 'app.kubernetes.io/component': 'kthena-router' };

const ROUTER: ReadonlyArray<ConfirmedFacts<KthenaVersion, RouterFacts>> = [
  // volcano-sh/kthena charts/kthena/charts/networking/templates/kthena-router/component/{service,deployment}.yaml
  // at v0.2.0, v0.3.0, v0.4.0 and v1.0.0 (2d67015): Service kthena-router labelled and selecting
  // app.kubernetes.io/component: kthena-router, port name http (80 -> container port http,
  // networking.kthenaRouter.port 8080 in charts/kthena/values.yaml). cmd/kthena-router/app/router.go serves
  // /metrics on that listener; examples/keda-autoscaling/servicemonitor.yaml at v1.0.0 scrapes port http.
  // The webhook Service carries the same labels but names its port webhook, so port http picks one endpoint.
  {
    versions: ['v0.2.0', 'v0.3.0', 'v0.4.0', 'v1.0.0'],
    facts: { serviceLabels: ROUTER_PODS, podLabels: ROUTER_PODS, port: { name: 'http', number: 8080 } },
  },
  // volcano-sh/kthena main at 3cc0572: service.yaml adds Service kthena-router-metrics, labelled
  // app.kubernetes.io/component: kthena-router-metrics, port name metrics (kthenaRouter.metrics.port 9090)
  // to the container port metrics; cmd/kthena-router/app/metrics_server.go listens on :<metrics-port> and
  // --expose-metrics-on-router-port defaults to false in the chart.
  {
    versions: ['main@3cc0572'],
    facts: {
      serviceLabels: { 'app.kubernetes.io/component': 'kthena-router-metrics' },
      podLabels: ROUTER_PODS,
      port: { name: 'metrics', number: 9090 },
    },
  },
];

export interface KthenaRouterOptions {
  version?: KthenaVersion;
  /** The release namespace; the Kthena installation guide uses kthena-system. */
  namespace?: string;
  name?: string;
}

export const kthenaRouterPresets = {
  /** The router of a `helm install kthena oci://ghcr.io/volcano-sh/charts/kthena` release. */
  helmChart(options: KthenaRouterOptions = {}) {
    const { version = 'v1.0.0', namespace = 'kthena-system', name } = options;
    const facts = factsAt('Kthena', ROUTER, version);
    return deploySource(kthenaRouter, { ...named(name), namespace, ...facts, version });
  },
};
