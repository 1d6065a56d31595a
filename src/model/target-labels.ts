import type { Source } from './catalog.ts';

/**
 * Labels Prometheus attaches to every series of a target, by how the target is discovered. Queries may
 * select and group by them like the metric's own labels.
 */

/** prometheus-operator's ServiceMonitor endpoint. */
export const SERVICE_MONITOR_TARGET_LABELS = ['container', 'endpoint', 'instance', 'job', 'namespace', 'pod', 'service'];
/** prometheus-operator's PodMonitor endpoint. */
export const POD_MONITOR_TARGET_LABELS = ['container', 'endpoint', 'instance', 'job', 'namespace', 'pod'];
/** A static scrape job. */
export const STATIC_TARGET_LABELS = ['instance', 'job'];
/** The plain prometheus.yml's annotation-driven pod discovery. */
export const POD_ANNOTATION_TARGET_LABELS = ['instance', 'job', 'namespace', 'pod'];

/** Target labels of a source infermon wires the scrape for; none for sources scraped or pushed elsewhere. */
export function targetLabelsOf(source: Source): readonly string[] {
  if (source.delivery !== 'scrape') return [];
  if (!source.kubernetes) return STATIC_TARGET_LABELS;
  return source.kubernetes.serviceLabels ? SERVICE_MONITOR_TARGET_LABELS : POD_MONITOR_TARGET_LABELS;
}
