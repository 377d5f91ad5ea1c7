import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type MatrixResult, type QueryData } from '../api/client.ts';
import { Chart } from '../components/chart.tsx';
import { ResultTable } from '../components/result-table.tsx';
import { TimeRangePicker } from '../components/time-range-picker.tsx';
import { PromqlInput } from '../promql-editor/promql-input.tsx';
import { autoStep, readState, writeState, type QueryState } from '../state/url-state.ts';

/** What the last run produced: a graph (range query) or a table (instant query), or an error. */
type Outcome =
  | { kind: 'none' }
  | { kind: 'graph'; data: MatrixResult; start: number; end: number; step: number; warnings: string[]; took: number }
  | { kind: 'table'; data: QueryData; time: number; warnings: string[]; took: number }
  | { kind: 'error'; message: string };

function resultCount(o: Outcome): number | undefined {
  if (o.kind === 'graph') return o.data.result.length;
  if (o.kind === 'table') return o.data.resultType === 'scalar' || o.data.resultType === 'string' ? 1 : o.data.result.length;
  return undefined;
}

/** PromQL input, time range, and the result as a graph (range query) or a table (instant query). */
export function QueryPage() {
  const [state, setState] = useState<QueryState>(readState);
  const [draft, setDraft] = useState(state.expr);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'none' });
  const [running, setRunning] = useState(false);
  const [metricNames, setMetricNames] = useState<string[]>([]);

  useEffect(() => {
    api.metricNames().then((r) => setMetricNames(r.data), () => {});
  }, []);

  const run = async (s: QueryState) => {
    writeState(s);
    if (!s.expr.trim()) {
      setOutcome({ kind: 'none' });
      return;
    }
    setRunning(true);
    const started = performance.now();
    const end = s.end ?? Date.now() / 1000;
    try {
      if (s.tab === 'graph') {
        const step = s.step ?? autoStep(s.range);
        const r = await api.queryRange(s.expr, end - s.range, end, step);
        if (r.data.resultType !== 'matrix') throw new ApiError('bad_data', `a range query returned ${r.data.resultType}; graph an expression that returns an instant vector`);
        setOutcome({ kind: 'graph', data: r.data, start: end - s.range, end, step, warnings: [...r.warnings, ...r.infos], took: performance.now() - started });
      } else {
        const r = await api.query(s.expr, end);
        setOutcome({ kind: 'table', data: r.data, time: end, warnings: [...r.warnings, ...r.infos], took: performance.now() - started });
      }
    } catch (err) {
      setOutcome({ kind: 'error', message: err instanceof ApiError ? `${err.errorType}: ${err.message}` : String(err) });
    } finally {
      setRunning(false);
    }
  };

  useEffect(() => {
    if (state.expr) void run(state);
  }, []);

  const update = (patch: Partial<QueryState>) => {
    const next = { ...state, expr: draft, ...patch };
    setState(next);
    void run(next);
  };
  const count = resultCount(outcome);

  return (
    <section class="query-page">
      <form
        class="query-form"
        onSubmit={(e) => {
          e.preventDefault();
          update({ expr: draft });
        }}
      >
        <PromqlInput value={draft} onChange={setDraft} onRun={() => update({ expr: draft })} metricNames={metricNames} />
        <button type="submit" class="run" disabled={running}>
          {running ? 'Running…' : 'Execute'}
        </button>
      </form>
      <div class="toolbar">
        <div class="segmented tabs" role="tablist">
          <button type="button" role="tab" aria-selected={state.tab === 'graph'} class={state.tab === 'graph' ? 'active' : ''} onClick={() => update({ tab: 'graph' })}>
            Graph
          </button>
          <button type="button" role="tab" aria-selected={state.tab === 'table'} class={state.tab === 'table' ? 'active' : ''} onClick={() => update({ tab: 'table' })}>
            Table
          </button>
        </div>
        <TimeRangePicker range={state.range} end={state.end} step={state.step} onChange={(p) => update(p)} />
      </div>
      {(outcome.kind === 'graph' || outcome.kind === 'table') && (
        <div class="meta">
          {count} series · {Math.round(outcome.took)} ms
          {outcome.kind === 'graph' ? ` · step ${outcome.step}s` : ` · at ${new Date(outcome.time * 1000).toLocaleString()}`}
        </div>
      )}
      {outcome.kind === 'error' && (
        <div class="error" role="alert">
          {outcome.message}
        </div>
      )}
      {(outcome.kind === 'graph' || outcome.kind === 'table') &&
        outcome.warnings.map((w) => (
          <div class="warning" key={w}>
            {w}
          </div>
        ))}
      {outcome.kind === 'graph' && state.tab === 'graph' && <Chart data={outcome.data} start={outcome.start} end={outcome.end} />}
      {outcome.kind === 'table' && state.tab === 'table' && <ResultTable data={outcome.data} />}
      {outcome.kind === 'none' && <p class="hint">Enter a PromQL expression, for example <code>up</code> or <code>sum by (job) (rate(http_requests_total[1m]))</code>.</p>}
    </section>
  );
}
