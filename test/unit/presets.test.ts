import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterScrapeJob } from '../../generators/prometheus/config.ts';
import { presets } from '../../src/catalog/presets.ts';
import { sourceSpecSchema } from '../../src/model/catalog.ts';
import type { Plan } from '../../src/plan/index.ts';
import { monitorObjects, type MonitorObject } from '../../src/model/monitors.ts';
import { buildModel, checkModel } from '../../src/pipeline.ts';
import { specFixture } from '../support/spec-fixture.ts';

/**
 * Each preset, declared in a spec file as a user declares it, goes through the pipeline; the monitors it
 * yields must select what the upstream chart renders at the recorded release (the expected values below
 * are those facts, read from the charts named next to each preset).
 */
const deployments = `
import { presets } from 'infermon/catalog/presets';

export const gpuOperator = presets.dcgm.gpuOperator();
export const dcgmChart = presets.dcgm.standaloneChart({ name: 'dcgm-chart', release: 'gpu-telemetry', namespace: 'gpu-monitoring' });
export const routerV1 = presets.kthenaRouter.helmChart({ version: 'v1.0.0' });
export const routerV02 = presets.kthenaRouter.helmChart({ version: 'v0.2.0', name: 'kthena-router-old', namespace: 'kthena-old' });
export const routerMain = presets.kthenaRouter.helmChart({ version: 'main@3cc0572', name: 'kthena-router-next', namespace: 'kthena-next' });
export const vllmStack = presets.vllm.productionStack({ name: 'vllm-stack', model: 'llama3' });
// A Service port may be named up to 63 characters, so a long InferenceService name stays valid.
export const [kserveChat, kserveSummaries] = ['chat', 'summarization'].map((isvc) =>
  presets.vllm.kserve({ name: \`vllm-\${isvc}\`, inferenceService: isvc, namespace: \`models-\${isvc}\` }),
);
export const vllmModelServing = presets.vllm.kthenaModelServing({ name: 'vllm-ms', modelServing: 'vllm-qwen-06b' });
export const vllmPlain = presets.vllm.deployment({ name: 'vllm-plain', app: 'mistral-7b', namespace: 'inference' });
export const sglangPlain = presets.sglang.deployment({ name: 'sglang-plain', app: 'meta-llama-31-8b-instruct-sglang', namespace: 'inference' });
export const sglangModelServing = presets.sglang.kthenaModelServing({ name: 'sglang-ms', modelServing: 'sglang-qwen-06b' });
export const ksm = presets.kubePrometheusStack.kubeStateMetrics();
export const arksVllm = presets.arks.runtime({ namespace: 'apps' });
export const arksSglang = presets.arks.runtime({ runtime: 'sglang', namespace: 'apps' });
export const kubelet = presets.kubePrometheusStack.cadvisor();
`;

let model: Plan;
let specs: string;
const checkCodes: string[] = [];

beforeAll(async () => {
  specs = specFixture({ 'deployments.ts': deployments }, { withCatalog: false });
  const built = await buildModel(specs, specs);
  if (!built.model) throw new Error(built.diagnostics.items.map((d) => `${d.code}: ${d.message}`).join('\n'));
  model = built.model;
  checkCodes.push(...checkModel(model, built.diagnostics).errors.map((d) => `${d.code} ${d.path}: ${d.message}`));
});
afterAll(() => rmSync(specs, { recursive: true, force: true }));

function monitorOf(source: string): MonitorObject {
  const found = monitorObjects(model.scrapeTargets, model.stack.value).find((m) => m.target.source.name === source);
  if (!found) throw new Error(`no monitor for ${source}`);
  return found.object;
}

/** What a monitor selects: kind, labels, namespace, port name, and the job it pins. */
function selection(source: string) {
  const object = monitorOf(source);
  const endpoints = (object.spec.endpoints ?? object.spec.podMetricsEndpoints) as Array<Record<string, unknown>>;
  return {
    kind: object.kind,
    matchLabels: (object.spec.selector as { matchLabels: Record<string, string> }).matchLabels,
    namespaces: (object.spec.namespaceSelector as { matchNames: string[] }).matchNames,
    port: endpoints[0]!.port,
    path: endpoints[0]!.path,
    job: (endpoints[0]!.relabelings as Array<{ replacement: string }>)[0]!.replacement,
  };
}

