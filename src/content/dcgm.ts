import { z } from 'zod';
import { promql } from '../model/rules.ts';
import { defineRuleGroup } from '../model/spec.ts';
import { dcgm, dcgmFbFree, dcgmFbUsed, dcgmGpuTemp, dcgmGpuUtil, dcgmPowerUsage, dcgmSmClock, dcgmXidErrors } from '../catalog/dcgm.ts';
import { scopeRuleGroup, type AlertScope, type ContentScope } from './scope.ts';
import { alertScopeFields, celsiusOption, contentFactory, contentScopeSchema, percentOption, ratioOption } from './options.ts';
import { durationSchema } from '../model/duration.ts';

const gpu = { gpu: '0', UUID: 'GPU-5f0c1b2e-0000-4000-8000-000000000000', Hostname: 'gpu-node-1', modelName: 'NVIDIA H100 80GB HBM3', namespace: 'inference', pod: 'vllm-0' };

/** GPU health from the DCGM exporter: XID errors, temperature, framebuffer memory, saturation. */
export interface GpuAlertsConfig extends AlertScope {
  /** GPU temperature (°C) above which `GpuTemperatureHigh` warns; GPUs throttle near 90. */
  temperatureCelsius?: number;
  /** Framebuffer share (0..1) above which `GpuMemoryHigh` warns; keep it above vLLM's usual 0.9 claim. */
  memoryRatio?: number;
  /** Sustained utilisation (%) above which `GpuHighUtilization` warns. */
  utilizationPercent?: number;
  /**
   * How long `GpuXidError` fires after a GPU's XID changes. DCGM reports the last XID until the driver
   * reloads, so a new fault is a change of that value, not the value itself.
   */
  xidWindow?: string;
  /**
   * XIDs after which the GPU is unusable until it is reset or the node rebooted (NVIDIA's Xid catalog:
   * double-bit ECC, failed page retirement, NVLink, fallen off the bus, uncontained ECC). `GpuNeedsReset`
   * fires for as long as one of them is the GPU's last XID.
   */
  resetXids?: readonly number[];
}

/** The framebuffer share vLLM claims up front (its default `gpu_memory_utilization`): a serving GPU's normal state. */
const VLLM_SHARE = 0.9;

const gpuAlertsConfigSchema = z.strictObject({
  ...alertScopeFields,
  temperatureCelsius: celsiusOption.optional(),
  // Below vLLM's own claim the alert would fire on every serving GPU.
  memoryRatio: ratioOption.gt(VLLM_SHARE).describe(`a ratio above vLLM's usual claim of ${VLLM_SHARE}: 0.97 is 97%`).optional(),
  utilizationPercent: percentOption.optional(),
  xidWindow: durationSchema.optional(),
  resetXids: z.array(z.number().int().positive()).min(1).readonly().optional(),
});

/** Framebuffer of the test GPU (an 80 GB card), in MiB as DCGM reports it. */
const FRAMEBUFFER_MIB = 80000;

