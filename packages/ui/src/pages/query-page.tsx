import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type MatrixResult, type QueryData } from '../api/client.ts';
import { Chart } from '../components/chart.tsx';
import { ResultTable } from '../components/result-table.tsx';
import { autoStep, RANGES, readState, writeState, type QueryState } from '../state/url-state.ts';

interface Outcome {
  graph?: MatrixResult;
  start?: number;
  end?: number;
  table?: QueryData;
  error?: string;
  warnings: string[];
  took?: number;
}

/** PromQL input, time range, and the result as a graph and a table. */
export function QueryPage() {
  const [state, setState] = useState<QueryState>(readState);
  const [draft, setDraft] = useState(state.expr);
  const [outcome, setOutcome] = useState<Outcome>({ warnings: [] });
  const [running, setRunning] = useState(false);

  const run = async (s: QueryState) => {
    writeState(s);
    if (!s.expr.trim()) return;
    setRunning(true);
    const started = performance.now();
    const end = s.end ?? Date.now() / 1000;
    try {
      const [range, instant] = await Promise.all([
        api.queryRange(s.expr, end - s.range, end, autoStep(s.range)),
        api.query(s.expr, end),
      ]);
      setOutcome({
        graph: range.data.resultType === 'matrix' ? range.data : undefined,
        start: end - s.range,
        end,
        table: instant.data,
        warnings: [...range.warnings, ...range.infos],
        took: performance.now() - started,
      });
    } catch (err) {
      setOutcome({ error: err instanceof ApiError ? `${err.errorType}: ${err.message}` : String(err), warnings: [] });
    } finally {
      setRunning(false);
    }
  };

  useEffect(() => {
    if (state.expr) void run(state);
  }, []);

  const update = (patch: Partial<QueryState>) => {
    const next = { ...state, ...patch };
    setState(next);
    void run(next);
  };

  return (
    <section class="query-page">
      <form
        class="query-form"
        onSubmit={(e) => {
          e.preventDefault();
          update({ expr: draft });
        }}
      >
        <textarea
          class="expr"
          name="expr"
          rows={2}
          spellcheck={false}
          placeholder="Expression (press Enter to run, Shift+Enter for a new line)"
          value={draft}
          onInput={(e) => setDraft((e.target as HTMLTextAreaElement).value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              update({ expr: draft });
            }
          }}
        />
        <button type="submit" class="run" disabled={running}>
          {running ? 'Running…' : 'Execute'}
        </button>
      </form>
      <div class="toolbar">
        <div class="tabs">
          <button class={state.tab === 'graph' ? 'active' : ''} onClick={() => update({ tab: 'graph' })}>
            Graph
          </button>
          <button class={state.tab === 'table' ? 'active' : ''} onClick={() => update({ tab: 'table' })}>
            Table
          </button>
        </div>
        <div class="ranges">
          {RANGES.map(([label, secs]) => (
            <button key={label} class={state.range === secs ? 'active' : ''} onClick={() => update({ range: secs })}>
              {label}
            </button>
          ))}
          <input
            type="datetime-local"
            class="end-time"
            title="End time (empty: now)"
            value={state.end ? new Date(state.end * 1000 - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16) : ''}
            onChange={(e) => {
              const v = (e.target as HTMLInputElement).value;
              update({ end: v ? new Date(v).getTime() / 1000 : undefined });
            }}
          />
        </div>
        {outcome.took !== undefined && <span class="took">{Math.round(outcome.took)} ms</span>}
      </div>
      {outcome.error && <div class="error" role="alert">{outcome.error}</div>}
      {outcome.warnings.map((w) => (
        <div class="warning" key={w}>
          {w}
        </div>
      ))}
      {!outcome.error && state.tab === 'graph' && outcome.graph && <Chart data={outcome.graph} start={outcome.start!} end={outcome.end!} />}
      {!outcome.error && outcome.table && <ResultTable data={outcome.table} />}
    </section>
  );
}
