import type { ValueType } from './ast.ts';

/** A PromQL function's signature: argument types (the last may repeat when `variadic` says how many optional ones). */
export interface FunctionSignature {
  args: ValueType[];
  /** Number of trailing optional arguments; -1 means the last may repeat without limit. */
  variadic: number;
  returns: ValueType;
}

const v = 'vector' as const;
const m = 'matrix' as const;
const s = 'scalar' as const;
const str = 'string' as const;

/** Every function the engine knows, as in promql/parser/functions.go. */
export const FUNCTIONS: Record<string, FunctionSignature> = {
  abs: { args: [v], variadic: 0, returns: v },
  absent: { args: [v], variadic: 0, returns: v },
  absent_over_time: { args: [m], variadic: 0, returns: v },
  acos: { args: [v], variadic: 0, returns: v },
  acosh: { args: [v], variadic: 0, returns: v },
  asin: { args: [v], variadic: 0, returns: v },
  asinh: { args: [v], variadic: 0, returns: v },
  atan: { args: [v], variadic: 0, returns: v },
  atanh: { args: [v], variadic: 0, returns: v },
  avg_over_time: { args: [m], variadic: 0, returns: v },
  ceil: { args: [v], variadic: 0, returns: v },
  changes: { args: [m], variadic: 0, returns: v },
  clamp: { args: [v, s, s], variadic: 0, returns: v },
  clamp_max: { args: [v, s], variadic: 0, returns: v },
  clamp_min: { args: [v, s], variadic: 0, returns: v },
  cos: { args: [v], variadic: 0, returns: v },
  cosh: { args: [v], variadic: 0, returns: v },
  count_over_time: { args: [m], variadic: 0, returns: v },
  days_in_month: { args: [v], variadic: 1, returns: v },
  day_of_month: { args: [v], variadic: 1, returns: v },
  day_of_week: { args: [v], variadic: 1, returns: v },
  day_of_year: { args: [v], variadic: 1, returns: v },
  deg: { args: [v], variadic: 0, returns: v },
  delta: { args: [m], variadic: 0, returns: v },
  deriv: { args: [m], variadic: 0, returns: v },
  double_exponential_smoothing: { args: [m, s, s], variadic: 0, returns: v },
  exp: { args: [v], variadic: 0, returns: v },
  floor: { args: [v], variadic: 0, returns: v },
  histogram_fraction: { args: [s, s, v], variadic: 0, returns: v },
  histogram_quantile: { args: [s, v], variadic: 0, returns: v },
  hour: { args: [v], variadic: 1, returns: v },
  idelta: { args: [m], variadic: 0, returns: v },
  increase: { args: [m], variadic: 0, returns: v },
  irate: { args: [m], variadic: 0, returns: v },
  label_replace: { args: [v, str, str, str, str], variadic: 0, returns: v },
  label_join: { args: [v, str, str, str], variadic: -1, returns: v },
  first_over_time: { args: [m], variadic: 0, returns: v },
  last_over_time: { args: [m], variadic: 0, returns: v },
  ln: { args: [v], variadic: 0, returns: v },
  log10: { args: [v], variadic: 0, returns: v },
  log2: { args: [v], variadic: 0, returns: v },
  mad_over_time: { args: [m], variadic: 0, returns: v },
  max_over_time: { args: [m], variadic: 0, returns: v },
  min_over_time: { args: [m], variadic: 0, returns: v },
  minute: { args: [v], variadic: 1, returns: v },
  month: { args: [v], variadic: 1, returns: v },
  pi: { args: [], variadic: 0, returns: s },
  predict_linear: { args: [m, s], variadic: 0, returns: v },
  present_over_time: { args: [m], variadic: 0, returns: v },
  quantile_over_time: { args: [s, m], variadic: 0, returns: v },
  rad: { args: [v], variadic: 0, returns: v },
  rate: { args: [m], variadic: 0, returns: v },
  resets: { args: [m], variadic: 0, returns: v },
  round: { args: [v, s], variadic: 1, returns: v },
  scalar: { args: [v], variadic: 0, returns: s },
  sgn: { args: [v], variadic: 0, returns: v },
  sin: { args: [v], variadic: 0, returns: v },
  sinh: { args: [v], variadic: 0, returns: v },
  sort: { args: [v], variadic: 0, returns: v },
  sort_desc: { args: [v], variadic: 0, returns: v },
  sort_by_label: { args: [v, str], variadic: -1, returns: v },
  sort_by_label_desc: { args: [v, str], variadic: -1, returns: v },
  sqrt: { args: [v], variadic: 0, returns: v },
  stddev_over_time: { args: [m], variadic: 0, returns: v },
  stdvar_over_time: { args: [m], variadic: 0, returns: v },
  sum_over_time: { args: [m], variadic: 0, returns: v },
  tan: { args: [v], variadic: 0, returns: v },
  tanh: { args: [v], variadic: 0, returns: v },
  // Experimental query-context functions (Prometheus 3.x, flag-gated upstream).
  start: { args: [], variadic: 0, returns: s },
  end: { args: [], variadic: 0, returns: s },
  range: { args: [], variadic: 0, returns: s },
  step: { args: [], variadic: 0, returns: s },
  ts_of_first_over_time: { args: [m], variadic: 0, returns: v },
  ts_of_last_over_time: { args: [m], variadic: 0, returns: v },
  ts_of_min_over_time: { args: [m], variadic: 0, returns: v },
  ts_of_max_over_time: { args: [m], variadic: 0, returns: v },
  time: { args: [], variadic: 0, returns: s },
  timestamp: { args: [v], variadic: 0, returns: v },
  vector: { args: [s], variadic: 0, returns: v },
  year: { args: [v], variadic: 1, returns: v },
};

/** Aggregation operators; those with a parameter list its type. */
export const AGGREGATIONS: Record<string, ValueType | undefined> = {
  sum: undefined,
  avg: undefined,
  min: undefined,
  max: undefined,
  count: undefined,
  group: undefined,
  stddev: undefined,
  stdvar: undefined,
  topk: 'scalar',
  bottomk: 'scalar',
  quantile: 'scalar',
  count_values: 'string',
  limitk: 'scalar',
  limit_ratio: 'scalar',
};
