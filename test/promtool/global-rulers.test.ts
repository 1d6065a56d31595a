import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { OUT } from '../../src/conventions.ts';
import type { Artifact } from '../../src/model/artifact.ts';
import { walk, toExpr, type Expr } from '../../src/promql/ast.ts';
import { parsePromQL } from '../../src/promql/parse.ts';
import { buildModel, checkModel, generateArtifacts } from '../../src/pipeline.ts';
import { examplePlatformFixture } from '../support/spec-fixture.ts';
import { runTool } from '../support/tools.ts';
import { SCHEMAS_MISSING_REASON, schemaErrors, schemasAvailable } from '../support/schemas.ts';
import { artifactText } from '../../src/emit/render.ts';

/**
 * The example platform with its rules evaluated above the clusters (stack `global`): every generated
 * expression keeps the cluster label, promtool still accepts every rule file and unit test, Thanos Ruler
 * and Mimir get their own rule files, and every dashboard selects one cluster.
 */

interface RuleFile {
  namespace?: string;
  groups: Array<{ name: string; partial_response_strategy?: string; rules: Array<{ expr: string; alert?: string; record?: string }> }>;
}

async function generate(global: Record<string, unknown> | undefined): Promise<Artifact[]> {
  const specs = examplePlatformFixture(global ? { global } : {});
  try {
    const { model, diagnostics } = await buildModel(specs, specs);
    if (!model) throw new Error(diagnostics.items.map((d) => `${d.code}: ${d.message}`).join('\n'));
    const errors = checkModel(model, diagnostics).errors;
    if (errors.length > 0) throw new Error(errors.map((d) => `${d.code} ${d.file} ${d.path}: ${d.message}`).join('\n'));
    return generateArtifacts(model);
  } finally {
    rmSync(specs, { recursive: true, force: true });
  }
}

const byPath = (artifacts: Artifact[], prefix: string) => new Map(artifacts.filter((a) => a.path.startsWith(`${prefix}/`)).map((a) => [a.path.slice(prefix.length + 1), parse(artifactText(a)) as RuleFile]));

/** Aggregations that sum clusters together: no `by` with the label, outside `scalar()`. */
function aggregationsDroppingLabel(expr: string, label: string): string[] {
  const parsed = parsePromQL(expr);
  if (parsed.error) return [`does not parse: ${parsed.error.reason}`];
  const dropping: string[] = [];
  const visit = (e: Expr, inScalar: boolean) => {
    if (e.kind === 'aggregate' && !inScalar && (e.grouping?.mode ?? 'by') === 'by' && !e.grouping?.labels.includes(label)) dropping.push(expr.slice(e.from, e.to));
    const scalar = inScalar || (e.kind === 'call' && e.fn === 'scalar');
    const children: Expr[] =
      e.kind === 'aggregate' || e.kind === 'call' ? e.args : e.kind === 'binary' ? [e.lhs, e.rhs] : 'expr' in e ? [e.expr] : [];
    for (const c of children) visit(c, scalar);
  };
  visit(toExpr(parsed), false);
  return dropping;
}

let plain: Artifact[];
let thanos: Artifact[];
let mimir: Artifact[];
let tree: string;

beforeAll(async () => {
  plain = await generate(undefined);
  thanos = await generate({ clusterLabels: ['cluster'], ruler: 'thanos' });
  mimir = await generate({ clusterLabels: ['cluster'], ruler: 'mimir' });
  tree = mkdtempSync(join(tmpdir(), 'infermon-global-'));
  for (const a of thanos) {
    mkdirSync(dirname(join(tree, a.path)), { recursive: true });
    writeFileSync(join(tree, a.path), artifactText(a));
  }
}, 120_000);
afterAll(() => rmSync(tree, { recursive: true, force: true }));

