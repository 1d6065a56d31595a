import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Catalog, RECORDING_RULES_SOURCE } from '../../src/model/catalog-index.ts';
import { label, sourceSpecSchema, type Metric, type SourceSpec } from '../../src/model/catalog.ts';
import { checkPromQL, type PromQLContext } from '../../src/promql/check.ts';
import { outputLabels, referencedMetrics, selectors } from '../../src/promql/analyze.ts';
import { closest, editDistance } from '../../src/promql/did-you-mean.ts';
import { parsePromQL } from '../../src/promql/parse.ts';
import { literalAlternatives } from '../../src/promql/label-values.ts';

const runtime: SourceSpec = {
  name: 'runtime',
  component: 'vLLM',
  job: 'vllm',
  port: { name: 'http', number: 8000 },
  scrapeInterval: '15s',
  metrics: [
    { name: 'vllm:num_requests_running', type: 'gauge', help: 'Running requests.', unit: 'requests', labels: { model_name: label.bounded() } },
    { name: 'vllm:kv_cache_usage_perc', type: 'gauge', help: 'KV cache usage.', unit: 'ratio', labels: { model_name: label.bounded() } },
    {
      name: 'vllm:gpu_cache_usage_perc',
      type: 'gauge',
      help: 'GPU KV cache usage.',
      unit: 'ratio',
      labels: { model_name: label.bounded() },
      removedIn: '0.12',
      renamedTo: 'vllm:kv_cache_usage_perc',
    },
    {
      name: 'vllm:request_success_total',
      type: 'counter',
      help: 'Finished requests.',
      unit: 'requests',
      labels: { model_name: label.bounded(), finished_reason: label.enum(['stop', 'length', 'abort']) },
    },
    {
      name: 'vllm:e2e_request_latency_seconds',
      type: 'histogram',
      help: 'End-to-end latency.',
      unit: 'seconds',
      labels: { model_name: label.bounded() },
      buckets: [0.5, 1, 2.5, 5],
    },
    {
      name: 'vllm:time_per_output_token_seconds',
      type: 'histogram',
      help: 'Time per output token.',
      unit: 'seconds',
      labels: { model_name: label.bounded() },
      buckets: [0.01, 0.1, 1],
      deprecated: '0.11',
      renamedTo: 'vllm:inter_token_latency_seconds',
    },
    {
      name: 'vllm:inter_token_latency_seconds',
      type: 'histogram',
      help: 'Inter-token latency.',
      unit: 'seconds',
      labels: { model_name: label.bounded() },
      buckets: [0.01, 0.1, 1],
    },
    { name: 'rpc_duration_seconds', type: 'summary', help: 'RPC latency.', unit: 'seconds', labels: {} },
  ],
};

const router: SourceSpec = {
  name: 'router',
  component: 'Kthena router',
  job: 'kthena-router',
  port: { name: 'metrics', number: 15000 },
  scrapeInterval: '30s',
  metrics: [
    {
      name: 'kthena_router_requests_total',
      type: 'counter',
      help: 'Requests.',
      unit: 'requests',
      labels: { model: label.bounded(), status_code: label.enum(['200', '429', '500']), user_id: label.unbounded() },
    },
    { name: 'kthena_router_active_requests', type: 'gauge', help: 'In-flight requests.', unit: 'requests', labels: { model: label.bounded() } },
    { name: 'kthena_router_model_info', type: 'info', help: 'Model metadata.', unit: 'info', labels: { model: label.bounded(), backend: label.bounded() } },
  ],
};

const recorded: Metric[] = [
  {
    name: 'model:vllm_request_success:rate5m',
    type: 'gauge',
    help: 'Recorded.',
    unit: 'reqps',
    labels: { model_name: label.bounded() },
    source: RECORDING_RULES_SOURCE,
  },
  {
    name: 'model_le:vllm_e2e_request_latency_seconds_bucket:rate5m',
    type: 'gauge',
    help: 'Recorded.',
    unit: 'reqps',
    labels: { model_name: label.bounded(), le: label.bounded() },
    source: RECORDING_RULES_SOURCE,
  },
];

const catalog = new Catalog([sourceSpecSchema.parse(runtime), sourceSpecSchema.parse(router)], recorded, ['cluster']);
const v3: PromQLContext = { catalog, prometheusMajor: 3 };
const v2: PromQLContext = { catalog, prometheusMajor: 2 };

