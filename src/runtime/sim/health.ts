import { healthReport, type HealthCheck, type HealthReport } from '../health.ts';
import type { SimEngine } from './vllm-engine.ts';

/** The injected faults that fail a request outright: a 500, a reset, or a stream cut short. */
export interface FailingFaults {
  errorRate: number;
  resetRate: number;
  breakRate: number;
}

function failingShare(faults: FailingFaults): number {
  return Math.min(1, faults.errorRate + faults.resetRate + faults.breakRate);
}

/** The simulated vLLM server's report: the engine's queue and the injected faults. */
export function vllmReadiness(engine: SimEngine, faults: FailingFaults, now?: Date): HealthReport {
  const checks: HealthCheck[] = [
    {
      name: 'engine',
      critical: false,
      run: () => {
        const details = { running: engine.numRunning, waiting: engine.numWaiting, kv_cache_usage: engine.kvUsage };
        if (engine.numWaiting > 0 && engine.kvUsage >= 1) return { status: 'degraded', message: 'KV cache full, requests waiting', details };
        return { status: 'healthy', message: `${engine.numRunning} running, ${engine.numWaiting} waiting`, details };
      },
    },
    {
      name: 'faults',
      critical: true,
      run: () => {
        const share = failingShare(faults);
        const details = { failing_share: share };
        if (share >= 1) return { status: 'unhealthy', message: 'every request fails', details };
        if (share > 0) return { status: 'degraded', message: `${Math.round(share * 100)}% of requests fail`, details };
        return { status: 'healthy', message: 'no faults injected', details };
      },
    },
  ];
  return healthReport(checks, now);
}

export interface GpuHealthState {
  index: number;
  xid: { code: number; message: string };
}

/** The simulated DCGM exporter's report: one check per GPU, unhealthy while it reports an XID error. */
export function dcgmReadiness(gpus: readonly GpuHealthState[], now?: Date): HealthReport {
  return healthReport(
    gpus.map((gpu) => ({
      name: `gpu:${gpu.index}`,
      critical: false,
      run: () =>
        gpu.xid.code === 0
          ? { status: 'healthy', message: 'no XID error' }
          : { status: 'unhealthy', message: `XID ${gpu.xid.code}: ${gpu.xid.message}`, details: { xid: gpu.xid.code } },
    })),
    now,
  );
}

export function livenessReport(now?: Date): HealthReport {
  return healthReport([{ name: 'process', critical: true, run: () => ({ status: 'healthy', message: 'answering' }) }], now);
}
