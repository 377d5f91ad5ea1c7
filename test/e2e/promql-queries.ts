// The differential query set: every function and operator family Prometheus
// 2.42 and 3.x agree on, over the data of promql-data.ts. Expressions that
// must fail are listed separately (error status and type are compared).

const counters = ['http_requests_total', 'http_requests_total{job="api"}', 'http_requests_total{status=~"5.."}', 'http_requests_total{method!="GET",instance!~"i[01]"}', 'request_duration_seconds_count'];
const gauges = ['node_temperature_celsius', 'node_memory_bytes{job="worker"}', 'flaky_gauge', 'up'];
const ranges = ['1m', '5m', '10m'];

/** Builds the set; `at` is an off-grid timestamp in seconds for `@` tests. */
export function differentialQueries(at: string): string[] {
  const q: string[] = [];
  for (const c of counters) {
    for (const r of ranges) q.push(`rate(${c}[${r}])`, `increase(${c}[${r}])`, `irate(${c}[${r}])`, `resets(${c}[${r}])`);
    q.push(c, `${c} offset 10m`, `${c} offset -5m`, `${c} @ ${at}`, `rate(${c}[5m] @ ${at})`, `rate(${c}[5m] offset 7m)`, `changes(${c}[10m])`);
  }
  for (const g of gauges) {
    for (const f of ['avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'count_over_time', 'last_over_time', 'stddev_over_time', 'stdvar_over_time', 'present_over_time', 'delta', 'idelta', 'deriv', 'changes']) {
      q.push(`${f}(${g}[5m])`);
    }
    q.push(`quantile_over_time(0.9, ${g}[10m])`, `quantile_over_time(0, ${g}[10m])`, `predict_linear(${g}[10m], 600)`, g);
    for (const f of ['abs', 'ceil', 'floor', 'round', 'sqrt', 'ln', 'log2', 'log10', 'exp', 'sgn', 'sin', 'cos', 'atan', 'deg', 'rad', 'timestamp', 'absent']) q.push(`${f}(${g})`);
    q.push(`round(${g}, 0.5)`, `clamp(${g}, 0, 25)`, `clamp_min(${g}, 21)`, `clamp_max(${g}, 21)`, `-${g}`, `${g} * 2 - 1`, `${g} % 7`, `${g} ^ 0.5`, `2 ^ ${g} > 1000`, `${g} atan2 10`);
    q.push(`${g} > 22`, `${g} >= bool 22`, `22 < ${g}`, `${g} == 1`, `${g} != bool 0`);
  }
  const rate = 'rate(http_requests_total[5m])';
  for (const agg of ['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar']) {
    q.push(`${agg}(${rate})`, `${agg} by (job) (${rate})`, `${agg} without (instance, method) (${rate})`, `${agg} by (job, status) (node_memory_bytes)`);
  }
  q.push(
    `topk(3, ${rate})`,
    `bottomk(2, ${rate})`,
    `topk by (job, method) (2, ${rate})`,
    `bottomk without (instance) (1, increase(http_requests_total[10m]))`,
    `topk(1000, avg_over_time(node_temperature_celsius[5m]))`,
    `topk by (job) (1, node_temperature_celsius)`,
    `quantile(0.5, ${rate})`,
    `quantile by (job) (0.9, node_temperature_celsius)`,
    `count_values("v", up)`,
    `count_values by (job) ("v", up)`,
    `sum by (job) (${rate}) / ignoring(job) group_left sum(${rate})`,
    `${rate} / on(job, instance) group_left sum by (job, instance) (${rate})`,
    `sum by (job, instance) (${rate}) * on(job, instance) group_right node_temperature_celsius`,
    `node_temperature_celsius - on(job, instance) node_memory_bytes / 1e8`,
    `node_temperature_celsius + ignoring(job) node_temperature_celsius`,
    `http_requests_total and on(job) up == 1`,
    `http_requests_total{status="500"} or http_requests_total{method="GET"}`,
    `node_temperature_celsius unless on(instance) up == 0`,
    `up or vector(0)`,
    `sum(up) + 1`,
    `scalar(sum(up)) * node_temperature_celsius`,
    `time() - timestamp(up)`,
    `vector(time())`,
    `pi() * 2`,
    `1 + 2 * 3 ^ 2 % 5`,
    `-(1 - 3) > bool 1`,
    `histogram_quantile(0.5, sum by (le) (rate(request_duration_seconds_bucket[5m])))`,
    `histogram_quantile(0.9, sum by (le, job) (rate(request_duration_seconds_bucket[5m])))`,
    `histogram_quantile(0.99, rate(request_duration_seconds_bucket[10m]))`,
    `histogram_quantile(0, rate(request_duration_seconds_bucket[10m]))`,
    `rate(request_duration_seconds_sum[5m]) / rate(request_duration_seconds_count[5m])`,
    `label_replace(up, "host", "$1-x", "instance", "i(.*)")`,
    `label_replace(up, "instance", "", "instance", ".*")`,
    `label_join(up, "id", "/", "job", "instance")`,
    `sort(node_temperature_celsius)`,
    `sort_desc(sum by (instance) (${rate}))`,
    `max_over_time(rate(http_requests_total[1m])[10m:30s])`,
    `avg_over_time(sum by (job) (${rate})[15m:1m])`,
    `min_over_time(node_temperature_celsius[20m:])`,
    `rate(http_requests_total[5m:20s])`,
    `max_over_time(deriv(node_memory_bytes[5m])[10m:1m] offset 3m)`,
    `sum_over_time(up[10m:1m] @ ${at})`,
    `absent(nonexistent_metric{job="x"})`,
    `absent_over_time(nonexistent_metric[5m])`,
    `absent_over_time(up[5m])`,
    `days_in_month(up)`,
    `hour(vector(1700000000))`,
    `minute()`,
    `month(node_temperature_celsius * 0 + 1e9)`,
    `{__name__=~"node_.*", job="api"}`,
    `{__name__=~"up|flaky_gauge"}`,
    `count({__name__=~".+"})`,
    `count by (__name__) ({job=~"api|worker"})`,
  );
  return q;
}

/** Expressions both engines must reject (parse errors → bad_data, evaluation errors → execution). */
export const FAILING_QUERIES = [
  'sum(',
  'rate(up)',
  'up[5m] + 1',
  'foo{',
  '1 +',
  'sum by (job) job',
  'http_requests_total + on(job) http_requests_total',
  'node_temperature_celsius * on(job) group_left node_temperature_celsius',
  'label_replace(up, "", "x", "job", ".*")',
  'label_replace(up, "x", "y", "job", "(")',
  'histogram_quantile(0.5)',
  'topk(up, up)',
  'abs(up, up)',
  '{job=~".*"}',
  'up @ 1 @ 2',
  'up offset 1m offset 2m',
  'count_values("", up)',
  '"a" + 1',
  'rate(up[5m])[10m]',
  'up[5m:1m:1m]',
];

/** Label values for the regex probe series (no newlines: 2.x and 3.x differ on `.` there). */
export const REGEX_VALUES = ['', 'a', 'A', 'ab', 'abc', 'ABC', 'aBc', 'abcabc', 'production', 'Production', 'PRODUCTION', 'canary', 'foo.bar', 'foo-bar', 'foo_bar', 'foo/bar', '123', '1.5', '-1', '+Inf', 'a b', 'a\tb', 'é', 'héllo', 'Ωmega', '日本', '{x}', '[y]', '(z)', 'a|b', '*', '\\', 'x{2}', 'aaa', 'aa', 'xyz9', '_', 'UPPER_lower'];

/** RE2 patterns, valid and invalid, compared as matched value sets (or error types). */
export const REGEX_PATTERNS = ['a', 'a.*', '.*b.*', '(?i)abc', '(?i)PROD.*', '((?i)PRO)d.*', 'a(?i)bc', 'x(?i:Y)z', '[[:alpha:]]+', '[[:^alpha:]]+', '[[:digit:]]+', '[[:upper:]_[:lower:]]+', '[^a-z]+', '\\pL+', '\\p{Greek}.*', '\\PL', '\\d+', '\\d+\\.\\d+', '\\w+', '\\W', '\\s', 'a\\sb', '\\S+', 'a{2}', 'a{2,}', 'a{,2}', 'x\\{2\\}', '\\{x\\}', '\\[y\\]', '\\(z\\)', 'a\\|b', '\\*', '\\\\', '\\Q*\\E', '[*]', 'foo[.-/]bar', 'foo\\.bar', 'foo.bar', '\\x41', '\\x{65}\\x{301}?', '\\101.*', '(abc)+', '(?:ab)+c?', 'a|ab|abc', '(a|ab)(c|bcd)?', '.+', '.?', '', '\\+Inf', '[+-]?\\d+', '日.', '\\p{Han}+', '(?s).*', '(?U)a+', '[[:word:]]+', '^abc$', 'abc$', '(ab', 'ab)', '*a', 'a**', 'a{1001}', '(a)\\1', '(?=a)', '[a', '\\pX'];