function codes(expr: string, ctx: PromQLContext = v3): string[] {
  return checkPromQL(expr, ctx).map((p) => p.code);
}

function only(expr: string, code: string, ctx: PromQLContext = v3) {
  const problems = checkPromQL(expr, ctx);
  expect(problems.map((p) => p.code)).toEqual([code]);
  return problems[0]!;
}

function clean(expr: string, ctx: PromQLContext = v3): void {
  expect(checkPromQL(expr, ctx)).toEqual([]);
}

describe('promql/syntax', () => {
  it('reports a parse error with line, column and an excerpt', () => {
    const p = only('sum(rate(vllm:request_success_total[5m])', 'promql/syntax');
    expect(p.message).toContain('line 1, column');
    expect(p.message).toContain('unexpected end of expression');
    expect(p.message).toContain('success_total[5m])`');
  });
  it('points at the line of a multi-line query', () => {
    const p = only('sum(\n  rate(vllm:request_success_total[5m])\n) by (model_name) by (x)', 'promql/syntax');
    expect(p.message).toMatch(/line 3, column \d+/);
  });
  it('names an unknown function with a suggestion', () => {
    expect(only('rat(vllm:request_success_total[5m])', 'promql/syntax').message).toContain('unknown function `rat` (did you mean `rate`?)');
  });
  it('reports an unterminated string the grammar tolerates', () => {
    expect(only('vllm:num_requests_running{model_name="a', 'promql/syntax').message).toContain('unterminated string');
  });
  it('names the Prometheus 3 spelling of a renamed function', () => {
    expect(only('holt_winters(vllm:num_requests_running[1h], 0.5, 0.5)', 'promql/syntax').message).toContain('`double_exponential_smoothing`');
  });
  it('points a type error at the argument', () => {
    expect(only('clamp_max(vllm:num_requests_running, vllm:kv_cache_usage_perc)', 'promql/syntax').message).toContain('column 38');
  });
  it('reports an empty expression', () => {
    expect(only('   ', 'promql/syntax').message).toContain('empty expression');
  });
  it('applies the Prometheus type rules the grammar leaves out', () => {
    expect(only('rate(vllm:request_success_total)', 'promql/syntax').message).toContain('expects a range vector as argument 1');
    expect(only('histogram_quantile(vllm:e2e_request_latency_seconds_bucket)', 'promql/syntax').message).toContain('takes 2 arguments, got 1');
    expect(only('1 > 2', 'promql/syntax').message).toContain('needs `bool`');
    expect(only('vllm:num_requests_running and 1', 'promql/syntax').message).toContain('set operator');
    expect(only('sum(vllm:num_requests_running) offset 5m', 'promql/syntax').message).toContain('`offset` applies only');
    expect(only('(vllm:num_requests_running)[5m]', 'promql/syntax').message).toContain('subquery');
  });
  it('accepts valid queries of every shape', () => {
    clean('sum by (model_name) (rate(vllm:request_success_total[5m]))');
    clean('1 > bool 2');
    clean('topk(3, vllm:num_requests_running) # the busiest servers');
    clean('max_over_time(sum(vllm:num_requests_running)[30m:1m])');
    clean('vllm:num_requests_running offset 5m');
    clean('vllm:num_requests_running @ end()');
    clean('count_values("value", vllm:num_requests_running)');
    clean('label_join(vllm:num_requests_running, "dst", "-", "model_name", "job")');
  });
});

describe('promql/unknown-metric', () => {
  it('reports a metric not in the catalog with a suggestion', () => {
    const p = only('vllm:num_request_running', 'promql/unknown-metric');
    expect(p.message).toContain('did you mean `vllm:num_requests_running`');
  });
  it('suggests histogram series names', () => {
    expect(only('rate(vllm:e2e_request_latency_second_count[5m])', 'promql/unknown-metric').message).toContain('`vllm:e2e_request_latency_seconds_count`');
  });
  it('accepts catalog metrics, their series and recorded series', () => {
    clean('vllm:num_requests_running');
    clean('rate(vllm:e2e_request_latency_seconds_sum[5m]) / rate(vllm:e2e_request_latency_seconds_count[5m])');
    clean('model:vllm_request_success:rate5m');
    clean('{__name__="vllm:num_requests_running"}');
  });
  it('resolves the metric named by a __name__ matcher', () => {
    expect(codes('{__name__="vllm:nope"}')).toEqual(['promql/unknown-metric']);
  });
});

