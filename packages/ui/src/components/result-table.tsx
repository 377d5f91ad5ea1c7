import type { Metric, QueryData } from '../api/client.ts';

/** `name{a="1", b="2"}` with the name and label names styled apart. */
function MetricCell({ m }: { m: Metric }) {
  const { __name__: name, ...rest } = m;
  const labels = Object.entries(rest);
  return (
    <td class="metric">
      {name && <span class="name">{name}</span>}
      {(labels.length > 0 || !name) && '{'}
      {labels.map(([k, v], i) => (
        <span key={k}>
          {i > 0 && ', '}
          <span class="lname">{k}</span>={JSON.stringify(v)}
        </span>
      ))}
      {(labels.length > 0 || !name) && '}'}
    </td>
  );
}

/** An instant-query result as rows of label set and value (several `value @time` lines for a range vector). */
export function ResultTable({ data }: { data: QueryData }) {
  if (data.resultType === 'scalar' || data.resultType === 'string') {
    return (
      <table class="results">
        <thead>
          <tr>
            <th>{data.resultType}</th>
            <th>Value</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td class="metric">{data.resultType}</td>
            <td class="value">{data.result[1]}</td>
          </tr>
        </tbody>
      </table>
    );
  }
  if (data.result.length === 0) return <p class="empty">Empty query result.</p>;
  const rows =
    data.resultType === 'vector'
      ? data.result.map((r) => ({ metric: r.metric, value: r.value[1] }))
      : data.result.map((r) => ({ metric: r.metric, value: r.values.map(([t, v]) => `${v} @${t}`).join('\n') }));
  return (
    <table class="results">
      <thead>
        <tr>
          <th>Series</th>
          <th>Value</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={JSON.stringify(r.metric)}>
            <MetricCell m={r.metric} />
            <td class="value">{r.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
