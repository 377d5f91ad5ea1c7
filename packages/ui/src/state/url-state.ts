/** The query page's state, kept in the URL so a view can be shared. */
export interface QueryState {
  expr: string;
  /** Range in seconds. */
  range: number;
  /** End time in Unix seconds, or undefined for "now". */
  end: number | undefined;
  tab: 'graph' | 'table';
}

export const RANGES: Array<[string, number]> = [
  ['5m', 300],
  ['15m', 900],
  ['1h', 3600],
  ['6h', 21600],
  ['1d', 86400],
];

export function readState(): QueryState {
  const p = new URLSearchParams(location.search);
  const range = Number(p.get('range'));
  const end = p.get('end');
  return {
    expr: p.get('expr') ?? '',
    range: Number.isFinite(range) && range > 0 ? range : 900,
    end: end ? Number(end) : undefined,
    tab: p.get('tab') === 'table' ? 'table' : 'graph',
  };
}

export function writeState(s: QueryState): void {
  const p = new URLSearchParams();
  if (s.expr) p.set('expr', s.expr);
  p.set('range', String(s.range));
  if (s.end !== undefined) p.set('end', String(s.end));
  p.set('tab', s.tab);
  history.replaceState(null, '', `${location.pathname}?${p}`);
}

/** Picks a step giving about 250 points, at least 1 s, rounded to whole seconds. */
export function autoStep(rangeSeconds: number): number {
  return Math.max(1, Math.round(rangeSeconds / 250));
}
