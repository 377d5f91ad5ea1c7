/**
 * Go's `strconv.FormatFloat(f, 'g', -1, 64)`: the shortest digits that
 * round-trip, in exponent form when the decimal exponent is < -4 or >= 6
 * (Go fixes the switch point at 6 for shortest formatting), with at least
 * two exponent digits.
 */
export function goFormatG(v: number): string {
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expS] = v.toExponential().split('e') as [string, string];
  const exp = Number(expS);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const eprec = 6;
  let out: string;
  if (exp < -4 || exp >= eprec) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    out = `${m}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' + e : e}`;
  } else if (exp < 0) {
    out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  } else if (digits.length <= exp + 1) {
    out = digits + '0'.repeat(exp + 1 - digits.length);
  } else {
    out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  return neg ? '-' + out : out;
}

/**
 * Prometheus 3's canonical form for `le` and `quantile` label values
 * (`labels.FormatOpenMetricsFloat`): like 'g' formatting, but integral values
 * keep a `.0` so `1` and `1.0` name the same bucket.
 */
export function formatOpenMetricsFloat(v: number): string {
  const s = goFormatG(v);
  if (s === 'NaN' || s === '+Inf' || s === '-Inf') return s;
  if (s.includes('.') || s.includes('e')) return s;
  return s + '.0';
}
