import { defineRuleGroup, promql } from 'infermon';
import { dcgmFbFree, dcgmFbUsed, dcgmGpuUtil } from 'infermon/catalog/dcgm';

/** GPU usage per workload pod, the join the GPU and per-model dashboards need. */
export const gpuRecordingRules = defineRuleGroup({
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
});
