/**
 * A sample value for axes and the legend: up to 4 significant digits with
 * SI-style suffixes for large magnitudes, so `1234567` reads `1.235M`.
 * Tables show the API's exact string instead.
 */
export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  const a = Math.abs(v);
  if (a === 0) return '0';
  for (const [n, s] of [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (a >= n) return `${trim((v / n).toPrecision(4))}${s}`;
  }
  if (a < 1e-3) return v.toExponential(2);
  return trim(v.toPrecision(4));
}

function trim(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}
