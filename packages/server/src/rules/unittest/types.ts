/** A parsed `promtool test rules` file (see shared conformance FORMAT.md). Durations in ms. */
export interface TestFile {
  rule_files: string[];
  evaluation_interval: number;
  group_eval_order: string[];
  fuzzy_compare: boolean;
  tests: TestGroup[];
}

export interface TestGroup {
  name: string;
  /** Whether `name` was given (promtool prints it in failures only then). */
  named: boolean;
  interval: number;
  input_series: Array<{ series: string; values: string }>;
  /** Unix ms. */
  start: number;
  alert_rule_test: AlertTestCase[];
  promql_expr_test: PromqlTestCase[];
  external_labels: Record<string, string>;
  external_url: string;
}

export interface AlertTestCase {
  eval_time: number;
  alertname: string;
  exp_alerts: Array<{ exp_labels: Record<string, string>; exp_annotations: Record<string, string> }>;
}

export interface PromqlTestCase {
  expr: string;
  eval_time: number;
  exp_samples: Array<{ labels: string; value: number; histogram?: string }>;
}