describe('promql/removed-metric and promql/deprecated-metric', () => {
  it('names the release that removed a metric and its replacement', () => {
    const p = only('vllm:gpu_cache_usage_perc > 0.9', 'promql/removed-metric');
    expect(p.message).toBe('`vllm:gpu_cache_usage_perc` was removed in vLLM 0.12; use `vllm:kv_cache_usage_perc`');
    expect(p.severity).toBe('error');
  });
  it('warns on a deprecated metric, with the replacement series', () => {
    const p = only('histogram_quantile(0.9, sum by (le) (rate(vllm:time_per_output_token_seconds_bucket[5m])))', 'promql/deprecated-metric');
    expect(p.severity).toBe('warning');
    expect(p.message).toContain('`vllm:inter_token_latency_seconds_bucket`');
  });
  it('accepts the replacements', () => {
    clean('vllm:kv_cache_usage_perc > 0.9');
    clean('histogram_quantile(0.9, sum by (le) (rate(vllm:inter_token_latency_seconds_bucket[5m])))');
  });
});

describe('promql/unknown-label', () => {
  it('reports a matcher label the metric does not have', () => {
    const p = only('vllm:num_requests_running{model="x"}', 'promql/unknown-label');
    expect(p.message).toBe('label `model` is not on `vllm:num_requests_running` (did you mean `model_name`?), so the selector matches nothing');
    expect(p.fix).toContain('`model_name`');
  });
  it('accepts target labels and external labels on every metric', () => {
    clean('vllm:num_requests_running{job="vllm", instance="a:8000", cluster="prod"}');
  });
  it('reports a by() label no input metric has', () => {
    expect(only('sum by (model) (vllm:num_requests_running)', 'promql/unknown-label').message).toContain('none of the input metrics');
  });
  it('reports a by() label an inner aggregation dropped', () => {
    const p = only('max by (model_name) (sum by (job) (vllm:num_requests_running))', 'promql/unknown-label');
    expect(p.message).toContain('drops it');
  });
  it('accepts a label any input of an expression has, and labels made by label_replace', () => {
    clean('sum by (model_name) (vllm:num_requests_running or kthena_router_active_requests)');
    clean('sum by (model) (label_replace(vllm:num_requests_running, "model", "$1", "model_name", "(.*)"))');
    clean('sum without (model_name) (vllm:num_requests_running)');
  });
  it('reports a without() label not on the input', () => {
    expect(codes('sum without (modle) (kthena_router_active_requests)')).toEqual(['promql/unknown-label']);
  });
  it('ignores __name__ matchers and accepts the `or on() vector(0)` idiom', () => {
    clean('vllm:num_requests_running{__name__=~"vllm:.*"}');
    clean('sum by (model) (kthena_router_active_requests) or on (model) vector(0)');
    expect(codes('sum by (model) (kthena_router_active_requests) and on (model) vector(1)')).toEqual(['promql/unknown-label']);
  });
  it('checks on() labels on both sides and group_left labels on the one side', () => {
    expect(codes('vllm:num_requests_running / on (model) kthena_router_active_requests')).toEqual(['promql/unknown-label']);
    clean('sum by (model) (kthena_router_active_requests) * on (model) group_left (backend) kthena_router_model_info');
    expect(codes('kthena_router_active_requests * on (model) group_left (version) kthena_router_model_info')).toEqual(['promql/unknown-label']);
    expect(codes('vllm:num_requests_running / ignoring (nothing) vllm:kv_cache_usage_perc')).toEqual(['promql/unknown-label']);
    clean('vllm:num_requests_running / ignoring (job) vllm:kv_cache_usage_perc');
  });
  it('leaves labels alone where a query part is unknown', () => {
    expect(codes('sum by (anything) (not_a_metric)')).toEqual(['promql/unknown-metric']);
  });
});