describe('presets through the pipeline', () => {
  it('check without errors', () => {
    expect(checkCodes).toEqual([]);
  });

  it('GPU Operator v26.7.0: Service app=nvidia-dcgm-exporter, port gpu-metrics, namespace gpu-operator', () => {
    expect(selection('dcgm')).toEqual({
      kind: 'ServiceMonitor',
      matchLabels: { app: 'nvidia-dcgm-exporter' },
      namespaces: ['gpu-operator'],
      port: 'gpu-metrics',
      path: '/metrics',
      job: 'dcgm-exporter',
    });
  });

  it('GPU Operator: a plain Prometheus finds the annotated Service, not the pods', () => {
    const target = model.scrapeTargets.find((t) => t.source.name === 'dcgm')!;
    const job = clusterScrapeJob(target, model.stack.value) as { kubernetes_sd_configs: Array<{ role: string }>; relabel_configs: Array<Record<string, unknown>> };
    expect(job.kubernetes_sd_configs[0]!.role).toBe('endpoints');
    expect(job.relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_service_annotation_prometheus_io_scrape'], action: 'keep', regex: 'true' });
    expect(job.relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_service_label_app'], action: 'keep', regex: 'nvidia-dcgm-exporter' });
    expect(job.relabel_configs).toContainEqual({ source_labels: ['__meta_kubernetes_endpoint_port_name'], action: 'keep', regex: 'gpu-metrics' });
    expect(JSON.stringify(job)).not.toContain('pod_annotation');
  });

  it('dcgm-exporter chart 4.5.3-4.8.2: the chart name and release labels, port metrics', () => {
    expect(selection('dcgm-chart')).toEqual({
      kind: 'ServiceMonitor',
      matchLabels: { 'app.kubernetes.io/component': 'dcgm-exporter', 'app.kubernetes.io/instance': 'gpu-telemetry', 'app.kubernetes.io/name': 'dcgm-exporter' },
      namespaces: ['gpu-monitoring'],
      port: 'metrics',
      path: '/metrics',
      job: 'dcgm-chart',
    });
  });

  it('Kthena v1.0.0 and v0.2.0: the router Service by component label, HTTP port (not the localhost debug port 15000)', () => {
    const v1 = selection('kthena-router');
    expect(v1).toEqual({
      kind: 'ServiceMonitor',
      matchLabels: { 'app.kubernetes.io/component': 'kthena-router' },
      namespaces: ['kthena-system'],
      port: 'http',
      path: '/metrics',
      job: 'kthena-router',
    });
    expect(selection('kthena-router-old')).toEqual({ ...v1, namespaces: ['kthena-old'], job: 'kthena-router-old' });
  });

  it('Kthena main@3cc0572: the dedicated metrics Service and port', () => {
    expect(selection('kthena-router-next')).toEqual({
      kind: 'ServiceMonitor',
      matchLabels: { 'app.kubernetes.io/component': 'kthena-router-metrics' },
      namespaces: ['kthena-next'],
      port: 'metrics',
      path: '/metrics',
      job: 'kthena-router-next',
    });
  });

  it('vllm-stack 0.1.12: the engine Services of the release and model, port service-port', () => {
    expect(selection('vllm-stack')).toEqual({
      kind: 'ServiceMonitor',
      matchLabels: {
        'app.kubernetes.io/component': 'serving-engine',
        'app.kubernetes.io/instance': 'vllm',
        'app.kubernetes.io/name': 'llama3',
        'app.kubernetes.io/part-of': 'vllm-stack',
      },
      namespaces: ['default'],
      port: 'service-port',
      path: '/metrics',
      job: 'vllm-stack',
    });
  });

  it('KServe v0.20.0: one monitor per InferenceService, its predictor Service port', () => {
    for (const isvc of ['chat', 'summarization'])
      expect(selection(`vllm-${isvc}`)).toEqual({
        kind: 'ServiceMonitor',
        matchLabels: { component: 'predictor', 'serving.kserve.io/inferenceservice': isvc },
        namespaces: [`models-${isvc}`],
        port: `${isvc}-predictor`,
        path: '/metrics',
        job: `vllm-${isvc}`,
      });
  });

  it('Kthena ModelServing v1.0.0: the entry pods of the ModelServing, for vLLM and SGLang', () => {
    for (const [source, modelServing] of [['vllm-ms', 'vllm-qwen-06b'], ['sglang-ms', 'sglang-qwen-06b']] as const)
      expect(selection(source)).toEqual({
        kind: 'PodMonitor',
        matchLabels: { 'modelserving.volcano.sh/entry': 'true', 'modelserving.volcano.sh/name': modelServing },
        namespaces: ['default'],
        port: 'http',
        path: '/metrics',
        job: source,
      });
  });

  it('plain Deployments after the vLLM and SGLang manifests: pods by app label', () => {
    expect(selection('vllm-plain')).toMatchObject({ kind: 'PodMonitor', matchLabels: { app: 'mistral-7b' }, namespaces: ['inference'], port: 'http' });
    expect(selection('sglang-plain')).toMatchObject({ kind: 'PodMonitor', matchLabels: { app: 'meta-llama-31-8b-instruct-sglang' }, port: 'http' });
    const ports = Object.fromEntries(model.catalog.sources.map((s) => [s.name, s.port.number]));
    expect([ports['vllm-plain'], ports['sglang-plain'], ports['vllm-ms'], ports['sglang-ms']]).toEqual([8000, 30000, 8000, 30000]);
  });

  it('Arks main@e1732a9: the application Services the operator labels for discovery, port http, per runtime', () => {
    for (const source of ['arks-vllm', 'arks-sglang'])
      expect(selection(source)).toEqual({
        kind: 'ServiceMonitor',
        matchLabels: { 'managed-by': 'arks', 'prometheus-discovery': 'true' },
        namespaces: ['apps'],
        port: 'http',
        path: '/metrics',
        job: source,
      });
    const arks = (name: string) => model.catalog.source(name)!;
    expect(arks('arks-vllm').metrics.map((m) => m.name)).toContain('vllm:time_to_first_token_seconds');
    expect(arks('arks-sglang').metrics.map((m) => m.name).some((n) => n.startsWith('sglang:'))).toBe(true);
    expect([arks('arks-vllm').port.number, arks('arks-vllm').kubernetes?.podLabels]).toEqual([8080, { 'arks.ai/work-load-role': 'leader' }]);
  });

  it('kube-prometheus-stack 88.5.3: no monitor of ours, the jobs and targets of the chart', () => {
    const platform = new Set(['kube-state-metrics', 'cadvisor']);
    expect(monitorObjects(model.scrapeTargets, model.stack.value).filter((m) => platform.has(m.target.source.name))).toEqual([]);
    const ksm = model.catalog.source('kube-state-metrics')!;
    expect({ job: ksm.job, port: ksm.port, k8s: ksm.kubernetes }).toEqual({
      job: 'kube-state-metrics',
      port: { name: 'http', number: 8080 },
      k8s: expect.objectContaining({
        namespace: 'monitoring',
        serviceLabels: { 'app.kubernetes.io/instance': 'kube-prometheus-stack', 'app.kubernetes.io/name': 'kube-state-metrics' },
        honorLabels: true,
      }),
    });
    const kubelet = model.catalog.source('cadvisor')!;
    expect({ job: kubelet.job, port: kubelet.port, path: kubelet.path, namespace: kubelet.kubernetes?.namespace, labels: kubelet.kubernetes?.serviceLabels }).toEqual({
      job: 'kubelet',
      port: { name: 'https-metrics', number: 10250 },
      path: '/metrics/cadvisor',
      namespace: 'kube-system',
      labels: { 'app.kubernetes.io/name': 'kubelet', 'k8s-app': 'kubelet' },
    });
  });
});

describe('preset versions', () => {
  it('refuses a release nobody checked, naming the ones that were', () => {
    expect(() => presets.kthenaRouter.helmChart({ version: 'v2.0.0' as never })).toThrow(/Kthena v2.0.0 .*confirmed releases: v0.2.0, v0.3.0, v0.4.0, v1.0.0, main@3cc0572/);
  });

  it('Service annotations without Service labels are refused by the schema', () => {
    const spec = { ...presets.vllm.deployment({ app: 'x' }).spec, kubernetes: { namespace: 'x', podLabels: { app: 'x' }, annotationsOn: 'service' } };
    expect(sourceSpecSchema.safeParse(spec).error?.issues[0]?.path).toEqual(['kubernetes', 'serviceLabels']);
  });
});
