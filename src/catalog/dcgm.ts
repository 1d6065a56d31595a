import { label, metric, type LabelSpec } from '../model/catalog.ts';
import { defineSource } from '../model/spec.ts';
import { DCGM_HISTORY } from './dcgm-history.ts';

/**
 * NVIDIA DCGM exporter (releases up to 4.5.3-4.8.2): the fields of its default counters file. Each field
 * is exposed under its DCGM field name. Units are DCGM's: framebuffer in MiB, energy in mJ, the DEV_*_UTIL
 * fields in percent 0-100, the PROF_*_ACTIVE fields as 0-1 ratios, and the 4.x PCIe fields as bytes/s gauges.
 *
 * MIG instances add `GPU_I_PROFILE` and `GPU_I_ID`; they are left out here, so a query that groups by them
 * is reported as using unknown labels.
 */

/** The host label: capital H in every release so far (`--no-hostname` drops it). */
export const DCGM_HOSTNAME_LABEL = 'Hostname';
/** The label that carries the driver version; DCGM_FI_DRIVER_VERSION is a label, never a series. */
export const DCGM_DRIVER_VERSION_LABEL = 'DCGM_FI_DRIVER_VERSION';

const gpuLabels = {
  gpu: label.bounded('GPU index on the node'),
  UUID: label.bounded('GPU UUID, GPU-...'),
  pci_bus_id: label.bounded('PCI bus id of the GPU'),
  device: label.bounded('device name, nvidia<N>'),
  modelName: label.bounded('GPU product name, e.g. NVIDIA H100 80GB HBM3'),
  [DCGM_HOSTNAME_LABEL]: label.bounded('node the exporter runs on'),
  [DCGM_DRIVER_VERSION_LABEL]: label.bounded('NVIDIA driver version'),
  namespace: label.bounded('namespace of the pod using the GPU (Kubernetes mode)'),
  pod: label.bounded('pod using the GPU (Kubernetes mode)'),
  container: label.bounded('container using the GPU (Kubernetes mode)'),
} satisfies Record<string, LabelSpec>;

/** Label names every GPU series carries, in exposition order. */
export const DCGM_GPU_LABEL_NAMES = Object.keys(gpuLabels) as (keyof typeof gpuLabels)[];

export const dcgmSmClock = metric({
  name: 'DCGM_FI_DEV_SM_CLOCK',
  type: 'gauge',
  help: 'SM clock frequency.',
  unit: 'megahertz',
  labels: gpuLabels,
});

export const dcgmMemClock = metric({
  name: 'DCGM_FI_DEV_MEM_CLOCK',
  type: 'gauge',
  help: 'Memory clock frequency.',
  unit: 'megahertz',
  labels: gpuLabels,
});

export const dcgmMemoryTemp = metric({
  name: 'DCGM_FI_DEV_MEMORY_TEMP',
  type: 'gauge',
  help: 'Memory temperature.',
  unit: 'celsius',
  labels: gpuLabels,
});

export const dcgmGpuTemp = metric({
  name: 'DCGM_FI_DEV_GPU_TEMP',
  type: 'gauge',
  help: 'GPU temperature.',
  unit: 'celsius',
  labels: gpuLabels,
});

export const dcgmPowerUsage = metric({
  name: 'DCGM_FI_DEV_POWER_USAGE',
  type: 'gauge',
  help: 'Power draw.',
  unit: 'watts',
  labels: gpuLabels,
});

export const dcgmTotalEnergyConsumption = metric({
  name: 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION',
  type: 'counter',
  help: 'Energy consumed since the driver was loaded.',
  unit: 'millijoules',
  labels: gpuLabels,
});

export const dcgmPcieReplayCounter = metric({
  name: 'DCGM_FI_DEV_PCIE_REPLAY_COUNTER',
  type: 'counter',
  help: 'PCIe replays (retried transfers).',
  unit: 'retries',
  labels: gpuLabels,
});

export const dcgmGpuUtil = metric({
  name: 'DCGM_FI_DEV_GPU_UTIL',
  type: 'gauge',
  help: 'GPU utilisation, 0 to 100.',
  unit: 'percent',
  labels: gpuLabels,
});

export const dcgmMemCopyUtil = metric({
  name: 'DCGM_FI_DEV_MEM_COPY_UTIL',
  type: 'gauge',
  help: 'Memory (copy engine) utilisation, 0 to 100.',
  unit: 'percent',
  labels: gpuLabels,
});

export const dcgmEncUtil = metric({
  name: 'DCGM_FI_DEV_ENC_UTIL',
  type: 'gauge',
  help: 'Video encoder utilisation, 0 to 100.',
  unit: 'percent',
  labels: gpuLabels,
});

export const dcgmDecUtil = metric({
  name: 'DCGM_FI_DEV_DEC_UTIL',
  type: 'gauge',
  help: 'Video decoder utilisation, 0 to 100.',
  unit: 'percent',
  labels: gpuLabels,
});

export const dcgmXidErrors = metric({
  name: 'DCGM_FI_DEV_XID_ERRORS',
  type: 'gauge',
  help: 'Code of the last XID error the GPU raised.',
  unit: 'xid',
  labels: {
    ...gpuLabels,
    err_code: label.bounded('XID error code'),
    err_msg: label.bounded('description of the XID error'),
  },
});

