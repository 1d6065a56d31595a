/** PromQL value types as the Prometheus type checker knows them. */
export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export interface FunctionSignature {
  args: ValueType[];
  /** How many trailing arguments may be left out. */
  optional: number;
  /** The last argument may repeat (label_join, sort_by_label). */
  variadic: boolean;
  returns: ValueType;
}

function sig(args: ValueType[], returns: ValueType, optional = 0, variadic = false): FunctionSignature {
  return { args, optional, variadic, returns };
}

const ON_VECTOR = sig(['vector'], 'vector');
const OVER_TIME = sig(['matrix'], 'vector');
const CALENDAR = sig(['vector'], 'vector', 1);

/** Signatures of the PromQL functions the grammar knows, from the Prometheus function reference. */
export const FUNCTION_SIGNATURES: Readonly<Record<string, FunctionSignature>> = {
  abs: ON_VECTOR,
  absent: ON_VECTOR,
  absent_over_time: OVER_TIME,
  acos: ON_VECTOR,
  acosh: ON_VECTOR,
  asin: ON_VECTOR,
  asinh: ON_VECTOR,
  atan: ON_VECTOR,
  atanh: ON_VECTOR,
  avg_over_time: OVER_TIME,
  ceil: ON_VECTOR,
  changes: OVER_TIME,
  clamp: sig(['vector', 'scalar', 'scalar'], 'vector'),
  clamp_max: sig(['vector', 'scalar'], 'vector'),
  clamp_min: sig(['vector', 'scalar'], 'vector'),
  cos: ON_VECTOR,
  cosh: ON_VECTOR,
  count_over_time: OVER_TIME,
  days_in_month: CALENDAR,
  day_of_month: CALENDAR,
  day_of_week: CALENDAR,
  day_of_year: CALENDAR,
  deg: ON_VECTOR,
  delta: OVER_TIME,
  deriv: OVER_TIME,
  double_exponential_smoothing: sig(['matrix', 'scalar', 'scalar'], 'vector'),
  exp: ON_VECTOR,
  first_over_time: OVER_TIME,
  floor: ON_VECTOR,
  histogram_avg: ON_VECTOR,
  histogram_count: ON_VECTOR,
  histogram_fraction: sig(['scalar', 'scalar', 'vector'], 'vector'),
  histogram_quantile: sig(['scalar', 'vector'], 'vector'),
  histogram_quantiles: sig(['vector', 'string', 'scalar'], 'vector', 0, true),
  histogram_stddev: ON_VECTOR,
  histogram_stdvar: ON_VECTOR,
  histogram_sum: ON_VECTOR,
  hour: CALENDAR,
  idelta: OVER_TIME,
  increase: OVER_TIME,
  info: sig(['vector', 'vector'], 'vector', 1),
  irate: OVER_TIME,
  label_join: sig(['vector', 'string', 'string', 'string'], 'vector', 1, true),
  label_replace: sig(['vector', 'string', 'string', 'string', 'string'], 'vector'),
  last_over_time: OVER_TIME,
  ln: ON_VECTOR,
  log10: ON_VECTOR,
  log2: ON_VECTOR,
  mad_over_time: OVER_TIME,
  max_over_time: OVER_TIME,
  min_over_time: OVER_TIME,
  minute: CALENDAR,
  month: CALENDAR,
  pi: sig([], 'scalar'),
  predict_linear: sig(['matrix', 'scalar'], 'vector'),
  present_over_time: OVER_TIME,
  quantile_over_time: sig(['scalar', 'matrix'], 'vector'),
  rad: ON_VECTOR,
  rate: OVER_TIME,
  resets: OVER_TIME,
  round: sig(['vector', 'scalar'], 'vector', 1),
  scalar: sig(['vector'], 'scalar'),
  sgn: ON_VECTOR,
  sin: ON_VECTOR,
  sinh: ON_VECTOR,
  sort: ON_VECTOR,
  sort_by_label: sig(['vector', 'string'], 'vector', 1, true),
  sort_by_label_desc: sig(['vector', 'string'], 'vector', 1, true),
  sort_desc: ON_VECTOR,
  sqrt: ON_VECTOR,
  stddev_over_time: OVER_TIME,
  stdvar_over_time: OVER_TIME,
  sum_over_time: OVER_TIME,
  tan: ON_VECTOR,
  tanh: ON_VECTOR,
  time: sig([], 'scalar'),
  timestamp: ON_VECTOR,
  ts_of_first_over_time: OVER_TIME,
  ts_of_last_over_time: OVER_TIME,
  ts_of_max_over_time: OVER_TIME,
  ts_of_min_over_time: OVER_TIME,
  vector: sig(['scalar'], 'vector'),
  year: CALENDAR,
};

export const PROMQL_FUNCTIONS: readonly string[] = Object.keys(FUNCTION_SIGNATURES);

/** Aggregation operators that take a parameter before the vector, and its type. */
export const AGGREGATION_PARAMETER: Readonly<Record<string, ValueType>> = {
  topk: 'scalar',
  bottomk: 'scalar',
  limitk: 'scalar',
  limit_ratio: 'scalar',
  quantile: 'scalar',
  count_values: 'string',
};

/** Aggregations that select series and keep all their labels; `by` only groups. */
export const SELECTING_AGGREGATIONS: ReadonlySet<string> = new Set(['topk', 'bottomk', 'limitk', 'limit_ratio']);

/** Index of the argument whose labels a function's result carries. */
export function vectorArgumentIndex(fn: string): number {
  if (fn === 'histogram_quantile' || fn === 'quantile_over_time') return 1;
  if (fn === 'histogram_fraction') return 2;
  return 0;
}
