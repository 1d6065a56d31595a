import { byVariables, gauge, q } from '../../grafana/queries.ts';
import { labelVariable } from '../../grafana/variables.ts';
import {
  DCGM_HOSTNAME_LABEL,
  dcgmFbFree,
  dcgmFbUsed,
  dcgmGpuTemp,
  dcgmGpuUtil,
  dcgmPowerUsage,
  dcgmSmClock,
  dcgmXidErrors,
} from '../../catalog/dcgm.ts';
import { bundledDashboard, type DashboardConfig } from './bundled.ts';
import { contentFactory, dashboardConfigSchema } from '../options.ts';

const gpus = byVariables({ [DCGM_HOSTNAME_LABEL]: 'node', gpu: 'gpu' });
/** GPUs assigned to a pod (the exporter's Kubernetes mode); idle GPUs carry an empty pod label. */
const podGpus = { ...gpus, pod: { ne: '' } };
const perGpu = [DCGM_HOSTNAME_LABEL, 'gpu'];
const perPod = ['namespace', 'pod'];
const gpuLegend = `{{${DCGM_HOSTNAME_LABEL}}} GPU {{gpu}}`;
const MHZ_TO_HZ = 1e6;

/** NVIDIA GPUs through the DCGM exporter, per GPU and per pod. */
export const gpuDashboard = contentFactory('gpuDashboard', dashboardConfigSchema, (config: DashboardConfig) => {
  return bundledDashboard(
    {
      id: 'gpu',
      title: 'GPUs (DCGM)',
      description: 'Utilisation, framebuffer memory, power, temperature, SM clock and XID errors of every GPU, per GPU and per pod.',
      tags: ['gpu', 'dcgm'],
      variables: [
        labelVariable('node', 'Node', dcgmGpuUtil, DCGM_HOSTNAME_LABEL),
        labelVariable('gpu', 'GPU', dcgmGpuUtil, 'gpu', { matchers: `{${DCGM_HOSTNAME_LABEL}=~"$node"}` }),
      ],
      rows: [
        {
          title: 'Per GPU',
          panels: [
            {
              title: 'GPU utilisation',
              description: 'Share of time a kernel was running on each GPU.',
              unit: 'percent',
              width: 12,
              min: 0,
              max: 100,
              queries: [q(gauge(dcgmGpuUtil, gpus, perGpu, 'max'), gpuLegend)],
            },
            {
              title: 'Framebuffer memory used and free',
              description: 'GPU memory used and free on each GPU.',
              unit: 'mbytes',
              width: 12,
              queries: [
                q(gauge(dcgmFbUsed, gpus, perGpu, 'max'), `used ${gpuLegend}`),
                q(gauge(dcgmFbFree, gpus, perGpu, 'max'), `free ${gpuLegend}`),
              ],
            },
            {
              title: 'Power draw',
              description: 'Power each GPU draws.',
              unit: 'watt',
              width: 8,
              queries: [q(gauge(dcgmPowerUsage, gpus, perGpu, 'max'), gpuLegend)],
            },
            {
              title: 'Temperature',
              description: 'GPU die temperature.',
              unit: 'celsius',
              width: 8,
              thresholds: [
                { value: 80, color: 'orange' },
                { value: 90, color: 'red' },
              ],
              queries: [q(gauge(dcgmGpuTemp, gpus, perGpu, 'max'), gpuLegend)],
            },
            {
              title: 'SM clock',
              description: 'Streaming multiprocessor clock of each GPU.',
              unit: 'hertz',
              width: 8,
              queries: [q(`${gauge(dcgmSmClock, gpus, perGpu, 'max')} * ${MHZ_TO_HZ}`, gpuLegend)],
            },
            {
              title: 'XID errors',
              description: 'Code of the last XID error each GPU raised (0 when none); see the NVIDIA XID catalogue for its meaning.',
              unit: 'none',
              width: 24,
              queries: [q(gauge(dcgmXidErrors, gpus, perGpu, 'max'), gpuLegend)],
            },
          ],
        },
        {
          title: 'Per pod',
          panels: [
            {
              title: 'GPU utilisation by pod',
              description: 'Mean utilisation of the GPUs assigned to each pod.',
              unit: 'percent',
              width: 12,
              min: 0,
              max: 100,
              queries: [q(gauge(dcgmGpuUtil, podGpus, perPod, 'avg'), '{{namespace}}/{{pod}}')],
            },
            {
              title: 'Framebuffer memory used by pod',
              description: 'GPU memory used on the GPUs assigned to each pod.',
              unit: 'mbytes',
              width: 12,
              queries: [q(gauge(dcgmFbUsed, podGpus, perPod, 'sum'), '{{namespace}}/{{pod}}')],
            },
            {
              title: 'Power draw by pod',
              description: 'Power drawn by the GPUs assigned to each pod.',
              unit: 'watt',
              width: 12,
              queries: [q(gauge(dcgmPowerUsage, podGpus, perPod, 'sum'), '{{namespace}}/{{pod}}')],
            },
            {
              title: 'Temperature by pod',
              description: 'Hottest GPU assigned to each pod.',
              unit: 'celsius',
              width: 12,
              queries: [q(gauge(dcgmGpuTemp, podGpus, perPod, 'max'), '{{namespace}}/{{pod}}')],
            },
          ],
        },
      ],
    },
    ['llm-runtime', 'model-drilldown', 'kthena-overview'],
    config,
  );
});
