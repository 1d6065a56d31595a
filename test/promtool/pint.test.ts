import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OUT } from '../../src/conventions.ts';
import { PROJECT_ROOT } from '../support/paths.ts';
import { runTool } from '../support/tools.ts';

/**
 * pint, the rule linter teams run in CI, over every generated Prometheus rule file: the plain rule files
 * and the PrometheusRule CRs. Offline here; the live loop runs it online against its Prometheus. Every
 * problem of any severity fails, except checks the committed .pint.hcl disables, each with its reason.
 */

const CONFIG = join(PROJECT_ROOT, '.pint.hcl');
const TARGETS = [OUT.prometheusRules, `${OUT.kubernetes}/prometheus-rules`].map((p) => `out/${p}`);

interface PintProblem {
  path: string;
  reporter: string;
  problem: string;
  severity: string;
  lines?: number[];
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'infermon-pint-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lint(config: string, report: string): { status: number | null; log: string; problems: PintProblem[]; rules: number } {
  const r = runTool('pint', ['--config', config, '--offline', '--no-color', '--show-duplicates', 'lint', '--min-severity=info', '--fail-on=info', '--json', report, ...TARGETS], {
    cwd: PROJECT_ROOT,
  });
  const log = `${r.stdout}${r.stderr}`;
  const problems = existsSync(report) ? (JSON.parse(readFileSync(report, 'utf8')) as PintProblem[]) : [];
  return { status: r.status, log, problems, rules: Number(/entries=(\d+)/.exec(log)?.[1] ?? 0) };
}

const describeProblem = (p: PintProblem) => `${p.path}:${p.lines?.[0] ?? '?'} ${p.reporter} (${p.severity}): ${p.problem}`;

describe('pint --offline lint over the generated rules', () => {
  it('runs the pinned pint', () => {
    expect(runTool('pint', ['version']).stdout).toMatch(/^v0\.\d+\.\d+/);
  });

  it('reports no problem with the committed .pint.hcl', () => {
    const result = lint(CONFIG, join(dir, 'report.json'));
    expect(result.rules, result.log).toBeGreaterThan(0);
    expect(result.problems.map(describeProblem)).toEqual([]);
    expect(result.status, result.log).toBe(0);
  });

  it('needs each check .pint.hcl disables, and hides nothing else', () => {
    const config = readFileSync(CONFIG, 'utf8');
    const disabled = [...config.matchAll(/^\s*disable\s*=\s*\[([^\]]*)\]/gm)].flatMap((m) => [...m[1]!.matchAll(/"([^"]+)"/g)].map((x) => x[1]!));
    expect(disabled.length).toBeGreaterThan(0);
    const open = join(dir, 'open.hcl');
    writeFileSync(open, config.replace(/^\s*disable\s*=\s*\[[^\]]*\]\s*$/gm, ''));
    const result = lint(open, join(dir, 'open.json'));
    expect(result.status, result.log).toBe(1);
    expect([...new Set(result.problems.map((p) => p.reporter))].sort()).toEqual([...new Set(disabled)].sort());
  });
});
