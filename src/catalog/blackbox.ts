import { label, metric } from '../model/catalog.ts';
import { BLACKBOX_EXPORTER_PORT, PROBE_JOB } from '../model/probes.ts';
import { defineSource } from '../model/spec.ts';

/**
 * Prometheus blackbox exporter (v0.23–v0.25): the series of one probe, as Prometheus stores them when it
 * scrapes `/probe?target=<url>&module=<module>` through the generated Probe CRs or the plain probe job.
 * `instance` is the probed URL; `probe` is the name the stack gives the endpoint.
 */

const probeLabels = {
  instance: label.bounded('probed URL'),
  job: label.bounded('the probe scrape job'),
  probe: label.bounded('name of the probed endpoint in stack.probes'),
};

export const probeSuccess = metric({
  name: 'probe_success',
  type: 'gauge',
  help: '1 when the probe succeeded, 0 when it failed.',
  unit: 'boolean',
  labels: probeLabels,
});

export const probeDurationSeconds = metric({
  name: 'probe_duration_seconds',
  type: 'gauge',
  help: 'How long the probe took.',
  unit: 'seconds',
  labels: probeLabels,
});

export const probeHttpStatusCode = metric({
  name: 'probe_http_status_code',
  type: 'gauge',
  help: 'HTTP status code of the response (0 when none arrived).',
  unit: 'code',
  labels: probeLabels,
});

export const BLACKBOX_METRICS = [probeSuccess, probeDurationSeconds, probeHttpStatusCode] as const;

export const blackbox = defineSource({
  name: 'blackbox',
  component: 'Prometheus blackbox exporter',
  job: PROBE_JOB,
  port: { name: 'http', number: BLACKBOX_EXPORTER_PORT },
  path: '/probe',
  scrapeInterval: '30s',
  delivery: 'probe',
  metrics: [...BLACKBOX_METRICS],
});