describe('rules evaluated above the clusters', () => {
  it('keep the cluster label through every aggregation of every rule', () => {
    const rules = [...byPath(thanos, OUT.prometheusRules).values()].flatMap((f) => f.groups.flatMap((g) => g.rules));
    expect(rules.length).toBeGreaterThan(100);
    const dropping = rules.flatMap((r) => aggregationsDroppingLabel(r.expr, 'cluster').map((a) => `${r.alert ?? r.record}: ${a}`));
    expect(dropping).toEqual([]);
    // The same rules without `global` do sum clusters together: the rewrite is what keeps them apart.
    const plainRules = [...byPath(plain, OUT.prometheusRules).values()].flatMap((f) => f.groups.flatMap((g) => g.rules));
    expect(plainRules.length).toBe(rules.length);
    expect(plainRules.flatMap((r) => aggregationsDroppingLabel(r.expr, 'cluster')).length).toBeGreaterThan(50);
  });

  it('promtool check rules passes on every rule file', () => {
    const dir = join(tree, OUT.prometheusRules);
    const r = runTool('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', ...readdirSync(dir).map((f) => join(dir, f))]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  // The example's unit tests feed single-cluster series, so they hold unchanged; the SLO suites replay 30
  // days each and the whole set already runs over out/ (rules.test.ts), so one SLO suite stands for them.
  it('promtool test rules passes on the alert suites and an SLO suite', () => {
    const dir = join(tree, OUT.prometheusTests);
    const failed = readdirSync(dir)
      .filter((f) => !f.startsWith('slo-') || f === 'slo-arks-gateway.test.yml')
      .map((f) => ({ f, r: runTool('promtool', ['test', 'rules', f], { cwd: dir }) }))
      .filter(({ r }) => r.status !== 0)
      .map(({ f, r }) => `${f}: ${r.stdout}${r.stderr}`);
    expect(failed).toEqual([]);
  }, 600_000);

  it('gives Thanos Ruler the same groups with their partial response strategy', () => {
    const prometheusFiles = byPath(thanos, OUT.prometheusRules);
    const thanosFiles = byPath(thanos, OUT.thanosRules);
    expect([...thanosFiles.keys()]).toEqual([...prometheusFiles.keys()]);
    for (const [file, doc] of thanosFiles) {
      expect(doc.groups.every((g) => g.partial_response_strategy === 'abort'), file).toBe(true);
      expect(doc.groups.map(({ partial_response_strategy: _, ...g }) => g), file).toEqual(prometheusFiles.get(file)!.groups);
    }
    expect(byPath(plain, OUT.thanosRules).size).toBe(0);
  });

  it.skipIf(!schemasAvailable)('puts the strategy in the PrometheusRule CRs ThanosRuler selects, valid against the CRD', () => {
    const crs = thanos.filter((a) => a.path.startsWith(`${OUT.kubernetes}/prometheus-rules/`)).flatMap((a) => parseAllDocuments(artifactText(a)).map((d) => d.toJS()));
    expect(crs.length).toBeGreaterThan(0);
    for (const cr of crs) {
      expect(schemaErrors('prometheus-operator/prometheusrule.v1.strict.json', cr)).toEqual([]);
      expect(cr.spec.groups.every((g: { partial_response_strategy?: string }) => g.partial_response_strategy === 'abort')).toBe(true);
    }
  });
  it.skipIf(schemasAvailable)(SCHEMAS_MISSING_REASON, () => {});

  it('gives Mimir rule files with the namespace mimirtool loads them into', () => {
    const prometheusFiles = byPath(mimir, OUT.prometheusRules);
    const mimirFiles = byPath(mimir, OUT.mimirRules);
    expect([...mimirFiles.keys()]).toEqual([...prometheusFiles.keys()]);
    for (const [file, doc] of mimirFiles) {
      expect(doc.namespace).toBe(file.replace(/\.yml$/, ''));
      expect(doc.groups).toEqual(prometheusFiles.get(file)!.groups);
    }
    const groupNames = [...mimirFiles.values()].flatMap((d) => d.groups.map((g) => `${d.namespace}/${g.name}`));
    expect(new Set(groupNames).size).toBe(groupNames.length);
  });

  it('gives every dashboard a single-choice cluster variable that every query selects', () => {
    const dashboards = thanos.filter((a) => a.path.startsWith(`${OUT.grafanaDashboards}/`) && a.path.endsWith('.json'));
    expect(dashboards.length).toBeGreaterThan(5);
    for (const a of dashboards) {
      const json = JSON.parse(artifactText(a)) as {
        templating: { list: Array<{ name: string; multi?: boolean; query?: unknown }> };
        panels: Array<{ targets?: Array<{ expr: string }>; panels?: Array<{ targets?: Array<{ expr: string }> }> }>;
      };
      const cluster = json.templating.list.find((v) => v.name === 'cluster');
      expect(cluster, a.path).toBeDefined();
      const exprs = json.panels.flatMap((p) => [...(p.targets ?? []), ...(p.panels ?? []).flatMap((c) => c.targets ?? [])]).map((t) => t.expr);
      expect(exprs.length, a.path).toBeGreaterThan(0);
      const unfiltered = exprs.filter((e) => [...walk(toExpr(parsePromQL(e)))].some((n) => n.kind === 'selector' && !n.matchers.some((m) => m.label === 'cluster')));
      expect(unfiltered, a.path).toEqual([]);
    }
  });
});
