import { z } from 'zod';
import { promql } from '../model/rules.ts';
import { defineRuleGroup } from '../model/spec.ts';
import { dcgmGpuTemp, dcgmGpuUtil, dcgmSmClock, dcgmXidErrors } from '../catalog/dcgm.ts';
import { vllmNumRequestsRunning, vllmTimeToFirstToken } from '../catalog/vllm.ts';
import { scopeRuleGroup, type AlertScope } from './scope.ts';
import { alertScopeFields, celsiusOption, contentFactory } from './options.ts';
import { durationSchema } from '../model/duration.ts';

/**
 * GPU faults joined to the models they hurt. dcgm-exporter in Kubernetes mode labels each GPU with the
 * `namespace` and `pod` using it; vLLM's series carry the same pod as target labels and the served
 * `model_name`. Joining the two on (namespace, pod) names the model behind a faulty GPU, so routing can
 * attach the fault to that model's latency alerts instead of paging twice for one cause.
 */
export interface GpuFaultRulesConfig extends AlertScope {
  /**
   * How long a new XID stays an active fault. DCGM's XID field holds the last XID and never clears, so
   * a fault is a change of that value, and it is over once this window no longer holds the change.
   */
  xidWindow?: string;
  /** GPU temperature (°C) from which the card throttles its clocks. */
  throttleCelsius?: number;
}

const gpuFaultRulesConfigSchema = z.strictObject({
  ...alertScopeFields,
  xidWindow: durationSchema.optional(),
  throttleCelsius: celsiusOption.optional(),
});

/** The GPU, its workload and that workload's model, the labels every GPU fault under a model carries. */
const GPU = ['Hostname', 'gpu', 'UUID'] as const;
const BY_GPU = GPU.join(', ');

const servingPod = { gpu: '0', UUID: 'GPU-5f0c1b2e-0000-4000-8000-000000000000', Hostname: 'gpu-node-1', modelName: 'NVIDIA H100 80GB HBM3', namespace: 'inference', pod: 'qwen2-7b-0' };
const vllmPod = { namespace: 'inference', pod: 'qwen2-7b-0', model_name: 'qwen2-7b', engine: '0' };
const fellOff = { err_code: '79', err_msg: 'GPU has fallen off the bus' };
const noXid = { err_code: '0', err_msg: 'none' };