describe('promql/label-value-not-in-enum', () => {
  it('reports an equality value outside the enum', () => {
    const p = only('vllm:request_success_total{finished_reason="done"}', 'promql/label-value-not-in-enum');
    expect(p.fix).toContain('`stop`');
  });
  it('reports a literal alternative outside the enum', () => {
    expect(only('kthena_router_requests_total{status_code=~"500|503"}', 'promql/label-value-not-in-enum').message).toContain('`503`');
  });
  it('accepts enum values, wildcard alternatives and real regexes', () => {
    clean('vllm:request_success_total{finished_reason="stop"}');
    clean('vllm:request_success_total{finished_reason!="abort"}');
    clean('kthena_router_requests_total{status_code=~"429|500"}');
    clean('kthena_router_requests_total{status_code=~"5.."}');
    clean('kthena_router_requests_total{status_code=~"[45].*"}');
    clean('vllm:request_success_total{finished_reason=""}');
  });
});

describe('promql/rate-on-non-counter and promql/gauge-function-on-counter', () => {
  it('reports rate on a gauge', () => {
    const p = only('rate(vllm:num_requests_running[5m])', 'promql/rate-on-non-counter');
    expect(p.fix).toContain('deriv()');
  });
  it('reports increase on a recorded series and on summary quantiles', () => {
    expect(codes('increase(model:vllm_request_success:rate5m[5m])')).toEqual(['promql/rate-on-non-counter']);
    expect(codes('rate(rpc_duration_seconds[5m])')).toEqual(['promql/rate-on-non-counter']);
  });
  it('accepts rate on counters and on histogram and summary series', () => {
    clean('rate(vllm:request_success_total[5m])');
    clean('irate(vllm:e2e_request_latency_seconds_count[1m])');
    clean('increase(rpc_duration_seconds_sum[1h])');
    clean('resets(vllm:e2e_request_latency_seconds_bucket[1h])');
  });
  it('warns on deriv, delta and predict_linear over a counter', () => {
    const p = only('deriv(vllm:request_success_total[10m])', 'promql/gauge-function-on-counter');
    expect(p.severity).toBe('warning');
    expect(codes('predict_linear(vllm:e2e_request_latency_seconds_count[1h], 3600)')).toEqual(['promql/gauge-function-on-counter']);
    clean('deriv(vllm:num_requests_running[10m])');
    clean('predict_linear(vllm:kv_cache_usage_perc[1h], 3600)');
  });
});

describe('promql/quantile-without-bucket and promql/quantile-drops-le', () => {
  it('reports histogram_quantile over the bare histogram name', () => {
    const p = only('histogram_quantile(0.95, vllm:e2e_request_latency_seconds)', 'promql/quantile-without-bucket');
    expect(p.message).toContain('`vllm:e2e_request_latency_seconds_bucket`');
  });
  it('reports histogram_quantile over a gauge', () => {
    expect(codes('histogram_quantile(0.95, vllm:num_requests_running)')).toEqual(['promql/quantile-without-bucket']);
  });
  it('reports an aggregation that drops le', () => {
    expect(only('histogram_quantile(0.9, sum by (model_name) (rate(vllm:e2e_request_latency_seconds_bucket[5m])))', 'promql/quantile-drops-le').fix).toContain(
      'sum by (model_name, le)',
    );
    expect(codes('histogram_quantile(0.9, sum without (le) (rate(vllm:e2e_request_latency_seconds_bucket[5m])))')).toContain('promql/quantile-drops-le');
    expect(codes('histogram_quantile(0.9, sum(rate(vllm:e2e_request_latency_seconds_bucket[5m])))')).toEqual(['promql/quantile-drops-le']);
  });
  it('accepts bucket series that keep le, and recorded series with le', () => {
    clean('histogram_quantile(0.9, sum by (le, model_name) (rate(vllm:e2e_request_latency_seconds_bucket[5m])))');
    clean('histogram_quantile(0.9, sum without (instance) (rate(vllm:e2e_request_latency_seconds_bucket[5m])))');
    clean('histogram_quantile(0.9, rate(vllm:e2e_request_latency_seconds_bucket[5m]))');
    clean('histogram_quantile(0.9, sum by (le) (model_le:vllm_e2e_request_latency_seconds_bucket:rate5m))');
  });
});

describe('promql/suffix-on-non-histogram', () => {
  it('reports _bucket, _sum and _count on families that have no such series', () => {
    expect(codes('vllm:num_requests_running_bucket')).toEqual(['promql/suffix-on-non-histogram']);
    expect(codes('rate(vllm:request_success_total_count[5m])')).toEqual(['promql/suffix-on-non-histogram']);
  });
  it('accepts the series of histograms and summaries', () => {
    clean('vllm:e2e_request_latency_seconds_bucket');
    clean('rpc_duration_seconds_count');
  });
});

