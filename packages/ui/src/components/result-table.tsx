import { formatMetric, type QueryData } from '../api/client.ts';

/** The instant-query result as rows of label set and value. */
export function ResultTable({ data }: { data: QueryData }) {
  if (data.resultType === 'scalar' || data.resultType === 'string') {
    return (
      <table class="results">
        <tbody>
          <tr>
            <td>{data.resultType}</td>
            <td class="value">{data.result[1]}</td>
          </tr>
        </tbody>
      </table>
    );
  }
  if (data.result.length === 0) return <p class="empty">Empty query result</p>;
  return (
    <table class="results">
      <thead>
        <tr>
          <th>Series</th>
          <th>Value</th>
        </tr>
      </thead>
      <tbody>
        {data.resultType === 'vector'
          ? data.result.map((r) => (
              <tr key={formatMetric(r.metric)}>
                <td class="metric">{formatMetric(r.metric)}</td>
                <td class="value">{r.value[1]}</td>
              </tr>
            ))
          : data.result.map((r) => (
              <tr key={formatMetric(r.metric)}>
                <td class="metric">{formatMetric(r.metric)}</td>
                <td class="value">{r.values.map(([t, v]) => `${v} @${t}`).join('\n')}</td>
              </tr>
            ))}
      </tbody>
    </table>
  );
}
