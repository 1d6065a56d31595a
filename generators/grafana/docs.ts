import { OUT, generatedHeader } from '../../src/conventions.ts';
import type { Artifact } from '../../src/model/artifact.ts';
import type { Model } from '../../src/model/model.ts';
import { renderTemplate } from '../../src/templates.ts';
import { conditionsOf } from './queries.ts';
import type { ResolvedDashboard } from '../../src/grafana/resolve.ts';
import { labelValuesQuery } from '../../src/grafana/variables.ts';

/** out/docs/dashboards.md: every dashboard with its variables, panels and queries. */
export function dashboardsDoc(dashboards: readonly ResolvedDashboard[], model: Model): Artifact {
  const data = {
    header: generatedHeader(model.stack.value, dashboards.map((d) => d.at.file), '<!--').replace(/\n$/, ' -->'),
    dashboards: dashboards.map((d) => ({
      id: d.spec.id,
      uid: d.uid,
      title: d.spec.title,
      description: d.spec.description,
      file: d.at.file,
      links: d.spec.links,
      variables: d.variables.map((v) => ({
        name: v.name,
        title: v.title,
        source: v.type === 'label' ? labelValuesQuery(v) : v.values.join(', '),
      })),
      rows: d.rows.map((row) => ({
        title: row.title,
        repeat: row.repeat ? `$${row.repeat}` : undefined,
        panels: row.panels.map((p) => ({
          id: p.id,
          title: p.title,
          type: p.type,
          unit: p.unit,
          description: p.description,
          conditions: conditionsOf(p, model).join('; '),
          queries: p.queries.map((q) => ({ expr: q.expr, legend: q.legend ?? '' })),
        })),
      })),
    })),
  };
  return { path: `${OUT.docs}/dashboards.md`, format: 'text', text: renderTemplate('docs/dashboards.md.hbs', data) };
}