describe('promql/le-not-a-bucket and promql/le-spelling', () => {
  const bucket = (le: string, op = '='): string => `rate(vllm:e2e_request_latency_seconds_bucket{le${op}"${le}"}[5m])`;
  it('reports an le value that is not a boundary, naming the nearest one', () => {
    const p = only(bucket('0.9'), 'promql/le-not-a-bucket');
    expect(p.message).toContain('0.5, 1.0, 2.5, 5.0, +Inf');
    expect(p.fix).toContain('le="1.0"');
  });
  it('reports the Prometheus 2 spelling on Prometheus 3 and the other way round', () => {
    const three = only(bucket('1'), 'promql/le-spelling');
    expect(three.fix).toContain('le="1.0"');
    expect(three.fix).toContain('le=~"1|1.0"');
    expect(only(bucket('1.0'), 'promql/le-spelling', v2).fix).toContain('le="1"');
    expect(codes(bucket('1', '=~'))).toEqual(['promql/le-spelling']);
  });
  it('accepts the stored spelling, +Inf, the version-neutral form and matching regexes', () => {
    clean(bucket('1.0'));
    clean(bucket('1'), v2);
    clean(bucket('0.5'));
    clean(bucket('+Inf'));
    clean(bucket('1|1.0', '=~'));
    clean(bucket('1|1.0', '=~'), v2);
    clean(bucket('1(\\\\.0)?', '=~'));
    clean(bucket('+Inf', '!='));
  });
  it('reports a regex that matches no stored boundary', () => {
    expect(codes(bucket('7.*', '=~'))).toEqual(['promql/le-not-a-bucket']);
  });
});

describe('promql/range-too-short', () => {
  it('reports a range shorter than twice the scrape interval of the source', () => {
    const p = only('rate(kthena_router_requests_total[45s])', 'promql/range-too-short');
    expect(p.message).toContain('scrape interval of Kthena router (30s)');
    expect(p.fix).toContain('[1m]');
  });
  it('uses the rule evaluation interval for recorded series', () => {
    expect(codes('max_over_time(model:vllm_request_success:rate5m[45s])')).toEqual(['promql/range-too-short']);
    clean('max_over_time(model:vllm_request_success:rate5m[45s])', { ...v3, evaluationInterval: '15s' });
  });
  it('takes scrape intervals from the context over the catalog', () => {
    expect(codes('rate(vllm:request_success_total[1m])', { ...v3, scrapeIntervals: { runtime: 60_000 } })).toEqual(['promql/range-too-short']);
  });
  it('warns on $__interval, which shrinks below two scrapes when zoomed in', () => {
    const p = only('rate(kthena_router_requests_total[$__interval])', 'promql/range-too-short', { ...v3, grafanaVariables: true });
    expect(p.severity).toBe('warning');
    expect(p.fix).toContain('$__rate_interval');
  });
  it('accepts long enough ranges, computed ranges and $__rate_interval', () => {
    clean('rate(vllm:request_success_total[30s])');
    clean('rate(kthena_router_requests_total[1m])');
    clean('rate(kthena_router_requests_total[30s + 30s])');
    clean('rate(kthena_router_requests_total[$__rate_interval])', { ...v3, grafanaVariables: true });
  });
});

describe('promql/unbounded-label-kept', () => {
  it('reports an aggregation that keeps an unbounded label', () => {
    const p = only('sum by (user_id) (rate(kthena_router_requests_total[5m]))', 'promql/unbounded-label-kept');
    expect(p.fix).toContain('bounded labels (`cluster`, `instance`, `job`, `model`, `status_code`)');
  });
  it('accepts a bare selector, bounded by() labels and selecting aggregations', () => {
    clean('kthena_router_requests_total');
    clean('sum by (model) (rate(kthena_router_requests_total[5m]))');
    clean('topk by (model) (5, rate(kthena_router_requests_total[5m]))');
    clean('sum without (user_id) (rate(kthena_router_requests_total[5m]))');
  });
});

