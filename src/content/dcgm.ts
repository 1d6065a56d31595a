import { promql } from '../model/rules.ts';
import { defineRuleGroup } from '../model/spec.ts';
import { dcgmFbFree, dcgmFbUsed, dcgmGpuTemp, dcgmGpuUtil, dcgmXidErrors } from '../catalog/dcgm.ts';
import { scopeRuleGroup, type ContentScope } from './scope.ts';

const gpu = { gpu: '0', UUID: 'GPU-5f0c1b2e-0000-4000-8000-000000000000', Hostname: 'gpu-node-1', modelName: 'NVIDIA H100 80GB HBM3', namespace: 'inference', pod: 'vllm-0' };

/** GPU health from the DCGM exporter: XID errors, temperature, framebuffer memory, saturation. */
export interface GpuAlertsConfig extends ContentScope {
  /** GPU temperature (°C) above which `GpuTemperatureHigh` warns; GPUs throttle near 90. */
  temperatureCelsius?: number;
  /** Framebuffer share (0..1) above which `GpuMemoryHigh` warns; keep it above vLLM's usual 0.9 claim. */
  memoryRatio?: number;
  /** Sustained utilisation (%) above which `GpuHighUtilization` warns. */
  utilizationPercent?: number;
}

/** Framebuffer of the test GPU (an 80 GB card), in MiB as DCGM reports it. */
const FRAMEBUFFER_MIB = 80000;

export function gpuAlerts(config: GpuAlertsConfig = {}) {
  const { temperatureCelsius = 85, memoryRatio = 0.97, utilizationPercent = 90 } = config;
  // Firing cases sit above the thresholds, halfway to the ceiling when the usual fixture would not.
  const hotCelsius = Math.max(91, temperatureCelsius + 6);
  const fullShare = memoryRatio < 0.99 ? 0.99 : (1 + memoryRatio) / 2;
  const busyPercent = utilizationPercent < 97 ? 97 : (100 + utilizationPercent) / 2;
  return defineRuleGroup(
    scopeRuleGroup(
      {
        name: 'gpu.alerts',
        team: 'gpu-infra',
        service: 'gpu',
        rules: [
          {
            alert: 'GpuXidError',
            expr: promql`max by (Hostname, gpu, UUID, namespace, pod) (${dcgmXidErrors}) > 0`,
            severity: 'critical',
            summary: 'GPU reported an XID error',
            description: 'GPU {{ $labels.gpu }} ({{ $labels.UUID }}) on {{ $labels.Hostname }}, used by {{ $labels.pod }}, reported XID {{ $value }}; check the driver log and drain the node if it repeats.',
            tests: {
              firing: [{ series: [{ metric: dcgmXidErrors, labels: { ...gpu, err_code: '79', err_msg: 'GPU has fallen off the bus' }, value: 79 }], value: 79 }],
              quiet: [{ series: [{ metric: dcgmXidErrors, labels: { ...gpu, err_code: '0', err_msg: 'none' }, value: 0 }] }],
            },
          },
          {
            alert: 'GpuTemperatureHigh',
            expr: promql`max by (Hostname, gpu) (${dcgmGpuTemp}) > ${temperatureCelsius}`,
            for: '5m',
            severity: 'warning',
            summary: `GPU temperature above ${temperatureCelsius} °C`,
            description: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} runs at {{ $value }} °C; it will throttle.',
            tests: {
              firing: [{ series: [{ metric: dcgmGpuTemp, labels: gpu, value: hotCelsius }], value: hotCelsius }],
              quiet: [{ series: [{ metric: dcgmGpuTemp, labels: gpu, value: temperatureCelsius - 21 }] }],
            },
          },
          {
            alert: 'GpuMemoryHigh',
            // vLLM claims 90% of the framebuffer up front (gpu_memory_utilization), so 90% is the normal state of
            // a serving GPU; only the last few percent mean another process is squeezing it.
            expr: promql`max by (Hostname, gpu, namespace, pod) (${dcgmFbUsed} / (${dcgmFbUsed} + ${dcgmFbFree})) > ${memoryRatio}`,
            for: '5m',
            severity: 'warning',
            summary: `GPU framebuffer more than ${Math.round(memoryRatio * 1000) / 10}% used`,
            description: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} (pod {{ $labels.pod }}) has {{ $value | humanizePercentage }} of its memory in use.',
            tests: {
              firing: [{ series: [{ metric: dcgmFbUsed, labels: gpu, value: FRAMEBUFFER_MIB * fullShare }, { metric: dcgmFbFree, labels: gpu, value: FRAMEBUFFER_MIB - FRAMEBUFFER_MIB * fullShare }], value: fullShare }],
              quiet: [{ description: 'vLLM holding its usual 90%', series: [{ metric: dcgmFbUsed, labels: gpu, value: 72450 }, { metric: dcgmFbFree, labels: gpu, value: 7550 }] }],
            },
          },
          {
            alert: 'GpuHighUtilization',
            expr: promql`avg by (Hostname, gpu, namespace, pod) (${dcgmGpuUtil}) > ${utilizationPercent}`,
            for: '15m',
            severity: 'warning',
            summary: `GPU busy above ${utilizationPercent}% for 15 minutes`,
            description: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} (pod {{ $labels.pod }}) is {{ $value }}% utilised; the model may need more replicas.',
            tests: {
              firing: [{ series: [{ metric: dcgmGpuUtil, labels: gpu, value: busyPercent }], value: busyPercent }],
              quiet: [{ series: [{ metric: dcgmGpuUtil, labels: gpu, value: utilizationPercent - 35 }] }],
            },
          },
        ],
      },
      config,
      'alerts',
    ),
  );
}

/** GPU usage per workload pod, the join the GPU and per-model dashboards need. */
export function gpuRecordingRules(config: ContentScope = {}) {
  return defineRuleGroup(
    scopeRuleGroup(
      {
        name: 'gpu.rules',
        rules: [
          {
            record: 'namespace_pod:dcgm_gpu_util:avg',
            expr: promql`avg by (namespace, pod) (${dcgmGpuUtil})`,
            unit: 'percent',
          },
          {
            record: 'namespace_pod:dcgm_fb_used:ratio',
            expr: promql`sum by (namespace, pod) (${dcgmFbUsed}) / sum by (namespace, pod) (${dcgmFbUsed} + ${dcgmFbFree})`,
            unit: 'percentunit',
          },
        ],
      },
      config,
      'rules',
    ),
  );
}