export const gpuAlerts = contentFactory('gpuAlerts', gpuAlertsConfigSchema, (config: GpuAlertsConfig) => {
  const { temperatureCelsius = 85, memoryRatio = 0.97, utilizationPercent = 90, xidWindow = '15m', resetXids = [48, 64, 74, 79, 95] } = config;
  const byGpu = 'Hostname, gpu, UUID, namespace, pod';
  const noXid = { err_code: '0', err_msg: 'none' };
  const fellOff = { err_code: '79', err_msg: 'GPU has fallen off the bus' };
  const pageFault = { err_code: '31', err_msg: 'GPU memory page fault' };
  // Firing cases sit above the thresholds, halfway to the ceiling when the usual fixture would not.
  const hotCelsius = Math.max(91, temperatureCelsius + 6);
  const fullShare = memoryRatio < 0.99 ? 0.99 : (1 + memoryRatio) / 2;
  const busyPercent = utilizationPercent < 97 ? 97 : (100 + utilizationPercent) / 2;
  const runbooks = gpuRunbooks(exporterPods(config), resetXids);
  return defineRuleGroup(
    scopeRuleGroup(
      {
        name: 'gpu.alerts',
        team: 'gpu-infra',
        service: 'gpu',
        dashboard: 'gpu',
        rules: [
          {
            alert: 'GpuXidError',
            // dcgm-exporter labels the series with the code, so a new XID is a second series of the GPU within
            // the window; `changes` covers an exporter that keeps one series per GPU.
            expr: promql`max by (${byGpu}) (${dcgmXidErrors}) > 0 and on (${byGpu}) (count by (${byGpu}) (last_over_time(${dcgmXidErrors}[${xidWindow}])) > 1 or max by (${byGpu}) (changes(${dcgmXidErrors}[${xidWindow}])) > 0)`,
            severity: 'warning',
            summary: 'GPU raised a new XID error',
            description: 'GPU {{ $labels.gpu }} ({{ $labels.UUID }}) on {{ $labels.Hostname }}, used by {{ $labels.pod }}, raised XID {{ $value }} in the last ' + xidWindow + '; check the driver log and drain the node if it repeats.',
            runbook: runbooks.GpuXidError,
            tests: {
              firing: [
                {
                  description: 'XID 79 replaces no XID',
                  series: [
                    { metric: dcgmXidErrors, labels: { ...gpu, ...noXid }, values: '0x5' },
                    { metric: dcgmXidErrors, labels: { ...gpu, ...fellOff }, values: '_x5 79x5' },
                  ],
                  value: 79,
                },
              ],
              quiet: [
                { description: 'an old XID the exporter keeps reporting', series: [{ metric: dcgmXidErrors, labels: { ...gpu, ...pageFault }, value: 31 }] },
                { description: 'no XID', series: [{ metric: dcgmXidErrors, labels: { ...gpu, ...noXid }, value: 0 }] },
              ],
            },
          },
          {
            alert: 'GpuNeedsReset',
            expr: promql`max by (${byGpu}) (${dcgmXidErrors}{err_code=~"${resetXids.join('|')}"}) > 0`,
            severity: 'critical',
            summary: 'GPU is unusable until it is reset',
            description: 'GPU {{ $labels.gpu }} ({{ $labels.UUID }}) on {{ $labels.Hostname }}, used by {{ $labels.pod }}, last reported XID {{ $value }}, after which it serves nothing until it is reset; drain the node.',
            runbook: runbooks.GpuNeedsReset,
            tests: {
              firing: [{ description: 'XID 79, however old', series: [{ metric: dcgmXidErrors, labels: { ...gpu, ...fellOff }, value: 79 }], value: 79 }],
              quiet: [{ description: 'an application XID', series: [{ metric: dcgmXidErrors, labels: { ...gpu, ...pageFault }, value: 31 }] }],
            },
          },
          {
            alert: 'GpuTemperatureHigh',
            expr: promql`max by (Hostname, gpu) (${dcgmGpuTemp}) > ${temperatureCelsius}`,
            for: '5m',
            severity: 'warning',
            summary: `GPU temperature above ${temperatureCelsius} °C`,
            description: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} runs at {{ $value }} °C; it will throttle.',
            runbook: runbooks.GpuTemperatureHigh,
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
            runbook: runbooks.GpuMemoryHigh,
            tests: {
              firing: [{ series: [{ metric: dcgmFbUsed, labels: gpu, value: FRAMEBUFFER_MIB * fullShare }, { metric: dcgmFbFree, labels: gpu, value: FRAMEBUFFER_MIB - FRAMEBUFFER_MIB * fullShare }], value: fullShare }],
              quiet: [{ description: 'vLLM holding its usual 90%', series: [{ metric: dcgmFbUsed, labels: gpu, value: FRAMEBUFFER_MIB * VLLM_SHARE }, { metric: dcgmFbFree, labels: gpu, value: FRAMEBUFFER_MIB - FRAMEBUFFER_MIB * VLLM_SHARE }] }],
            },
          },
          {
            alert: 'GpuHighUtilization',
            expr: promql`avg by (Hostname, gpu, namespace, pod) (${dcgmGpuUtil}) > ${utilizationPercent}`,
            for: '15m',
            severity: 'warning',
            summary: `GPU busy above ${utilizationPercent}% for 15 minutes`,
            description: 'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} (pod {{ $labels.pod }}) is {{ $value }}% utilised; the model may need more replicas.',
            runbook: runbooks.GpuHighUtilization,
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
});

/** `kubectl` arguments that reach the DCGM exporter pods. */
function exporterPods(config: GpuAlertsConfig): string {
  const placement = dcgm.spec.kubernetes;
  return `-n ${config.selector?.namespace ?? placement.namespace} -l app=${placement.podLabels.app}`;
}

/** What to look at when a GPU alert fires; `exporter` selects the DCGM exporter pods for kubectl. */
function gpuRunbooks(exporter: string, resetXids: readonly number[]) {
  const node = 'Which node and pod? The alert\'s `Hostname` and `pod` labels name them; `kubectl describe node <Hostname>` lists the GPU pods on it.';
  const perGpu = (title: string, q: string) => ({ title, promql: q });
  return {
    GpuXidError: {
      meaning:
        'The NVIDIA driver reported a new XID error on a GPU: an application, driver or hardware fault. Most codes concern one application (13, 31, 43: a kernel crashed or read memory it does not own) and the GPU keeps serving; a few leave the GPU unusable until it is reset, and `GpuNeedsReset` fires for those as well. The exporter keeps reporting the last XID until the driver reloads, so this alert follows a change of the XID and clears after its window.',
      firstChecks: [
        'Read the code: the alert value and the `err_code` / `err_msg` labels of the series say which XID.',
        node,
        'On the node, the kernel log has the driver\'s message: `dmesg | grep -i xid`.',
        'An application XID (13, 31, 43, 45): read the pod\'s logs for the CUDA error and restart the pod if it hangs; the same code again and again on one GPU, and not on others, points at the card.',
        `No GPU series at all? \`kubectl get nodes -l nvidia.com/gpu.present=true\` and \`kubectl logs ${exporter}\`.`,
      ],
      queries: [
        perGpu('Last XID per GPU', promql`max by (Hostname, gpu, err_code, err_msg) (${dcgmXidErrors})`),
      ],
    },
    GpuNeedsReset: {
      meaning: `The last XID of a GPU is one after which it serves nothing until it is reset or the node rebooted (${resetXids.join(', ')}: double-bit or uncontained ECC errors, a failed page retirement, an NVLink fault, or the GPU fell off the bus). Every pod on it fails or hangs, and it stays so: the alert fires until the driver reloads and the exporter reports the XID cleared.`,
      firstChecks: [
        node,
        'Cordon and drain the node: `kubectl cordon <Hostname>`, `kubectl drain <Hostname> --ignore-daemonsets --delete-emptydir-data`; the model\'s pods move to other GPUs.',
        'Reset the GPU (`nvidia-smi -r -i <gpu>` with nothing running on it) or reboot the node; after 79 only a reboot helps.',
        'The same GPU again after a reset is a hardware fault: hand the node to the hardware team for replacement.',
      ],
      queries: [
        perGpu('Last XID per GPU', promql`max by (Hostname, gpu, err_code, err_msg) (${dcgmXidErrors})`),
        perGpu('Pods on the GPU', promql`max by (Hostname, gpu, namespace, pod) (${dcgmGpuUtil})`),
      ],
    },
    GpuTemperatureHigh: {
      meaning:
        'A GPU runs hot. Near 90 °C it lowers its clocks to protect itself, so every model on it slows down; sustained heat also shortens the card\'s life. Usually cooling (a fan, the rack, the room) or a card running flat out for hours.',
      firstChecks: [
        node,
        'One GPU or the whole node? All GPUs of a node heating up together point at cooling or the room, a single one at that card.',
        'Is it throttling? Falling SM clocks at constant load mean it is.',
        'Check the power draw: a card at its power limit for hours runs hot by design; spread the load over more GPUs.',
      ],
      queries: [
        perGpu('Temperature per GPU', promql`max by (Hostname, gpu) (${dcgmGpuTemp})`),
        perGpu('SM clock per GPU', promql`max by (Hostname, gpu) (${dcgmSmClock})`),
        perGpu('Power draw per GPU', promql`max by (Hostname, gpu) (${dcgmPowerUsage})`),
      ],
    },
    GpuMemoryHigh: {
      meaning:
        'Almost no framebuffer is left on a GPU. vLLM claims a fixed share up front (`--gpu-memory-utilization`, 0.9 by default), so the last few percent being used means a second process is on the GPU or the claim was set too high; the next allocation fails with out-of-memory.',
      firstChecks: [
        node,
        'Which processes hold the memory? On the node: `nvidia-smi` lists them per GPU.',
        'Is a second workload scheduled on the GPU (time slicing, MIG misconfiguration), or was `--gpu-memory-utilization` raised?',
        'Check the pod\'s vLLM logs for out-of-memory errors.',
      ],
      queries: [
        perGpu('Framebuffer used share per GPU and pod', promql`max by (Hostname, gpu, namespace, pod) (${dcgmFbUsed} / (${dcgmFbUsed} + ${dcgmFbFree}))`),
      ],
    },
    GpuHighUtilization: {
      meaning:
        'A GPU has been busy for a quarter of an hour. That is what GPUs are bought for, but a model whose GPUs are all saturated has no headroom: queues and time to first token grow with the next traffic increase.',
      firstChecks: [
        node,
        'Does the model behind the pod queue requests? Check its vLLM waiting queue and time to first token on the runtime dashboard.',
        'If it does, add replicas; if it does not, the GPU is simply well used and the threshold may be raised in the alert config.',
      ],
      queries: [
        perGpu('Utilisation per GPU and pod', promql`avg by (Hostname, gpu, namespace, pod) (${dcgmGpuUtil})`),
      ],
    },
  };
}

/** GPU usage per workload pod, the join the GPU and per-model dashboards need. */
export const gpuRecordingRules = contentFactory('gpuRecordingRules', contentScopeSchema, (config: ContentScope) => {
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
});
