import type { SourceHistorySpec, UpstreamRef } from '../model/catalog.ts';

/**
 * dcgm-exporter releases (tags `<exporter>-<DCGM>`) whose default counters file and label rendering were
 * read, the unreleased main branch at d5e5f51, and the family changes between them.
 */

const repo = 'NVIDIA/dcgm-exporter';
const COUNTERS = 'etc/default-counters.csv';
const counters = (at: string): UpstreamRef => ({ repo, path: COUNTERS, at });

/** Every label-rendering template names the host label; #655 spelled it in lower case, as the other labels are. */
const HOSTNAME_RENAMED = {
  change: 'relabelled',
  version: 'main@d5e5f51',
  renamed: { Hostname: 'hostname' },
  ref: { repo, path: 'internal/pkg/rendermetrics/render_metrics.go', at: 'd5e5f510a1b6b393f39a43293ccd9dc985defc79', pr: 655 },
} as const;

const GPU_FAMILIES = [
  'DCGM_FI_DEV_SM_CLOCK',
  'DCGM_FI_DEV_MEM_CLOCK',
  'DCGM_FI_DEV_MEMORY_TEMP',
  'DCGM_FI_DEV_GPU_TEMP',
  'DCGM_FI_DEV_POWER_USAGE',
  'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION',
  'DCGM_FI_DEV_PCIE_REPLAY_COUNTER',
  'DCGM_FI_DEV_GPU_UTIL',
  'DCGM_FI_DEV_MEM_COPY_UTIL',
  'DCGM_FI_DEV_ENC_UTIL',
  'DCGM_FI_DEV_DEC_UTIL',
  'DCGM_FI_DEV_XID_ERRORS',
  'DCGM_FI_DEV_FB_FREE',
  'DCGM_FI_DEV_FB_USED',
  'DCGM_FI_DEV_FB_RESERVED',
  'DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL',
  'DCGM_FI_DEV_VGPU_LICENSE_STATUS',
  'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS',
  'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS',
  'DCGM_FI_DEV_ROW_REMAP_FAILURE',
  'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
  'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE',
  'DCGM_FI_PROF_DRAM_ACTIVE',
  'DCGM_FI_PROF_PCIE_TX_BYTES',
  'DCGM_FI_PROF_PCIE_RX_BYTES',
] as const;

export const DCGM_HISTORY = {
  upstream: repo,
  releases: [
    '3.3.9-3.6.1',
    '4.0.0-4.0.1',
    '4.1.1-4.0.3',
    '4.1.1-4.0.4',
    '4.2.0-4.1.0',
    '4.2.3-4.1.1',
    '4.2.3-4.1.3',
    '4.2.3-4.2.0',
    '4.3.1-4.4.0',
    '4.4.0-4.5.0',
    '4.4.1-4.5.2',
    '4.4.1-4.6.0',
    '4.4.2-4.7.0',
    '4.4.2-4.7.1',
    '4.5.1-4.8.0',
    '4.5.2-4.8.1',
    '4.5.3-4.8.2',
    'main@d5e5f51',
  ],
  current: '4.5.3-4.8.2',
  changes: [
    // 3.3.9-3.6.1 lists the profiling fields as NVML counters of bytes; 4.0.0-4.0.1 turns them into DCP gauges of bytes per second.
    ...(['DCGM_FI_PROF_PCIE_TX_BYTES', 'DCGM_FI_PROF_PCIE_RX_BYTES'] as const).flatMap((family) => [
      { change: 'retyped' as const, version: '4.0.0-4.0.1', family, from: 'counter' as const, to: 'gauge' as const, ref: counters('4.0.0-4.0.1') },
      { change: 'unit' as const, version: '4.0.0-4.0.1', family, from: 'bytes', to: 'bytes_per_second', ref: counters('4.0.0-4.0.1') },
    ]),
    ...(['DCGM_FI_PROF_GR_ENGINE_ACTIVE', 'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', 'DCGM_FI_PROF_DRAM_ACTIVE'] as const).map((family) => ({
      change: 'added' as const,
      version: '4.0.0-4.0.1',
      family,
      ref: counters('4.0.0-4.0.1'),
      note: 'in the default counters file from this release on',
    })),
    { change: 'added', version: '4.3.1-4.4.0', family: 'DCGM_FI_DEV_FB_RESERVED', ref: counters('4.3.1-4.4.0'), note: 'in the default counters file from this release on' },
    ...GPU_FAMILIES.map((family) => ({ ...HOSTNAME_RENAMED, family })),
  ],
} satisfies SourceHistorySpec;