describe('promql/grafana-variable', () => {
  const query = 'sum by (model_name) (rate(vllm:request_success_total{model_name=~"$model"}[$__rate_interval]))';
  it('reports variables where the context allows none', () => {
    const problems = checkPromQL(query, v3);
    expect(problems.map((p) => p.code)).toEqual(['promql/grafana-variable', 'promql/grafana-variable']);
    expect(problems[0]!.message).toContain('`$model`');
    expect(problems[1]!.fix).toContain('[5m]');
  });
  it('reports a variable not in the allowed list, with a suggestion', () => {
    const p = only(query.replace('$model', '$modle'), 'promql/grafana-variable', { ...v3, grafanaVariables: ['model'] });
    expect(p.message).toContain('did you mean `model`');
  });
  it('accepts allowed variables in every position, keeping the rest of the query checked', () => {
    clean(query, { ...v3, grafanaVariables: ['model'] });
    const all = { ...v3, grafanaVariables: true };
    clean('sum by (${group}) (rate(vllm:request_success_total{model_name="[[model]]"}[$__range]))', all);
    clean('topk($n, vllm:num_requests_running) > $threshold', all);
    clean('vllm:num_requests_running offset $shift', all);
    clean('$metric{job="vllm"}', all);
    clean('rate(vllm:request_success_total[[[range]]])', all);
    clean('max_over_time(vllm:num_requests_running[1h:$__interval])', all);
    expect(codes('rate(vllm:num_requests_running{model_name=~"$model"}[$__rate_interval])', all)).toEqual(['promql/rate-on-non-counter']);
    expect(codes('vllm:request_success_total{finished_reason="$reason"}', all)).toEqual([]);
  });
  it('keeps positions: the substituted text has the length of the query as written', () => {
    const parsed = parsePromQL('rate(x{a="$v"}[${__rate_interval}]) * $k');
    expect(parsed.text.length).toBe(parsed.source.length);
    expect(parsed.text).toContain('a="$v"');
    expect(parsed.variables.map((v) => v.name)).toEqual(['v', '__rate_interval', 'k']);
    expect(parsed.error).toBeUndefined();
  });
});

describe('selectors and referencedMetrics', () => {
  it('lists each selector with its matchers, unescaping values', () => {
    expect(selectors('rate(vllm:request_success_total{finished_reason!="stop", model_name=~"a\\\\.b"}[5m]) / on() group_left vllm:num_requests_running')).toEqual([
      {
        metric: 'vllm:request_success_total',
        matchers: [
          { label: 'finished_reason', op: '!=', value: 'stop' },
          { label: 'model_name', op: '=~', value: 'a\\.b' },
        ],
      },
      { metric: 'vllm:num_requests_running', matchers: [] },
    ]);
  });
  it('reads __name__ matchers and selectors without a name', () => {
    expect(selectors('{__name__="up", job!~"x"}')).toEqual([{ metric: 'up', matchers: [{ label: 'job', op: '!~', value: 'x' }] }]);
    expect(selectors('{job="x"}')).toEqual([{ metric: '', matchers: [{ label: 'job', op: '=', value: 'x' }] }]);
  });
  it('lists metric names once, in order', () => {
    expect(referencedMetrics('a / b + a offset 5m + sum(rate(c[5m]))')).toEqual(['a', 'b', 'c']);
    expect(referencedMetrics('rate(x[$__rate_interval]) / $other')).toEqual(['x']);
    expect(referencedMetrics('sum(')).toEqual([]);
  });
});

