/**
 * histogram_quantile over classic buckets (promql/quantile.go `BucketQuantile`):
 * buckets sorted by upper bound, cumulative counts forced monotonic, linear
 * interpolation inside the bucket that holds the rank.
 */
export interface Bucket {
  upperBound: number;
  count: number;
}

const SMALL_DELTA_TOLERANCE = 1e-12;

export function bucketQuantile(q: number, buckets: Bucket[]): { value: number; forcedMonotonic: boolean; fixedPrecision: boolean } {
  let forcedMonotonic = false;
  let fixedPrecision = false;
  if (Number.isNaN(q)) return { value: NaN, forcedMonotonic, fixedPrecision };
  if (q < 0) return { value: -Infinity, forcedMonotonic, fixedPrecision };
  if (q > 1) return { value: Infinity, forcedMonotonic, fixedPrecision };
  buckets.sort((a, b) => a.upperBound - b.upperBound);
  if (buckets.length === 0 || buckets[buckets.length - 1]!.upperBound !== Infinity) return { value: NaN, forcedMonotonic, fixedPrecision };
  // Merge buckets with the same upper bound.
  const merged: Bucket[] = [];
  for (const b of buckets) {
    const last = merged[merged.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else merged.push({ ...b });
  }
  if (merged.length < 2) return { value: NaN, forcedMonotonic, fixedPrecision };
  const observations = merged[merged.length - 1]!.count;
  if (observations === 0) return { value: NaN, forcedMonotonic, fixedPrecision };
  // Ensure monotonicity, tolerating tiny floating-point decreases.
  let prev = merged[0]!.count;
  for (let i = 1; i < merged.length; i++) {
    const cur = merged[i]!.count;
    if (cur < prev) {
      if (prev - cur <= SMALL_DELTA_TOLERANCE * Math.max(Math.abs(prev), Math.abs(cur))) fixedPrecision = true;
      else forcedMonotonic = true;
      merged[i]!.count = prev;
    } else prev = cur;
  }
  const total = merged[merged.length - 1]!.count;
  let rank = q * total;
  let b = merged.findIndex((x) => x.count >= rank);
  if (b === merged.length - 1) return { value: merged[merged.length - 2]!.upperBound, forcedMonotonic, fixedPrecision };
  if (b === 0 && merged[0]!.upperBound <= 0) return { value: merged[0]!.upperBound, forcedMonotonic, fixedPrecision };
  let bucketStart = 0;
  const bucketEnd = merged[b]!.upperBound;
  let count = merged[b]!.count;
  if (b > 0) {
    bucketStart = merged[b - 1]!.upperBound;
    count -= merged[b - 1]!.count;
    rank -= merged[b - 1]!.count;
  }
  return { value: bucketStart + (bucketEnd - bucketStart) * (rank / count), forcedMonotonic, fixedPrecision };
}

/**
 * histogram_fraction over classic buckets: the share of observations in
 * [lower, upper], interpolating linearly inside finite buckets. A bound that
 * falls in an infinitely wide bucket takes none of it (no interpolation there).
 */
export function bucketFraction(lower: number, upper: number, buckets: Bucket[]): number {
  buckets.sort((a, b) => a.upperBound - b.upperBound);
  if (buckets.length === 0 || buckets[buckets.length - 1]!.upperBound !== Infinity) return NaN;
  const merged: Bucket[] = [];
  for (const b of buckets) {
    const last = merged[merged.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else merged.push({ ...b });
  }
  const count = merged[merged.length - 1]!.count;
  if (count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return NaN;
  if (lower >= upper) return 0;
  const rankAt = (v: number): number => {
    for (let i = 0; i < merged.length; i++) {
      const b = merged[i]!;
      const lowerBound = i > 0 ? merged[i - 1]!.upperBound : b.upperBound > 0 ? 0 : -Infinity;
      const prevCount = i > 0 ? merged[i - 1]!.count : 0;
      if (v <= lowerBound) return prevCount;
      if (v < b.upperBound) {
        if (lowerBound === -Infinity) return b.count;
        if (b.upperBound === Infinity) return prevCount;
        return prevCount + ((b.count - prevCount) * (v - lowerBound)) / (b.upperBound - lowerBound);
      }
      if (v === b.upperBound) return b.count;
    }
    return count;
  };
  return (Math.min(rankAt(upper), count) - Math.min(rankAt(lower), count)) / count;
}
