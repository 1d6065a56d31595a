import { describe, expect, it } from 'vitest';
import { keepLabels } from '../../src/promql/keep-labels.ts';

describe('keepLabels', () => {
  it.each([
    ['sum(rate(x[5m]))', 'sum by (cluster) (rate(x[5m]))'],
    ['sum by (model) (rate(x[5m])) / sum by(model)(rate(y[5m]))', 'sum by (model, cluster) (rate(x[5m])) / sum by(model, cluster)(rate(y[5m]))'],
    ['sum(x) by (model)', 'sum(x) by (model, cluster)'],
    ['sum by () (x)', 'sum by (cluster) (x)'],
    ['sum by (model,) (x)', 'sum by (model,cluster) (x)'],
    ['histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m]))) > 2', 'histogram_quantile(0.99, sum by (le, cluster) (rate(h_bucket[5m]))) > 2'],
    ['topk(3, x)', 'topk by (cluster) (3, x)'],
    ['a and on(sloth_id) b', 'a and on(sloth_id, cluster) b'],
    ['sum by (cluster) (x)', 'sum by (cluster) (x)'],
    ['sum(rate(x[$__rate_interval]))', 'sum by (cluster) (rate(x[$__rate_interval]))'],
  ])('%s keeps the cluster', (query, expected) => expect(keepLabels(query, ['cluster'])).toBe(expected));

  it.each([
    ['without keeps every label it does not name', 'sum without (pod) (x)'],
    ['the "one" side of group_left is a per-SLO constant without the label', 'a / on(sloth_id, sloth_slo) group_left b'],
    ['scalar() needs one series', 'x > scalar(sum(y))'],
    ['a query that does not parse is the checker’s to report', 'sum(rate(x[5m])'],
  ])('leaves it alone where %s', (_, query) => expect(keepLabels(query, ['cluster'])).toBe(query));

  it('adds several labels in order and no label twice', () => {
    expect(keepLabels('sum by (region) (x)', ['cluster', 'region'])).toBe('sum by (region, cluster) (x)');
  });
});