export const dcgmFbFree = metric({
  name: 'DCGM_FI_DEV_FB_FREE',
  type: 'gauge',
  help: 'Free framebuffer memory.',
  unit: 'mebibytes',
  labels: gpuLabels,
});

export const dcgmFbUsed = metric({
  name: 'DCGM_FI_DEV_FB_USED',
  type: 'gauge',
  help: 'Used framebuffer memory.',
  unit: 'mebibytes',
  labels: gpuLabels,
});

export const dcgmFbReserved = metric({
  name: 'DCGM_FI_DEV_FB_RESERVED',
  type: 'gauge',
  help: 'Framebuffer memory reserved by the driver.',
  unit: 'mebibytes',
  labels: gpuLabels,
  since: '4.3.1-4.4.0',
});

export const dcgmNvlinkBandwidthTotal = metric({
  name: 'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL',
  type: 'counter',
  help: 'NVLink bandwidth counter summed over all lanes.',
  unit: 'counts',
  labels: gpuLabels,
});

export const dcgmVgpuLicenseStatus = metric({
  name: 'DCGM_FI_DEV_VGPU_LICENSE_STATUS',
  type: 'gauge',
  help: 'vGPU licence status.',
  unit: 'status',
  labels: gpuLabels,
});

export const dcgmUncorrectableRemappedRows = metric({
  name: 'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS',
  type: 'counter',
  help: 'Memory rows remapped because of uncorrectable errors.',
  unit: 'rows',
  labels: gpuLabels,
});

export const dcgmCorrectableRemappedRows = metric({
  name: 'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS',
  type: 'counter',
  help: 'Memory rows remapped because of correctable errors.',
  unit: 'rows',
  labels: gpuLabels,
});

export const dcgmRowRemapFailure = metric({
  name: 'DCGM_FI_DEV_ROW_REMAP_FAILURE',
  type: 'gauge',
  help: 'Whether memory row remapping has failed (1) or not (0).',
  unit: 'boolean',
  labels: gpuLabels,
});

export const dcgmProfGrEngineActive = metric({
  name: 'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
  type: 'gauge',
  help: 'Fraction of time the graphics/compute engine was active, 0 to 1.',
  unit: 'ratio',
  labels: gpuLabels,
  since: '4.0',
});

export const dcgmProfPipeTensorActive = metric({
  name: 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE',
  type: 'gauge',
  help: 'Fraction of cycles the tensor (HMMA) pipe was active, 0 to 1.',
  unit: 'ratio',
  labels: gpuLabels,
  since: '4.0',
});

export const dcgmProfDramActive = metric({
  name: 'DCGM_FI_PROF_DRAM_ACTIVE',
  type: 'gauge',
  help: 'Fraction of cycles the memory interface was busy, 0 to 1.',
  unit: 'ratio',
  labels: gpuLabels,
  since: '4.0',
});

export const dcgmProfPcieTxBytes = metric({
  name: 'DCGM_FI_PROF_PCIE_TX_BYTES',
  type: 'gauge',
  help: 'PCIe transmit rate (a counter in 3.x, a rate gauge since 4.0).',
  unit: 'bytes_per_second',
  labels: gpuLabels,
});

export const dcgmProfPcieRxBytes = metric({
  name: 'DCGM_FI_PROF_PCIE_RX_BYTES',
  type: 'gauge',
  help: 'PCIe receive rate (a counter in 3.x, a rate gauge since 4.0).',
  unit: 'bytes_per_second',
  labels: gpuLabels,
});

export const DCGM_METRICS = [
  dcgmSmClock,
  dcgmMemClock,
  dcgmMemoryTemp,
  dcgmGpuTemp,
  dcgmPowerUsage,
  dcgmTotalEnergyConsumption,
  dcgmPcieReplayCounter,
  dcgmGpuUtil,
  dcgmMemCopyUtil,
  dcgmEncUtil,
  dcgmDecUtil,
  dcgmXidErrors,
  dcgmFbFree,
  dcgmFbUsed,
  dcgmFbReserved,
  dcgmNvlinkBandwidthTotal,
  dcgmVgpuLicenseStatus,
  dcgmUncorrectableRemappedRows,
  dcgmCorrectableRemappedRows,
  dcgmRowRemapFailure,
  dcgmProfGrEngineActive,
  dcgmProfPipeTensorActive,
  dcgmProfDramActive,
  dcgmProfPcieTxBytes,
  dcgmProfPcieRxBytes,
] as const;

export const dcgm = defineSource({
  name: 'dcgm',
  component: 'NVIDIA DCGM exporter',
  job: 'dcgm-exporter',
  port: { name: 'metrics', number: 9400 },
  path: '/metrics',
  scrapeInterval: '15s',
  kubernetes: {
    namespace: 'gpu-operator',
    serviceLabels: { app: 'nvidia-dcgm-exporter' },
    podLabels: { app: 'nvidia-dcgm-exporter' },
    // The exporter reports GPUs of other pods under namespace/pod/container. Without honorLabels the
    // target's own labels (the exporter pod) win and the workload's end up as exported_namespace,
    // exported_pod and exported_container, which no query in this catalog expects.
    honorLabels: true,
  },
  metrics: [...DCGM_METRICS],
  history: DCGM_HISTORY,
});
