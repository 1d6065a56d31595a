import type { SpecLocation } from '../model/diagnostics.ts';

/**
 * What `infermon verify` and `infermon catalog diff` report. A problem makes the command fail; a warning
 * is drift worth a look (series the catalog does not describe); a note is an expected gap, with its reason
 * (a conditional family that is not enabled, a rule group not evaluated yet).
 */

export type Severity = 'problem' | 'warning' | 'note';
export type CheckName = 'targets' | 'queries' | 'labels' | 'families';

export interface Finding {
  check: CheckName;
  severity: Severity;
  /** What was checked: a job, a query, a family. */
  subject: string;
  message: string;
  /** The spec the checked thing comes from. */
  at?: SpecLocation;
}

export interface Report {
  /** The Prometheus or /metrics endpoint (or file) read. */
  against: string;
  /** How many of each thing were checked: `jobs`, `queries`, `families`. */
  checked: Record<string, number>;
  findings: Finding[];
}

const ORDER: Record<Severity, number> = { problem: 0, warning: 1, note: 2 };

export function hasProblems(report: Report): boolean {
  return report.findings.some((f) => f.severity === 'problem');
}

function counted(report: Report, severity: Severity): string {
  const n = report.findings.filter((f) => f.severity === severity).length;
  return `${n} ${severity}${n === 1 ? '' : 's'}`;
}

export function reportText(command: string, report: Report): string {
  const checked = Object.entries(report.checked)
    .map(([check, n]) => `${n} ${check}`)
    .join(', ');
  const lines = [`${command} ${report.against}: checked ${checked}; ${counted(report, 'problem')}, ${counted(report, 'warning')}, ${counted(report, 'note')}`];
  const sorted = [...report.findings].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  for (const f of sorted) {
    const where = f.at ? ` (${f.at.file}${f.at.line ? `:${f.at.line}` : ''}: ${f.at.path})` : '';
    lines.push(`${f.severity} ${f.check} ${f.subject}${where}`, `  ${f.message}`);
  }
  return `${lines.join('\n')}\n`;
}

export function reportJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