export const gpuFaultRules = contentFactory('gpuFaultRules', gpuFaultRulesConfigSchema, (config: GpuFaultRulesConfig) => {
  const { xidWindow = '15m', throttleCelsius = 87 } = config;
  const serving = [
    { metric: dcgmGpuUtil, labels: servingPod, value: 80 },
    { metric: vllmNumRequestsRunning, labels: vllmPod, value: 4 },
  ];
  return defineRuleGroup(
    scopeRuleGroup(
      {
        name: 'gpu-faults',
        team: 'gpu-infra',
        service: 'gpu',
        dashboard: 'gpu',
        rules: [
          {
            record: 'namespace_pod:vllm_model_name:info',
            // The router's `model` is the name clients ask for, vLLM's served model name, copied so both
            // sides' alerts can be matched on it.
            expr: promql`label_replace(group by (namespace, pod, model_name) (${vllmNumRequestsRunning}), "model", "$1", "model_name", "(.+)")`,
            help: 'The model each vLLM pod serves (1 per pod), with the router\'s model label.',
          },
          {
            record: 'gpu_namespace_pod:dcgm_model_name:info',
            expr: promql`group by (${BY_GPU}, namespace, pod) (${dcgmGpuUtil}) * on (namespace, pod) group_left (model_name, model) namespace_pod:vllm_model_name:info`,
            help: 'The model served from each GPU (1 per GPU and pod): DCGM\'s GPU labels joined to the serving pod.',
          },
          {
            record: 'gpu:dcgm_xid_errors:max',
            // One series per GPU whatever its err_code/err_msg labels or pod, so a new XID is a change of
            // value rather than a new series.
            expr: promql`max by (${BY_GPU}) (${dcgmXidErrors})`,
            help: 'The last XID each GPU reported (0 for none).',
          },
          {
            alert: 'GpuFaultUnderModel',
            expr: promql`(gpu:dcgm_xid_errors:max > 0 and changes(gpu:dcgm_xid_errors:max[${xidWindow}]) > 0) * on (${BY_GPU}) group_right gpu_namespace_pod:dcgm_model_name:info`,
            severity: 'warning',
            summary: 'A GPU serving a model raised a new XID error',
            description:
              'GPU {{ $labels.gpu }} ({{ $labels.UUID }}) on {{ $labels.Hostname }} raised XID {{ $value }} while pod {{ $labels.namespace }}/{{ $labels.pod }} served {{ $labels.model }} on it. Latency and goodput alerts of {{ $labels.model }} are likely this fault.',
            runbook: {
              meaning:
                `A GPU under a model's pod raised an XID error in the last ${xidWindow}. The model's requests on that pod slow down or fail; its time-to-first-token alert is held back by routing while this fault explains it, and its goodput SLO names it. DCGM keeps reporting the last XID until the driver reloads, so this alert follows a change of the XID, not its value.`,
              firstChecks: [
                'Which XID? The value is the code; 79 (fell off the bus), 48 (double-bit ECC) and 64/92/94/95 (memory faults) need the node drained.',
                'Take the pod off the GPU: `kubectl delete pod -n <namespace> <pod>` reschedules it; cordon the node first (`kubectl cordon <Hostname>`) for a hardware XID.',
                'Check that the model recovers: its time to first token on the model drill-down dashboard.',
              ],
              queries: [
                { title: 'Models served from each GPU', promql: 'gpu_namespace_pod:dcgm_model_name:info' },
                { title: 'Last XID per GPU', promql: 'gpu:dcgm_xid_errors:max' },
                { title: 'p95 time to first token, by model', promql: promql`histogram_quantile(0.95, sum by (model_name, le) (rate(${vllmTimeToFirstToken}_bucket[5m])))` },
              ],
            },
            tests: {
              firing: [
                {
                  description: 'XID 79 replaces no XID on the GPU of the pod serving the model',
                  series: [
                    { metric: dcgmXidErrors, labels: { ...servingPod, ...noXid }, values: '0x5' },
                    { metric: dcgmXidErrors, labels: { ...servingPod, ...fellOff }, values: '_x5 79x5' },
                    ...serving,
                  ],
                  labels: { model: 'qwen2-7b' },
                  value: 79,
                },
              ],
              quiet: [
                {
                  description: 'an old XID the exporter keeps reporting',
                  series: [{ metric: dcgmXidErrors, labels: { ...servingPod, ...fellOff }, value: 79 }, ...serving],
                },
                {
                  description: 'a new XID on a GPU no model pod uses',
                  series: [
                    { metric: dcgmXidErrors, labels: { ...servingPod, ...noXid }, values: '0x5' },
                    { metric: dcgmXidErrors, labels: { ...servingPod, ...fellOff }, values: '_x5 79x5' },
                    { metric: dcgmGpuUtil, labels: servingPod, value: 0 },
                  ],
                },
              ],
            },
          },
          {
            alert: 'GpuThermalThrottleUnderModel',
            expr: promql`(max by (${BY_GPU}) (${dcgmGpuTemp}) > ${throttleCelsius}) * on (${BY_GPU}) group_right gpu_namespace_pod:dcgm_model_name:info`,
            for: '2m',
            severity: 'warning',
            summary: `A GPU serving a model runs at ${throttleCelsius} °C or hotter and throttles`,
            description:
              'GPU {{ $labels.gpu }} on {{ $labels.Hostname }} runs at {{ $value }} °C while pod {{ $labels.namespace }}/{{ $labels.pod }} serves {{ $labels.model }} on it; its clocks drop and so does the model\'s token rate.',
            runbook: {
              meaning: `A GPU under a model's pod is at or above ${throttleCelsius} °C, where it lowers its clocks. Every request of the model on that pod slows down; routing holds the model's time-to-first-token alert back while this explains it.`,
              firstChecks: [
                'One GPU or the whole node? All GPUs of a node heating up together point at cooling, a single one at that card.',
                'Move the load: delete the pod so it is rescheduled on a cooler GPU, and hand the node to the hardware team.',
              ],
              queries: [
                { title: 'Temperature per GPU', promql: promql`max by (${BY_GPU}) (${dcgmGpuTemp})` },
                { title: 'SM clock per GPU', promql: promql`max by (${BY_GPU}) (${dcgmSmClock})` },
              ],
            },
            tests: {
              firing: [
                {
                  series: [{ metric: dcgmGpuTemp, labels: servingPod, value: throttleCelsius + 5 }, ...serving],
                  labels: { model: 'qwen2-7b' },
                  value: throttleCelsius + 5,
                },
              ],
              quiet: [{ series: [{ metric: dcgmGpuTemp, labels: servingPod, value: throttleCelsius - 20 }, ...serving] }],
            },
          },
        ],
      },
      config,
      'alerts',
    ),
  );
});
