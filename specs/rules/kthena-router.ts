import { defineRuleGroup, promql } from 'infermon';
import { routerRequestDuration, routerRequestsTotal, routerTokensTotal } from 'infermon/catalog/kthena-router';

/** Pre-computed router series for dashboards and SLO-style panels. */
export const kthenaRouterRecordingRules = defineRuleGroup({
  name: 'kthena-router.rules',
  rules: [
    {
      record: 'model_status_code:kthena_router_requests:rate5m',
      expr: promql`sum by (model, status_code) (rate(${routerRequestsTotal}[5m]))`,
      unit: 'reqps',
      help: 'Router requests per second by model and status code.',
    },
    {
      record: 'model:kthena_router_request_errors:ratio_rate5m',
      expr: promql`sum by (model) (rate(${routerRequestsTotal}{status_code=~"5.."}[5m])) / sum by (model) (rate(${routerRequestsTotal}[5m]))`,
      unit: 'percentunit',
      help: 'Share of router requests answered with a 5xx status.',
    },
    {
      record: 'model_le:kthena_router_request_duration_seconds_bucket:rate5m',
      expr: promql`sum by (model, le) (rate(${routerRequestDuration}_bucket[5m]))`,
      help: 'Router latency histogram buckets per model, for quantile panels.',
    },
    {
      record: 'model_token_type:kthena_router_tokens:rate5m',
      expr: promql`sum by (model, token_type) (rate(${routerTokensTotal}[5m]))`,
      unit: 'tokens/s',
      help: 'Tokens per second through the router, input and output.',
    },
  ],
});