describe('outputLabels', () => {
  const out = (expr: string) => outputLabels(expr, catalog);
  it('keeps the labels of a selector, target and external labels included', () => {
    expect(out('vllm:num_requests_running')).toEqual({ labels: ['cluster', 'instance', 'job', 'model_name'], exact: true });
    expect(out('vllm:e2e_request_latency_seconds_bucket').labels).toContain('le');
  });
  it('rate and other functions keep labels; histogram_quantile drops le', () => {
    expect(out('rate(vllm:request_success_total[5m])').labels).toEqual(['cluster', 'finished_reason', 'instance', 'job', 'model_name']);
    expect(out('histogram_quantile(0.9, sum by (le, model_name) (rate(vllm:e2e_request_latency_seconds_bucket[5m])))')).toEqual({ labels: ['model_name'], exact: true });
  });
  it('sum by keeps only the by() labels, without removes its labels, a bare sum keeps none', () => {
    expect(out('sum by (model_name, job) (rate(vllm:request_success_total[5m]))')).toEqual({ labels: ['job', 'model_name'], exact: true });
    expect(out('sum without (instance, finished_reason) (rate(vllm:request_success_total[5m]))').labels).toEqual(['cluster', 'job', 'model_name']);
    expect(out('sum(vllm:num_requests_running)')).toEqual({ labels: [], exact: true });
    expect(out('count_values("n", vllm:num_requests_running)').labels).toEqual(['n']);
    expect(out('topk(3, vllm:num_requests_running)').labels).toEqual(['cluster', 'instance', 'job', 'model_name']);
  });
  it('binary operators follow the vector matching rules', () => {
    expect(out('vllm:num_requests_running / on (model_name, job) vllm:kv_cache_usage_perc').labels).toEqual(['job', 'model_name']);
    expect(out('vllm:num_requests_running / ignoring (instance) vllm:kv_cache_usage_perc').labels).toEqual(['cluster', 'job', 'model_name']);
    expect(out('sum by (model) (kthena_router_active_requests) * on (model) group_left (backend) kthena_router_model_info').labels).toEqual(['backend', 'model']);
    expect(out('sum by (model) (kthena_router_active_requests) > 3').labels).toEqual(['model']);
    expect(out('sum by (model_name) (vllm:num_requests_running) or sum by (model) (kthena_router_active_requests)').labels).toEqual(['model', 'model_name']);
    expect(out('sum by (model) (kthena_router_active_requests) and on (model) kthena_router_model_info').labels).toEqual(['model']);
  });
  it('label_replace and label_join add their target label', () => {
    expect(out('label_replace(sum by (model_name) (vllm:num_requests_running), "model", "$1", "model_name", "(.*)")').labels).toEqual(['model', 'model_name']);
    expect(out('label_join(sum by (job) (vllm:num_requests_running), "id", "-", "job")').labels).toEqual(['id', 'job']);
  });
  it('absent keeps the equality matchers; scalars and vector() carry nothing', () => {
    expect(out('absent(vllm:num_requests_running{job="vllm", model_name=~"x"})')).toEqual({ labels: ['job'], exact: true });
    expect(out('vector(1)')).toEqual({ labels: [], exact: true });
    expect(out('hour()')).toEqual({ labels: [], exact: true });
    expect(out('hour(vllm:num_requests_running)').labels).toContain('model_name');
    expect(out('scalar(sum(vllm:num_requests_running)) * 2')).toEqual({ labels: [], exact: true });
  });
  it('is open when a metric is unknown or the query does not parse', () => {
    expect(out('not_a_metric{job="x"}')).toEqual({ labels: ['job'], exact: false });
    expect(out('sum(')).toEqual({ labels: [], exact: false });
    expect(out('sum by (model) (not_a_metric)')).toEqual({ labels: ['model'], exact: true });
  });
});

describe('helpers', () => {
  it('edit distance counts swaps of neighbours as one edit', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('rate', 'rtae')).toBe(1);
    expect(closest('modle', ['model', 'mode', 'zzz'])).toEqual(['mode', 'model']);
  });
  it('splits literal alternations and leaves real regexes', () => {
    expect(literalAlternatives('a|b\\.c')?.map((a) => a.literal)).toEqual(['a', 'b.c']);
    expect(literalAlternatives('a+')).toBeUndefined();
    expect(literalAlternatives('\\d')).toBeUndefined();
  });
});

describe('robustness', () => {
  it('checkPromQL never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.boolean(), (text, vars) => {
        checkPromQL(text, { ...v3, grafanaVariables: vars });
        outputLabels(text, catalog);
        selectors(text);
      }),
      { numRuns: 1500 },
    );
  });
  it('checkPromQL never throws on near-PromQL built from its tokens', () => {
    const tokens = [
      'sum', 'by', '(', ')', 'rate', 'vllm:request_success_total', 'vllm:e2e_request_latency_seconds_bucket', '{', '}', 'le', '=', '=~', '"1"',
      '"a|b"', '[', ']', '5m', ':', ',', 'on', 'group_left', 'histogram_quantile', '0.9', '/', 'offset', '@', '$__rate_interval', '$x', '[[y]]',
      'label_replace', 'without', 'topk', 'and', 'or', 'bool', '>', '-', 'count_values', '"s"', '#', '\n',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 25 }), fc.boolean(), (parts, vars) => {
        const text = parts.join(' ');
        checkPromQL(text, { ...v3, grafanaVariables: vars });
        outputLabels(text, catalog);
      }),
      { numRuns: 1500 },
    );
  });
});
