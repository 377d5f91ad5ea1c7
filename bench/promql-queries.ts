/** The dashboard-style range queries of bench/promql-compare.ts and bench/promql-profile.ts. */
export const QUERIES = [
  'sum by (job) (rate(http_requests_total[5m]))',
  'sum by (job, status) (rate(http_requests_total{status=~"5.."}[5m]))',
  'histogram_quantile(0.99, sum by (le, job) (rate(request_duration_seconds_bucket[5m])))',
  'topk(5, rate(http_requests_total[5m]))',
  'avg_over_time(node_temperature_celsius[5m])',
  'sum(rate(http_requests_total{instance=~"i1.*"}[5m]))',
  'max by (instance) (node_memory_bytes)',
  'sum by (job) (rate(request_duration_seconds_sum[5m])) / sum by (job) (rate(request_duration_seconds_count[5m]))',
  'count by (job) (up == 1)',
  'sum by (method) (increase(http_requests_total[10m]))',
  'quantile(0.9, node_temperature_celsius)',
  'sum(rate(http_requests_total[1m])) by (instance)',
];
