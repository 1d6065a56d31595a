import { GRAFANA_DASHBOARD_TAG, GRAFANA_DATASOURCE_VARIABLE } from '../conventions.ts';
import { parsePromQL, substituteVariables } from '../promql/parse.ts';

/**
 * Rules over a finished dashboard JSON, after Grafana's dashboard-linter: titles, units, the datasource
 * variable on every panel and target, unique panel ids, used template variables, `$__rate_interval` in
 * range selectors, and a grid that neither overlaps nor overflows.
 */

export interface LintProblem {
  rule: string;
  /** JSON path inside the dashboard, e.g. `panels[3].targets[0].expr`. */
  path: string;
  message: string;
}

/** Range windows allowed in panel queries: Grafana's rate interval, and the whole range for totals. */
export const ALLOWED_WINDOWS = ['$__rate_interval', '$__range'] as const;

/** The range text of every range selector in a query (`$__rate_interval`, `5m`, ...), in order. */
export function rangeWindows(expr: string): string[] {
  const parsed = parsePromQL(expr);
  const windows: string[] = [];
  parsed.tree.iterate({
    enter(node) {
      if (node.name !== 'MatrixSelector') return undefined;
      const text = parsed.source.slice(node.from, node.to);
      windows.push(text.slice(text.lastIndexOf('[') + 1, text.lastIndexOf(']')).trim());
      return undefined;
    },
  });
  return windows;
}

interface JsonPanel {
  id?: number;
  type?: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  gridPos?: { x: number; y: number; w: number; h: number };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: Array<{ expr?: string; datasource?: { type?: string; uid?: string } }>;
}

interface JsonVariable {
  name: string;
  type: string;
  query?: unknown;
  definition?: string;
}

interface JsonDashboard {
  title?: string;
  uid?: string;
  tags?: string[];
  panels?: JsonPanel[];
  templating?: { list?: JsonVariable[] };
}

const DATASOURCE_UID = `\${${GRAFANA_DATASOURCE_VARIABLE}}`;

function variablesIn(text: string): string[] {
  return substituteVariables(text).variables.map((v) => v.name);
}

export function lintDashboard(dashboard: unknown): LintProblem[] {
  const d = dashboard as JsonDashboard;
  const problems: LintProblem[] = [];
  const report = (rule: string, path: string, message: string) => problems.push({ rule, path, message });
  const panels = d.panels ?? [];
  const variables = d.templating?.list ?? [];

  if (!d.title) report('dashboard-title', 'title', 'the dashboard has no title');
  if (!d.uid || d.uid.length > 40) report('dashboard-uid', 'uid', 'the dashboard needs a UID of at most 40 characters');
  if (!d.tags?.includes(GRAFANA_DASHBOARD_TAG)) report('dashboard-tag', 'tags', `the dashboard lacks the \`${GRAFANA_DASHBOARD_TAG}\` tag the header links follow`);

  const datasourceVariable = variables.find((v) => v.name === GRAFANA_DATASOURCE_VARIABLE);
  if (!datasourceVariable || datasourceVariable.type !== 'datasource' || datasourceVariable.query !== 'prometheus')
    report('template-datasource', 'templating', `no Prometheus datasource variable named \`${GRAFANA_DATASOURCE_VARIABLE}\``);

  const ids = new Map<number, number>();
  panels.forEach((panel, i) => {
    const at = `panels[${i}]`;
    if (typeof panel.id !== 'number') report('panel-id', at, 'the panel has no id');
    else if (ids.has(panel.id)) report('panel-id', at, `panel id ${panel.id} is also used by panels[${ids.get(panel.id)}]`);
    else ids.set(panel.id, i);
    if (!panel.title) report('panel-title', at, 'the panel has no title');
    if (panel.type === 'row') return;
    if (!panel.fieldConfig?.defaults?.unit) report('panel-units', at, `panel "${panel.title}" has no unit`);
    if (panel.datasource?.uid !== DATASOURCE_UID)
      report('panel-datasource', at, `panel "${panel.title}" does not use the \`${DATASOURCE_UID}\` datasource`);
    if (!panel.targets?.length) report('panel-targets', at, `panel "${panel.title}" has no query`);
    panel.targets?.forEach((target, j) => {
      if (target.datasource && target.datasource.uid !== DATASOURCE_UID)
        report('target-datasource', `${at}.targets[${j}]`, `a query of "${panel.title}" names another datasource`);
      for (const window of rangeWindows(target.expr ?? ''))
        if (!(ALLOWED_WINDOWS as readonly string[]).includes(window))
          report('target-rate-interval', `${at}.targets[${j}].expr`, `range [${window}] in "${panel.title}"; use [$__rate_interval]`);
    });
  });

  const used = new Set<string>();
  for (const panel of panels) for (const target of panel.targets ?? []) for (const name of variablesIn(target.expr ?? '')) used.add(name);
  for (const v of variables) if (typeof v.query === 'string') for (const name of variablesIn(v.query)) used.add(name);
  variables.forEach((v, i) => {
    if (v.name !== GRAFANA_DATASOURCE_VARIABLE && !used.has(v.name))
      report('template-variable-unused', `templating.list[${i}]`, `variable \`${v.name}\` is not used by any query`);
  });
  const defined = new Set(variables.map((v) => v.name));
  for (const name of used)
    if (!name.startsWith('__') && !defined.has(name))
      report('template-variable-undefined', 'templating', `queries use \`$${name}\`, which is not defined`);

  lintGrid(panels, report);
  return problems;
}

function lintGrid(panels: readonly JsonPanel[], report: (rule: string, path: string, message: string) => void): void {
  const boxes = panels.map((p) => p.gridPos);
  boxes.forEach((a, i) => {
    if (!a) return report('panel-grid', `panels[${i}]`, 'the panel has no gridPos');
    if (a.x < 0 || a.w < 1 || a.x + a.w > 24) report('panel-grid', `panels[${i}].gridPos`, 'the panel does not fit the 24-column grid');
    for (let j = 0; j < i; j++) {
      const b = boxes[j];
      if (b && a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h)
        report('panel-grid', `panels[${i}].gridPos`, `the panel overlaps panels[${j}]`);
    }
  });
}
