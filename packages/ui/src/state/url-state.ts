/** The query page's state, kept in the URL so a view can be shared. */
export interface QueryState {
  expr: string;
  /** Graph range in seconds. */
  range: number;
  /** End time in Unix seconds, or undefined for "now". */
  end: number | undefined;
  /** Range-query step in seconds, or undefined for automatic ({@link autoStep}). */
  step: number | undefined;
  tab: 'graph' | 'table';
}

/** The range presets, as `[label, seconds]`. */
export const RANGES: ReadonlyArray<readonly [string, number]> = [
  ['5m', 300],
  ['15m', 900],
  ['1h', 3600],
  ['6h', 21600],
  ['1d', 86400],
];

const DEFAULT_RANGE = 900;

function positive(v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Reads the state from a query string such as `location.search`; unknown or bad values fall back to defaults. */
export function parseState(search: string): QueryState {
  const p = new URLSearchParams(search);
  return {
    expr: p.get('expr') ?? '',
    range: positive(p.get('range')) ?? DEFAULT_RANGE,
    end: positive(p.get('end')),
    step: positive(p.get('step')),
    tab: p.get('tab') === 'table' ? 'table' : 'graph',
  };
}

/** The query string for a state; defaults are left out so links stay short. */
export function formatState(s: QueryState): string {
  const p = new URLSearchParams();
  if (s.expr) p.set('expr', s.expr);
  if (s.range !== DEFAULT_RANGE) p.set('range', String(s.range));
  if (s.end !== undefined) p.set('end', String(Math.round(s.end)));
  if (s.step !== undefined) p.set('step', String(s.step));
  if (s.tab !== 'graph') p.set('tab', s.tab);
  const q = p.toString();
  return q ? `?${q}` : '';
}

export function readState(): QueryState {
  return parseState(location.search);
}

/** Replaces the URL with the state's (no history entry per keystroke-driven run). */
export function writeState(s: QueryState): void {
  const next = `${location.pathname}${formatState(s)}`;
  if (next !== `${location.pathname}${location.search}`) history.replaceState(null, '', next);
}

/**
 * The automatic step: about 250 points across the range, at least 1 s,
 * rounded to whole seconds (as Prometheus's UI does), so a 1 h graph uses
 * 14 s and a 1 d graph 346 s.
 */
export function autoStep(rangeSeconds: number): number {
  return Math.max(1, Math.round(rangeSeconds / 250));
}

/** `90` → `1m30s`, `3600` → `1h`: the compact duration the picker shows. */
export function formatDuration(seconds: number): string {
  const units: Array<[string, number]> = [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  let rest = Math.round(seconds);
  let out = '';
  for (const [u, n] of units) {
    if (rest >= n) {
      out += `${Math.floor(rest / n)}${u}`;
      rest %= n;
    }
  }
  return out || '0s';
}
