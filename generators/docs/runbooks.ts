import { OUT, generatedHeader } from '../../src/conventions.ts';
import type { Artifact } from '../../src/model/artifact.ts';
import { alertLabels, isAlertRule } from '../../src/model/alert-rule.ts';
import type { Model } from '../../src/model/model.ts';
import { referencedMetrics } from '../../src/promql/analyze.ts';
import { renderTemplate } from '../../src/templates.ts';

/**
 * One runbook page per alert name: what it means, its expression, the metrics behind it. An alert
 * instantiated once per deployment shares one page, written from its first instance.
 */
export function runbooks(model: Model): Artifact[] {
  const out: Artifact[] = [];
  const written = new Set<string>();
  for (const item of model.specs.rules) {
    for (const rule of item.value.rules) {
      if (!isAlertRule(rule) || written.has(rule.alert)) continue;
      written.add(rule.alert);
      const labels = alertLabels(rule, item.value);
      const metrics = [...new Set(referencedMetrics(rule.expr))]
        .map((n) => model.catalog.lookupSeries(n)?.metric)
        .filter((m) => m !== undefined);
      out.push({
        path: `${OUT.docs}/runbooks/${rule.alert}.md`,
        body: renderTemplate('docs/runbook.md.hbs', {
          header: generatedHeader(model.stack.value, [item.file], '<!--').replace(/\n$/, ' -->'),
          alert: rule.alert,
          severity: rule.severity,
          team: labels.team,
          service: labels.service,
          summary: rule.summary,
          description: rule.description,
          expr: rule.expr,
          for: rule.for,
          file: item.file,
          group: item.value.name,
          metrics: [...new Map(metrics.map((m) => [m.name, m])).values()],
        }),
      });
    }
  }
  return out;
}
