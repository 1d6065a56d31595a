import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { modelDrilldownDashboard, moeRouterDashboard } from '../../src/content/dashboards/index.ts';
import { runTool } from '../support/tools.ts';

/**
 * Bundled panels whose query encodes a definition from the source documents, evaluated by promtool on
 * series built to the definition: the value the panel shows is the one the document defines.
 */

type Spec = ReturnType<typeof moeRouterDashboard>['spec'];

function panelExpr(spec: Spec, title: string): string {
  const panel = (spec.rows ?? []).flatMap((r) => r.panels).find((p) => p.title === title);
  expect(panel, title).toBeDefined();
  return panel!.queries[0]!.expr;
}

/** The query as Grafana sends it with every variable on "All" and a 5m rate window. */
function asSent(expr: string): string {
  return expr.replace(/\$__rate_interval/g, '5m').replace(/"\$[a-z_]+"/g, '".*"');
}

/** The query's value at 10m over these series, through promtool's rule unit tests. */
function evaluate(expr: string, series: Array<{ series: string; values: string }>, expected: Array<{ labels: string; value: number }>) {
  const dir = mkdtempSync(join(tmpdir(), 'infermon-panel-'));
  writeFileSync(join(dir, 'rules.yml'), stringify({ groups: [{ name: 'panel', rules: [{ record: 'panel:value', expr: asSent(expr) }] }] }));
  const test = { rule_files: ['rules.yml'], evaluation_interval: '1m', tests: [{ interval: '1m', input_series: series, promql_expr_test: [{ expr: 'panel:value', eval_time: '10m', exp_samples: expected }] }] };
  writeFileSync(join(dir, 'test.yml'), stringify(test));
  return runTool('promtool', ['test', 'rules', 'test.yml'], { cwd: dir });
}

describe('panels that compute a documented definition', () => {
  it('MoE FLOP reduction is FLOPs saved per FLOP computed (350k saved on 1M computed shows 35%)', () => {
    const expr = panelExpr(moeRouterDashboard().spec, 'FLOP reduction');
    const series = [
      { series: 'dynamic_moe_flops_computed_total{model_name="mixtral-8x7b", layer_type="moe"}', values: '0+600000x20' },
      { series: 'dynamic_moe_flops_computed_total{model_name="mixtral-8x7b", layer_type="attention"}', values: '0+400000x20' },
      { series: 'dynamic_moe_flops_saved_total{model_name="mixtral-8x7b"}', values: '0+350000x20' },
    ];
    const right = evaluate(expr, series, [{ labels: 'panel:value', value: 0.35 }]);
    expect(right.status, right.stdout + right.stderr).toBe(0);
    // Saved over saved-plus-computed would show 26%: the test tells the two apart.
    const wrong = evaluate(expr, series, [{ labels: 'panel:value', value: 350000 / 1350000 }]);
    expect(wrong.status).not.toBe(0);
  });

  it("model accuracy shows each evaluation's score for the chosen model", () => {
    const expr = panelExpr(modelDrilldownDashboard().spec, 'Model accuracy over time');
    const series = [
      { series: 'model_accuracy_score{model_id="llama-3-8b", version="v3", dataset="eval"}', values: '0.91x20' },
      { series: 'model_accuracy_score{model_id="llama-3-8b", version="v3", dataset="holdout"}', values: '0.84x20' },
    ];
    const r = evaluate(expr, series, [
      { labels: 'panel:value{dataset="eval", version="v3"}', value: 0.91 },
      { labels: 'panel:value{dataset="holdout", version="v3"}', value: 0.84 },
    ]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});
