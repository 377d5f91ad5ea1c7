import { autoStep, formatDuration, RANGES } from '../state/url-state.ts';

export interface TimeRangeProps {
  /** Seconds. */
  range: number;
  /** Unix seconds, or undefined for "now". */
  end: number | undefined;
  /** Seconds, or undefined for automatic. */
  step: number | undefined;
  onChange(patch: { range?: number; end?: number | undefined; step?: number | undefined }): void;
}

/** `datetime-local` wants local wall-clock time without a zone. */
function toLocalInput(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/**
 * Range presets, an end time (empty means now) with buttons to move one
 * range back or forward, and the step: automatic unless a number is typed.
 */
export function TimeRangePicker({ range, end, step, onChange }: TimeRangeProps) {
  const shift = (by: number) => {
    const base = end ?? Date.now() / 1000;
    const next = base + by;
    onChange({ end: next >= Date.now() / 1000 ? undefined : Math.round(next) });
  };
  return (
    <div class="time-range" role="group" aria-label="Time range">
      <div class="segmented ranges">
        {RANGES.map(([label, secs]) => (
          <button type="button" key={label} class={range === secs ? 'active' : ''} onClick={() => onChange({ range: secs })}>
            {label}
          </button>
        ))}
        {!RANGES.some(([, s]) => s === range) && <button class="active">{formatDuration(range)}</button>}
      </div>
      <div class="segmented end">
        <button type="button" title="Back one range" aria-label="Back one range" onClick={() => shift(-range)}>
          ‹
        </button>
        <input
          type="datetime-local"
          class="end-time"
          title="End time (empty: now)"
          aria-label="End time"
          value={end ? toLocalInput(end) : ''}
          onChange={(e) => {
            const v = (e.target as HTMLInputElement).value;
            onChange({ end: v ? new Date(v).getTime() / 1000 : undefined });
          }}
        />
        <button type="button" title="Forward one range" aria-label="Forward one range" disabled={end === undefined} onClick={() => shift(range)}>
          ›
        </button>
        <button type="button" class={end === undefined ? 'active' : ''} title="End at the current time" onClick={() => onChange({ end: undefined })}>
          Now
        </button>
      </div>
      <label class="step">
        Step
        <input
          type="number"
          min="1"
          class="step-input"
          aria-label="Step in seconds"
          placeholder={`auto (${autoStep(range)}s)`}
          value={step ?? ''}
          onChange={(e) => {
            const n = Number((e.target as HTMLInputElement).value);
            onChange({ step: Number.isFinite(n) && n > 0 ? n : undefined });
          }}
        />
      </label>
    </div>
  );
}
