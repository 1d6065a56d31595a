import { describe, expect, it } from 'vitest';
import { presets } from '../../src/catalog/presets.ts';
import type { Source } from '../../src/model/catalog.ts';
import { droppedTargetsDiagnosis, metaName } from '../../src/verify/dropped-targets.ts';
import type { DroppedTarget } from '../../src/verify/prometheus-api.ts';

/**
 * Why a job has no target: the targets discovery found in the source's namespace and relabelling dropped,
 * told apart by what the specs select (labels) and where they scrape (the port name).
 */

const source = (deployed: { spec: unknown }) => deployed.spec as Source;
const ragVllm = source(presets.vllm.deployment({ name: 'rag-vllm', namespace: 'rag-app', app: 'rag-app-vllm', portName: 'metrics' }));
const dcgm = source(presets.dcgm.gpuOperator());

function pod(namespace: string, name: string, labels: Record<string, string>, portName: string): DroppedTarget {
  const discoveredLabels: Record<string, string> = {
    __address__: `10.0.0.1:8000`,
    __meta_kubernetes_namespace: namespace,
    __meta_kubernetes_pod_name: name,
    __meta_kubernetes_pod_container_port_name: portName,
  };
  for (const [k, v] of Object.entries(labels)) discoveredLabels[`__meta_kubernetes_pod_label_${metaName(k)}`] = v;
  return { discoveredLabels };
}

describe('droppedTargetsDiagnosis', () => {
  it('names the port names the selected pods declare when none is the one the specs scrape', () => {
    const dropped = [
      pod('rag-app', 'rag-vllm-0', { app: 'rag-app-vllm' }, 'http'),
      pod('rag-app', 'rag-vllm-1', { app: 'rag-app-vllm' }, 'http'),
      pod('rag-app', 'rag-vllm-1', { app: 'rag-app-vllm' }, 'grpc'),
      pod('serving', 'other-0', { app: 'rag-app-vllm' }, 'metrics'),
    ];
    expect(droppedTargetsDiagnosis(ragVllm, dropped)).toBe(
      'discovery found 2 pod(s) labelled app=rag-app-vllm in namespace rag-app, but their ports are named grpc, http, none metrics: ' +
        "set the source's port name to the one its pods declare",
    );
  });

  it('says which label values the namespace holds when no pod carries the selected ones', () => {
    const dropped = [pod('rag-app', 'rag-0', { app: 'rag-vllm' }, 'metrics'), pod('rag-app', 'redis-0', { tier: 'cache' }, 'redis')];
    expect(droppedTargetsDiagnosis(ragVllm, dropped)).toBe(
      'discovery found 2 target(s) in namespace rag-app, none a pod labelled app=rag-app-vllm (app is rag-vllm): fix the labels the specs select',
    );
  });

  it('blames the relabelings when labels and port name match', () => {
    expect(droppedTargetsDiagnosis(ragVllm, [pod('rag-app', 'rag-vllm-0', { app: 'rag-app-vllm' }, 'metrics')])).toMatch(
      /with a port named metrics, and relabelling dropped them: check the monitor's relabelings$/,
    );
  });

  it('says nothing when discovery saw nothing of the namespace', () => {
    expect(droppedTargetsDiagnosis(ragVllm, [pod('serving', 'x-0', { app: 'rag-app-vllm' }, 'http')])).toBeUndefined();
  });

  it('reads Service labels and endpoint port names for sources behind a Service', () => {
    const k8s = dcgm.kubernetes!;
    const labels: Record<string, string> = { __meta_kubernetes_namespace: k8s.namespace, __meta_kubernetes_service_name: 'nvidia-dcgm-exporter', __meta_kubernetes_endpoint_port_name: 'metrics' };
    for (const [k, v] of Object.entries(k8s.serviceLabels!)) labels[`__meta_kubernetes_service_label_${metaName(k)}`] = v;
    expect(droppedTargetsDiagnosis(dcgm, [{ discoveredLabels: labels }])).toMatch(
      new RegExp(`^discovery found 1 Service\\(s\\) labelled .* in namespace ${k8s.namespace}, but their ports are named metrics, none ${dcgm.port.name}:`),
    );
  });
});
