import { defineRuleGroup, promql } from 'infermon';
import { dcgmFbFree, dcgmFbUsed, dcgmGpuTemp, dcgmGpuUtil, dcgmXidErrors } from 'infermon/catalog/dcgm';

const gpu = { gpu: '0', UUID: 'GPU-5f0c1b2e-0000-4000-8000-000000000000', Hostname: 'gpu-node-1', modelName: 'NVIDIA H100 80GB HBM3', namespace: 'inference', pod: 'vllm-0' };

/** GPU health from the DCGM exporter: XID errors, temperature, framebuffer memory, saturation. */
export const gpuAlerts = defineRuleGroup({
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
      expr: promql`max by (Hostname, gpu) (${dcgmGpuTemp}) > 85`,
      for: '5m',
      severity: 'warning',
      summary: 'GPU temperature above 85 °C',
      description: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} runs at {{ $value }} °C; it will throttle.',
      tests: {
        firing: [{ series: [{ metric: dcgmGpuTemp, labels: gpu, value: 91 }], value: 91 }],
        quiet: [{ series: [{ metric: dcgmGpuTemp, labels: gpu, value: 64 }] }],
      },
    },
    {
      alert: 'GpuMemoryHigh',
      // vLLM claims 90% of the framebuffer up front (gpu_memory_utilization), so 90% is the normal state of
      // a serving GPU; only the last few percent mean another process is squeezing it.
      expr: promql`max by (Hostname, gpu, namespace, pod) (${dcgmFbUsed} / (${dcgmFbUsed} + ${dcgmFbFree})) > 0.97`,
      for: '5m',
      severity: 'warning',
      summary: 'GPU framebuffer more than 97% used',
      description: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} (pod {{ $labels.pod }}) has {{ $value | humanizePercentage }} of its memory in use.',
      tests: {
        firing: [{ series: [{ metric: dcgmFbUsed, labels: gpu, value: 79200 }, { metric: dcgmFbFree, labels: gpu, value: 800 }], value: 0.99 }],
        quiet: [{ description: 'vLLM holding its usual 90%', series: [{ metric: dcgmFbUsed, labels: gpu, value: 72450 }, { metric: dcgmFbFree, labels: gpu, value: 7550 }] }],
      },
    },
    {
      alert: 'GpuHighUtilization',
      expr: promql`avg by (Hostname, gpu, namespace, pod) (${dcgmGpuUtil}) > 90`,
      for: '15m',
      severity: 'warning',
      summary: 'GPU busy above 90% for 15 minutes',
      description: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} (pod {{ $labels.pod }}) is {{ $value }}% utilised; the model may need more replicas.',
      tests: {
        firing: [{ series: [{ metric: dcgmGpuUtil, labels: gpu, value: 97 }], value: 97 }],
        quiet: [{ series: [{ metric: dcgmGpuUtil, labels: gpu, value: 55 }] }],
      },
    },
  ],
});
