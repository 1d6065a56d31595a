import { z } from 'zod';
import { durationSchema } from './duration.ts';

/**
 * Public endpoints probed from outside through the blackbox exporter. `http_health` expects a 2xx whose
 * body is document 002's health report with an overall status other than `unhealthy`; `http_2xx` only
 * expects a 2xx, for endpoints without that report.
 */
export const BLACKBOX_MODULES = ['http_health', 'http_2xx'] as const;
export type BlackboxModule = (typeof BLACKBOX_MODULES)[number];

/** The `job` label of every probe series, the same in Probe CRs and the plain prometheus.yml. */
export const PROBE_JOB = 'blackbox';
/** The exporter's port (prometheus/blackbox_exporter README, v0.23–v0.25). */
export const BLACKBOX_EXPORTER_PORT = 9115;

export const probeSpecSchema = z.strictObject({
  /** Names the endpoint: the `probe` label of its series and part of its Probe CR's name. */
  name: z.string().regex(/^[a-z][a-z0-9-]*$/),
  url: z.string().url(),
  module: z.enum(BLACKBOX_MODULES).default('http_health'),
});
export type ProbeSpec = z.input<typeof probeSpecSchema>;
export type Probe = z.output<typeof probeSpecSchema>;

export const probingSchema = z.strictObject({
  /** `host:port` Prometheus reaches the blackbox exporter at; defaults to its chart's Service in the stack namespace. */
  exporter: z.string().optional(),
  interval: durationSchema.default('30s'),
});

/** Service of the prometheus-community/prometheus-blackbox-exporter chart installed as `prometheus-blackbox-exporter`. */
export function blackboxExporterAddress(stack: { namespace: string; probing: { exporter?: string | undefined } }): string {
  return stack.probing.exporter ?? `prometheus-blackbox-exporter.${stack.namespace}.svc:${BLACKBOX_EXPORTER_PORT}`;
}
