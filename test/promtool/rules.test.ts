import { describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { OUT_DIR } from '../support/paths.ts';
import { runTool } from '../support/tools.ts';
import { SCHEMAS_MISSING_REASON, schemaErrors, schemasAvailable } from '../support/schemas.ts';

/** promtool is the final word on every generated rule file and unit test in out/prometheus. */
const rulesDir = join(OUT_DIR, 'prometheus', 'rules');
const testsDir = join(OUT_DIR, 'prometheus', 'tests');
const ruleFiles = existsSync(rulesDir) ? readdirSync(rulesDir).filter((f) => f.endsWith('.yml')) : [];
const testFiles = existsSync(testsDir) ? readdirSync(testsDir).filter((f) => f.endsWith('.test.yml')) : [];

describe('promtool over out/prometheus', () => {
  it('finds generated rule files and unit tests', () => {
    expect(ruleFiles.length).toBeGreaterThan(0);
    expect(testFiles.length).toBeGreaterThan(0);
  });

  it('promtool check rules passes on every rule file, lint included', () => {
    const r = runTool('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', ...ruleFiles.map((f) => join(rulesDir, f))]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it.each(testFiles)('promtool test rules %s', (file) => {
    const r = runTool('promtool', ['test', 'rules', file], { cwd: testsDir });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('every alert has a firing and a quiet unit test', () => {
    const alerts = new Set<string>();
    for (const f of ruleFiles) {
      const doc = parse(readFileSync(join(rulesDir, f), 'utf8')) as { groups: Array<{ rules: Array<{ alert?: string }> }> };
      for (const g of doc.groups) for (const r of g.rules) if (r.alert) alerts.add(r.alert);
    }
    const firing = new Set<string>();
    const quiet = new Set<string>();
    for (const f of testFiles) {
      const doc = parse(readFileSync(join(testsDir, f), 'utf8')) as { tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }> };
      for (const t of doc.tests)
        for (const a of t.alert_rule_test ?? []) (a.exp_alerts.length > 0 ? firing : quiet).add(a.alertname);
    }
    const missing = [...alerts].filter((a) => !firing.has(a) || !quiet.has(a));
    expect(missing).toEqual([]);
  });
});

describe('down alerts guarded by absent()', () => {
  const down = [
    { alert: 'KthenaRouterDown', file: 'kthena-router-alerts' },
    { alert: 'KthenaServiceDown', file: 'kthena-inference-alerts' },
  ];
  type Case = { name: string; input_series: unknown[]; alert_rule_test: Array<{ alertname: string; exp_alerts: Array<{ exp_labels: Record<string, string> }> }> };
  const casesOf = (file: string) => (parse(readFileSync(join(testsDir, `${file}.test.yml`), 'utf8')) as { tests: Case[] }).tests;

  it.each(down)('$alert fires with no target of its job and stays quiet with a healthy one', ({ alert, file }) => {
    const cases = casesOf(file).filter((c) => c.alert_rule_test.some((t) => t.alertname === alert));
    const empty = cases.find((c) => c.input_series.length === 0);
    expect(empty, 'a case without any series').toBeDefined();
    const [expected] = empty!.alert_rule_test[0]!.exp_alerts;
    expect(expected?.exp_labels.job).toBeDefined();
    expect(expected?.exp_labels.instance).toBeUndefined();
    const quiet = cases.filter((c) => c.alert_rule_test[0]!.exp_alerts.length === 0);
    expect(quiet.some((c) => JSON.stringify(c.input_series).includes('up{') && JSON.stringify(c.input_series).includes('1+0x'))).toBe(true);
  });

  it('without the absent() guard the no-target case fails, so it tests the guard', () => {
    const dir = mkdtempSync(join(tmpdir(), 'infermon-absent-'));
    try {
      cpSync(join(OUT_DIR, 'prometheus'), join(dir, 'prometheus'), { recursive: true });
      const rules = join(dir, 'prometheus', 'rules', 'kthena-router-alerts.yml');
      const unguarded = readFileSync(rules, 'utf8').replace(/ or absent\(up\{[^}]*\}\)/, '');
      expect(unguarded).not.toContain('absent(');
      writeFileSync(rules, unguarded);
      const r = runTool('promtool', ['test', 'rules', 'kthena-router-alerts.test.yml'], { cwd: join(dir, 'prometheus', 'tests') });
      expect(r.status).not.toBe(0);
      expect(r.stdout + r.stderr).toContain('discovery finds no target of the job');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!schemasAvailable)('PrometheusRule CRs against the prometheus-operator schema', () => {
  const dir = join(OUT_DIR, 'kubernetes', 'prometheus-rules');
  const files = existsSync(dir) ? readdirSync(dir) : [];
  it('finds PrometheusRule CRs', () => expect(files.length).toBeGreaterThan(0));
  it.each(files)('%s is valid (strict)', (f) => {
    const cr = parse(readFileSync(join(dir, f), 'utf8'));
    expect(schemaErrors('prometheus-operator/prometheusrule.v1.strict.json', cr)).toEqual([]);
  });
});
if (!schemasAvailable) console.warn(SCHEMAS_MISSING_REASON);
