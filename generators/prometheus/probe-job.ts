import { PROBE_JOB, blackboxExporterAddress, type Probe } from '../../src/model/probes.ts';

/**
 * The plain prometheus.yml's probe job: each endpoint is a target whose `__param_module` picks its
 * blackbox module; the usual relabelling turns the address into the `target` parameter and `instance`,
 * then points the scrape at the exporter. Labels match the Probe CRs' (`job`, `instance`, `probe`).
 */
export function probeScrapeJob(probes: readonly Probe[], exporter: string, interval: string): Record<string, unknown> {
  return {
    job_name: PROBE_JOB,
    scrape_interval: interval,
    metrics_path: '/probe',
    static_configs: probes.map((p) => ({ targets: [p.url], labels: { __param_module: p.module, probe: p.name } })),
    relabel_configs: [
      { source_labels: ['__address__'], target_label: '__param_target' },
      { source_labels: ['__param_target'], target_label: 'instance' },
      { target_label: '__address__', replacement: exporter },
    ],
  };
}

export function stackProbeJob(stack: Parameters<typeof blackboxExporterAddress>[0] & { probes: readonly Probe[]; probing: { interval: string } }): Record<string, unknown> | undefined {
  if (stack.probes.length === 0) return undefined;
  return probeScrapeJob(stack.probes, blackboxExporterAddress(stack), stack.probing.interval);
}
