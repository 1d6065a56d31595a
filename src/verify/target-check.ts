import type { Source } from '../model/catalog.ts';
import type { Model } from '../model/model.ts';
import { droppedTargetsDiagnosis } from './dropped-targets.ts';
import type { Finding } from './findings.ts';
import type { DroppedTarget, PrometheusApi, Target } from './prometheus-api.ts';

/**
 * Every source Prometheus should scrape (infermon's own scrape wiring and the stack's platform monitors)
 * has targets under its job, and every one of them is up.
 */

/** Sources whose series come from a scrape, so their job must have targets. */
export function scrapedSourcesOf(model: Model): Source[] {
  return model.catalog.sources.filter((s) => s.delivery === 'scrape' || s.delivery === 'platform');
}

/** What the source's discovery looks for, for a message about a job without targets. */
function discoveryOf(source: Source, model: Model): string {
  const fixed = model.stack.value.plainPrometheus.staticTargets[source.name];
  const k8s = source.kubernetes;
  const parts: string[] = [];
  if (k8s) {
    const labels = Object.entries(k8s.serviceLabels ?? k8s.podLabels).map(([k, v]) => `${k}=${v}`).join(', ');
    parts.push(`${k8s.serviceLabels ? 'Services' : 'pods'} labelled ${labels} in namespace ${k8s.namespace}, port ${source.port.name}`);
  }
  if (fixed) parts.push(`static targets ${fixed.join(', ')}`);
  return parts.length > 0 ? `; the specs expect ${parts.join(', or ')}` : '';
}

export async function checkTargets(model: Model, api: PrometheusApi): Promise<{ checked: number; findings: Finding[] }> {
  const targets = await api.activeTargets();
  const byJob = new Map<string, Target[]>();
  for (const t of targets) byJob.set(t.labels.job ?? '', [...(byJob.get(t.labels.job ?? '') ?? []), t]);
  const findings: Finding[] = [];
  const sources = scrapedSourcesOf(model);
  let dropped: DroppedTarget[] | undefined;
  for (const source of sources) {
    const subject = `job ${source.job}`;
    const found = byJob.get(source.job) ?? [];
    if (found.length === 0) {
      dropped ??= await api.droppedTargets();
      const why = droppedTargetsDiagnosis(source, dropped);
      findings.push({
        check: 'targets',
        severity: 'problem',
        subject,
        message: `no target discovered for source ${source.name}${discoveryOf(source, model)}${why ? `; ${why}` : ''}`,
      });
      continue;
    }
    for (const t of found.filter((x) => x.health !== 'up'))
      findings.push({ check: 'targets', severity: 'problem', subject, message: `${t.scrapeUrl} is ${t.health}: ${t.lastError || 'not scraped yet'}` });
  }
  return { checked: sources.length, findings };
}
