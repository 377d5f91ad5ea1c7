/** Go's strconv.FormatFloat(v, 'f', -1, 64) as count_values and label values use it. */
export function formatOpenMetricsLikeGo(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const s = String(v);
  if (!s.includes('e')) return s;
  // Expand exponent notation into plain digits, as Go's 'f' format does.
  const [mant, expS] = s.split('e') as [string, string];
  const exp = Number(expS);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const intLen = (mant.replace('-', '').indexOf('.') < 0 ? mant.replace('-', '').length : mant.replace('-', '').indexOf('.')) + exp;
  let out: string;
  if (intLen <= 0) out = '0.' + '0'.repeat(-intLen) + digits;
  else if (intLen >= digits.length) out = digits + '0'.repeat(intLen - digits.length);
  else out = digits.slice(0, intLen) + '.' + digits.slice(intLen);
  return neg ? '-' + out : out;
}
