import { deploySource } from '../../model/spec.ts';
import { vllm } from '../vllm.ts';
import { factsAt, named, type ConfirmedFacts } from './confirmed.ts';
import { modelServingPodLabels } from './model-serving.ts';

/**
 * vLLM servers as they are deployed: by the production-stack `vllm-stack` chart, by KServe, by a Kthena
 * ModelServing, or as a plain Deployment. vLLM serves /metrics on its API port in all of them.
 */

export const VLLM_STACK_VERSIONS = ['0.1.10', '0.1.11', '0.1.12'] as const;
export type VllmStackVersion = (typeof VLLM_STACK_VERSIONS)[number];

// vllm-project/production-stack helm/templates/{service-vllm,deployment-vllm-multi,servicemonitor-engine}.yaml
// and _helpers.tpl at tags vllm-stack-0.1.10, -0.1.11, -0.1.12 (66b6066): engine Services and pods carry
// app.kubernetes.io/name (the modelSpec name), app.kubernetes.io/instance (the release),
// app.kubernetes.io/component: serving-engine and app.kubernetes.io/part-of: vllm-stack; the Service port
// is named service-port (servingEngineSpec.servicePort, 80, to the container port container-port, 8000);
// the chart's own engine ServiceMonitor selects instance, component and part-of. vllm-stack-0.1.9 and
// earlier label the Service only with servingEngineSpec.labels, so they are not offered.
const VLLM_STACK: ReadonlyArray<ConfirmedFacts<VllmStackVersion, { partOf: string; servicePort: string; containerPort: number }>> = [
  { versions: VLLM_STACK_VERSIONS, facts: { partOf: 'vllm-stack', servicePort: 'service-port', containerPort: 8000 } },
];

export const KSERVE_VERSIONS = ['v0.20.0'] as const;
export type KserveVersion = (typeof KSERVE_VERSIONS)[number];

// kserve/kserve v0.20.0, Standard (raw Deployment) mode: components/predictor.go labels the predictor's
// Deployment, pods and Service with serving.kserve.io/inferenceservice: <isvc> and component: predictor;
// constants.PredictorServiceName names them <isvc>-predictor; reconcilers/service/service_reconciler.go
// names the Service port after the component (<isvc>-predictor, port 80 to 8080) when the runtime
// container declares no port, as config/runtimes/kserve-vllmserver.yaml does (vLLM on --port=8080).
// KServe's scraping switch (serving.kserve.io/enable-prometheus-scraping) sets prometheus.io/port and
// prometheus.io/path on the pods but never prometheus.io/scrape, so a plain Prometheus needs that
// annotation added. Serverless (Knative) mode fronts the pod with queue-proxy and is not covered.
const KSERVE: ReadonlyArray<ConfirmedFacts<KserveVersion, { isvcLabel: string; component: string; containerPort: number }>> = [
  { versions: KSERVE_VERSIONS, facts: { isvcLabel: 'serving.kserve.io/inferenceservice', component: 'predictor', containerPort: 8080 } },
];

// vllm-project/vllm docs/deployment/k8s.md at commit 051f9b8 (the stored copy read; no release tag was
// confirmed): the GPU example labels Deployment and pods app: <name> and exposes containerPort 8000 without
// a port name, so a PodMonitor needs the port named in the pod template (`name: http`).
const PLAIN_DEPLOYMENT = { containerPort: 8000 };

// volcano-sh/kthena v1.0.0 examples/model-serving/gpu-kvcache-aware.yaml runs vLLM with --port 8000 and
// declares no container port: name it for the PodMonitor.
const KTHENA_MODEL_SERVING = { containerPort: 8000 };

export interface VllmStackOptions {
  version?: VllmStackVersion;
  /** Helm release name; the production-stack tutorials install release vllm. */
  release?: string;
  /** One modelSpec name, to scrape only that model's engines; all of the release's otherwise. */
  model?: string;
  namespace?: string;
  name?: string;
}

export interface KserveOptions {
  version?: KserveVersion;
  /** The InferenceService's name. */
  inferenceService: string;
  namespace?: string;
  name?: string;
}

export interface PodTemplateOptions {
  namespace?: string;
  /** The name given to the server's container port in the pod template. */
  portName?: string;
  name?: string;
}

export const vllmPresets = {
  /** Engines of a production-stack `vllm-stack` release, through the engine Services. */
  productionStack(options: VllmStackOptions = {}) {
    const { version = '0.1.12', release = 'vllm', model, namespace = 'default', name } = options;
    const facts = factsAt('vllm-stack', VLLM_STACK, version);
    const labels = {
      'app.kubernetes.io/instance': release,
      'app.kubernetes.io/component': 'serving-engine',
      'app.kubernetes.io/part-of': facts.partOf,
      ...(model ? { 'app.kubernetes.io/name': model } : {}),
    };
    return deploySource(vllm, {
      ...named(name),
      namespace,
      serviceLabels: labels,
      podLabels: labels,
      port: { name: facts.servicePort, number: facts.containerPort },
    });
  },

  /** The predictor of a KServe InferenceService running the vLLM runtime in Standard mode. */
  kserve(options: KserveOptions) {
    const { version = 'v0.20.0', inferenceService, namespace = 'default', name } = options;
    const facts = factsAt('KServe', KSERVE, version);
    const labels = { [facts.isvcLabel]: inferenceService, component: facts.component };
    return deploySource(vllm, {
      ...named(name),
      namespace,
      serviceLabels: labels,
      podLabels: labels,
      port: { name: `${inferenceService}-${facts.component}`, number: facts.containerPort },
    });
  },

  /** The entry pods of a Kthena ModelServing whose containers run vLLM. */
  kthenaModelServing(options: PodTemplateOptions & { modelServing: string }) {
    const { modelServing, namespace = 'default', portName = 'http', name } = options;
    return deploySource(vllm, {
      ...named(name),
      namespace,
      podLabels: modelServingPodLabels(modelServing),
      port: { name: portName, number: KTHENA_MODEL_SERVING.containerPort },
    });
  },

  /** A Deployment written after vLLM's Kubernetes guide, its pods labelled `app: <app>`. */
  deployment(options: PodTemplateOptions & { app: string }) {
    const { app, namespace = 'default', portName = 'http', name } = options;
    return deploySource(vllm, {
      ...named(name),
      namespace,
      podLabels: { app },
      port: { name: portName, number: PLAIN_DEPLOYMENT.containerPort },
    });
  },
};
