import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { OUT } from '../../src/conventions.ts';
import { planOf, type Plan } from '../../src/plan/index.ts';
import { buildModel, generateArtifacts } from '../../src/pipeline.ts';
import { OUT_DIR, PROJECT_ROOT } from '../support/paths.ts';
import { prometheusBinaries, reportedMajor, runTool } from '../support/tools.ts';
import { SCHEMAS_MISSING_REASON, schemaErrors, schemasAvailable } from '../support/schemas.ts';
import { artifactText } from '../../src/emit/render.ts';

/** promtool (the pinned Prometheus 3) is the final word on every generated rule file and unit test in out/prometheus. */
const rulesDir = join(OUT_DIR, 'prometheus', 'rules');
const testsDir = join(OUT_DIR, 'prometheus', 'tests');
const ruleFiles = existsSync(rulesDir) ? readdirSync(rulesDir).filter((f) => f.endsWith('.yml')) : [];
const testFiles = existsSync(testsDir) ? readdirSync(testsDir).filter((f) => f.endsWith('.test.yml')) : [];

describe('promtool over out/prometheus', () => {
  it('is promtool 3', () => expect(reportedMajor(prometheusBinaries(3).promtool)).toBe(3));

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
  }, 600_000);

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

/**
 * The Prometheus 2 target: a stack with `prometheusMajor: 2` gets rules and tests spelled for Prometheus 2
 * (integral `le` boundaries as "1", not "1.0"). Every file of prometheus/ that differs from the
 * Prometheus 3 output is checked and tested with Debian's promtool 2.42.
 */
describe('the Prometheus 2 target with promtool 2', () => {
  let dir: string;
  let differing: string[] = [];
  beforeAll(async () => {
    const { model } = await buildModel(join(PROJECT_ROOT, 'specs'), PROJECT_ROOT);
    if (!model) throw new Error('the project specs do not build');
    const forMajor = (major: 2 | 3): Plan => planOf({ ...model, stack: { ...model.stack, value: { ...model.stack.value, prometheusMajor: major } } });
    const three = new Map(generateArtifacts(forMajor(3)).map((a) => [a.path, artifactText(a)]));
    const two = generateArtifacts(forMajor(2)).filter((a) => a.path.startsWith('prometheus/'));
    dir = mkdtempSync(join(tmpdir(), 'infermon-prom2-'));
    for (const a of two) {
      mkdirSync(dirname(join(dir, a.path)), { recursive: true });
      writeFileSync(join(dir, a.path), artifactText(a));
    }
    differing = two.filter((a) => three.get(a.path) !== artifactText(a)).map((a) => a.path);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is promtool 2', () => expect(reportedMajor(prometheusBinaries(2).promtool)).toBe(2));

  it('differs from the Prometheus 3 output in rules and tests', () => {
    expect(differing.some((p) => p.startsWith(`${OUT.prometheusRules}/`))).toBe(true);
    expect(differing.some((p) => p.startsWith(`${OUT.prometheusTests}/`))).toBe(true);
  });

  it('promtool 2 check rules passes on every differing rule file', () => {
    const files = differing.filter((p) => p.startsWith(`${OUT.prometheusRules}/`)).map((p) => join(dir, p));
    const r = runTool(prometheusBinaries(2).promtool, ['check', 'rules', '--lint=all', '--lint-fatal', ...files]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('promtool 2 test rules passes on every differing unit test', () => {
    const files = differing.filter((p) => p.startsWith(`${OUT.prometheusTests}/`)).map((p) => p.split('/').pop()!);
    const r = runTool(prometheusBinaries(2).promtool, ['test', 'rules', ...files], { cwd: join(dir, OUT.prometheusTests) });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  }, 600_000);
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
