import type { IncomingHttpHeaders } from 'node:http';
import { Registry, type RegistryContentType } from 'prom-client';

/**
 * Serves one prom-client registry in the format the scraper asks for: OpenMetrics (the only format that
 * carries exemplars) when its Accept header names `application/openmetrics-text`, as Prometheus does by
 * default, and the Prometheus text format otherwise. Only an OpenMetrics registry can hold exemplars,
 * and prom-client renders a registry in its own content type, so the type is switched for one render.
 * Renders run one at a time: prom-client also renames counters (drops `_total`) while rendering
 * OpenMetrics, and the names are put back before the next render starts.
 */

export interface Rendered {
  body: string;
  contentType: string;
}

/** True when the Accept header asks for OpenMetrics with a weight above zero. */
export function acceptsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const [type, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (type !== 'application/openmetrics-text') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

export class NegotiatedExposition {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly registry: Registry<RegistryContentType>) {}

  /** The registry's own format decides nothing when it is a text registry: it has no exemplars to show. */
  render(headers: IncomingHttpHeaders): Promise<Rendered> {
    const openMetrics = this.registry.contentType === Registry.OPENMETRICS_CONTENT_TYPE && acceptsOpenMetrics(headers.accept);
    const next = this.queue.then(() => this.renderAs(openMetrics ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async renderAs(contentType: RegistryContentType): Promise<Rendered> {
    const original = this.registry.contentType;
    const names = this.registry.getMetricsAsArray().map((m) => [m, (m as unknown as { name: string }).name] as const);
    this.registry.setContentType(contentType);
    try {
      return { body: await this.registry.metrics(), contentType };
    } finally {
      for (const [metric, name] of names) (metric as unknown as { name: string }).name = name;
      this.registry.setContentType(original);
    }
  }
}
