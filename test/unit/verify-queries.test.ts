import { beforeAll, describe, expect, it } from 'vitest';
import { dashboardQueries } from '../../generators/grafana/queries.ts';
import type { Plan } from '../../src/plan/index.ts';
import { resolveSeries } from '../../src/verify/catalog-compare.ts';
import { generatedQueries } from '../../src/verify/generated-queries.ts';
import { asGrafanaSends } from '../../src/verify/grafana-values.ts';
import { probedSelectors } from '../../src/verify/series-probe.ts';
import { projectModel } from './wiring-fixture.ts';

/** The offline parts of `infermon verify`: which queries it runs, as Grafana would send them, reading which series. */

const windows = { rateInterval: '2m', interval: '30s', range: '1h' };

describe('queries as Grafana sends them', () => {
  it('fills built-in variables, "All" into regex matchers and a real value into equality matchers', async () => {
    const asked: string[] = [];
    const sent = await asGrafanaSends('sum(rate(x_total{model=~"$model", pod="${pod}"}[$__rate_interval])) / $__range_s', windows, async (label) => {
      asked.push(label);
      return 'a"b';
    });
    expect(sent).toBe('sum(rate(x_total{model=~".*", pod="a\\"b"}[2m])) / 3600');
    expect(asked).toEqual(['pod']);
  });

  it('refuses a variable that stands for more than a label value', async () => {
    await expect(asGrafanaSends('sum by ($group) (x)', windows, async () => 'v')).rejects.toThrow('$group stands outside a label matcher');
  });
});

describe('series a query must find', () => {
  it('leaves out selectors inside absent(), whose emptiness is the point', () => {
    expect(probedSelectors('absent(up{job="vllm"}) or rate(x_total{a="b"}[5m]) > 0').map((s) => s.metric)).toEqual(['x_total']);
  });

});

describe('generated queries of the example platform', () => {
  let model: Plan;
  beforeAll(async () => {
    model = await projectModel();
  });

  it('cover every rule, every SLI and every panel query, with SLI windows filled in', () => {
    const queries = generatedQueries(model, '5m');
    const kinds = new Set(queries.map((q) => q.kind));
    expect(kinds).toEqual(new Set(['alert', 'recording rule', 'slo', 'dashboard']));
    const rules = model.specs.rules.reduce((n, g) => n + g.value.rules.length, 0);
    expect(queries.filter((q) => q.kind === 'alert' || q.kind === 'recording rule')).toHaveLength(rules);
    expect(queries.filter((q) => q.kind === 'dashboard').map((q) => q.expr)).toEqual(dashboardQueries(model).map((q) => q.expr));
    for (const q of queries.filter((x) => x.kind === 'slo')) expect(q.expr).not.toContain('{{');
  });

  it("reads a Python client's x_created as part of counter x_total", () => {
    expect(resolveSeries(model.catalog, 'vllm:prompt_tokens_created')).toMatchObject({ metric: { name: 'vllm:prompt_tokens_total' }, suffix: '_created' });
    expect(resolveSeries(model.catalog, 'vllm:made_up_created')).toBeUndefined();
  });
});
