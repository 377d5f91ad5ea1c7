/**
 * Functions over range vectors (`rate(x[5m])`, `avg_over_time(…)`): each takes
 * one series' samples in the window and returns a value or undefined (no
 * output for that series). Semantics follow promql/functions.go.
 */
export interface Window {
  /**
   * The window is ts/vs[lo, hi). Functions in {@link INDEXED_FUNCTIONS} read
   * the index range of the whole loaded series (no view per step); the
   * others get lo = 0 and hi = length.
   */
  ts: ArrayLike<number>;
  vs: ArrayLike<number>;
  lo: number;
  hi: number;
  /** Evaluation time and window bounds, ms: the window is (start, end]. */
  start: number;
  end: number;
  /** The step's evaluation time, ms (differs from `end` under `@`/offset). */
  evalTs: number;
  /**
   * Optional, from a reader that walks one series over many windows: the
   * series' {@link nextResets} index, so counter functions visit only the
   * resets inside a window instead of every sample.
   */
  resets?: Int32Array;
}

/**
 * `out[i]` = the first index j >= max(i, 1) where vs[j] < vs[j − 1] (a
 * counter reset), or vs.length; out has vs.length + 1 entries. Reuses `out`
 * when it is big enough.
 */
export function nextResets(vs: ArrayLike<number>, out: Int32Array): Int32Array {
  const n = vs.length;
  const nr = out.length > n ? out : new Int32Array(Math.max(n + 1, out.length * 2));
  nr[n] = n;
  let next = n;
  for (let j = n - 1; j >= 1; j--) {
    if (vs[j]! < vs[j - 1]!) next = j;
    nr[j] = next;
  }
  nr[0] = next;
  return nr;
}

/** Prometheus's extrapolatedRate for rate/increase/delta (3.x, left-open ranges). */
export function extrapolatedRate(w: Window, isCounter: boolean, isRate: boolean): number | undefined {
  const { lo, hi } = w;
  const n = hi - lo;
  if (n < 2) return undefined;
  const first = w.vs[lo]!;
  const last = w.vs[hi - 1]!;
  let result = last - first;
  if (isCounter) {
    const nr = w.resets;
    if (nr !== undefined) {
      // The same additions in the same order as the loop below.
      for (let i = nr[lo + 1]!; i < hi; i = nr[i + 1]!) result += w.vs[i - 1]!;
    } else {
      let prev = first;
      for (let i = lo + 1; i < hi; i++) {
        const cur = w.vs[i]!;
        if (cur < prev) result += prev;
        prev = cur;
      }
    }
  }
  const rangeSeconds = (w.end - w.start) / 1000;
  let durationToStart = (w.ts[lo]! - w.start) / 1000;
  let durationToEnd = (w.end - w.ts[hi - 1]!) / 1000;
  const sampledInterval = (w.ts[hi - 1]! - w.ts[lo]!) / 1000;
  const avgBetween = sampledInterval / (n - 1);
  const threshold = avgBetween * 1.1;
  if (durationToStart >= threshold) durationToStart = avgBetween / 2;
  if (isCounter && result > 0 && first >= 0) {
    // Counters can't go below zero: don't extrapolate past the point they would have been 0.
    const durationToZero = sampledInterval * (first / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  if (durationToEnd >= threshold) durationToEnd = avgBetween / 2;
  let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= rangeSeconds;
  return result * factor;
}

function instantValue(w: Window, isRate: boolean): number | undefined {
  const { lo, hi } = w;
  if (hi - lo < 2) return undefined;
  const last = w.vs[hi - 1]!;
  const prev = w.vs[hi - 2]!;
  let result = isRate && last < prev ? last : last - prev;
  if (!isRate) return result;
  const dt = (w.ts[hi - 1]! - w.ts[hi - 2]!) / 1000;
  if (dt === 0) return undefined;
  result /= dt;
  return result;
}

/** Kahan-compensated summation, as Prometheus uses for sum/avg over time. */
export function kahanSum(vs: ArrayLike<number>, lo = 0, hi = vs.length): number {
  let sum = 0;
  let c = 0;
  for (let i = lo; i < hi; i++) {
    const v = vs[i]!;
    const t = sum + v;
    if (Math.abs(sum) >= Math.abs(v)) c += sum - t + v;
    else c += v - t + sum;
    sum = t;
  }
  if (!Number.isFinite(sum)) return sum;
  return sum + c;
}

function linearRegression(ts: ArrayLike<number>, vs: ArrayLike<number>, interceptTime: number): { slope: number; intercept: number } {
  const n = ts.length;
  let constY = true;
  const initY = vs[0]!;
  let sumX = 0,
    cX = 0,
    sumY = 0,
    cY = 0,
    sumXY = 0,
    cXY = 0,
    sumX2 = 0,
    cX2 = 0;
  const add = (s: number, c: number, v: number): [number, number] => {
    const t = s + v;
    if (Math.abs(s) >= Math.abs(v)) c += s - t + v;
    else c += v - t + s;
    return [t, c];
  };
  for (let i = 0; i < n; i++) {
    if (constY && i > 0 && vs[i] !== initY) constY = false;
    const x = (ts[i]! - interceptTime) / 1000;
    const y = vs[i]!;
    [sumX, cX] = add(sumX, cX, x);
    [sumY, cY] = add(sumY, cY, y);
    [sumXY, cXY] = add(sumXY, cXY, x * y);
    [sumX2, cX2] = add(sumX2, cX2, x * x);
  }
  if (constY) {
    if (!Number.isFinite(initY)) return { slope: NaN, intercept: NaN };
    return { slope: 0, intercept: initY };
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  const intercept = sumY / n - (slope * sumX) / n;
  return { slope, intercept };
}

/** φ-quantile of values, as Prometheus's `quantile` (linear interpolation between closest ranks). */
export function quantile(q: number, values: ArrayLike<number>): number {
  if (values.length === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  // Go's sort.Float64s puts NaN first; match it so results agree. A typed
  // array sorts numerically (NaN last), so NaNs are counted and put in front.
  const n = values.length;
  const sorted = new Float64Array(n);
  let nans = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v !== v) nans++;
    else sorted[i - nans] = v;
  }
  sorted.subarray(0, n - nans).sort();
  if (nans > 0) {
    sorted.copyWithin(nans, 0, n - nans);
    sorted.fill(NaN, 0, nans);
  }
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return sorted[lower]! * (1 - weight) + sorted[upper]! * weight;
}

function variance(vs: ArrayLike<number>): number {
  // Welford's online algorithm, as Prometheus's stdvar_over_time.
  let count = 0,
    mean = 0,
    m2 = 0;
  for (let i = 0; i < vs.length; i++) {
    const v = vs[i]!;
    count++;
    const delta = v - mean;
    mean += delta / count;
    m2 += delta * (v - mean);
  }
  return m2 / count;
}


/**
 * Mean as Prometheus's `avg` and `avg_over_time` compute it: a compensated
 * sum, switching to an incremental mean from the point the sum would
 * overflow.
 */
export function avg(vs: ArrayLike<number>, lo = 0, hi = vs.length): number {
  let sum = vs[lo]!;
  let c = 0;
  let mean = 0;
  let incremental = false;
  for (let i = lo + 1; i < hi; i++) {
    const v = vs[i]!;
    const count = i - lo + 1;
    if (!incremental) {
      // kahanSumInc(v, sum, c), inline (no pair allocated per sample).
      const t = sum + v;
      if (t !== Infinity && t !== -Infinity) {
        if (Math.abs(sum) >= Math.abs(v)) c += sum - t + v;
        else c += v - t + sum;
        sum = t;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    const q = (count - 1) / count;
    // kahanSumInc(v / count, q * mean, q * c)
    const inc = v / count;
    const m = q * mean;
    let cc = q * c;
    const t = m + inc;
    if (t === Infinity || t === -Infinity) cc = 0;
    else if (Math.abs(m) >= Math.abs(inc)) cc += m - t + inc;
    else cc += inc - t + m;
    mean = t;
    c = cc;
  }
  if (incremental) return mean + c;
  return (sum + c) / (hi - lo);
}

/** min/max_over_time: NaN only wins when every value is NaN. */
function extreme(vs: ArrayLike<number>, max: boolean, lo = 0, hi = vs.length): number {
  let r = vs[lo]!;
  for (let i = lo + 1; i < hi; i++) {
    const b = vs[i]!;
    if ((max ? b > r : b < r) || Number.isNaN(r)) r = b;
  }
  return r;
}

/** Timestamp (s) of the last sample holding the min/max value. */
function tsOfExtreme(w: Window, max: boolean): number | undefined {
  if (!w.vs.length) return undefined;
  let best = w.vs[0]!;
  let at = w.ts[0]!;
  for (let i = 1; i < w.vs.length; i++) {
    const v = w.vs[i]!;
    if ((max ? v >= best : v <= best) || Number.isNaN(best)) {
      best = v;
      at = w.ts[i]!;
    }
  }
  return at / 1000;
}

export type RangeFn = (w: Window, args: number[]) => number | undefined;

/** Functions that honour `lo`/`hi`; the hot ones on dashboards. */
export const INDEXED_FUNCTIONS: ReadonlySet<string> = new Set([
  'rate',
  'increase',
  'delta',
  'irate',
  'idelta',
  'avg_over_time',
  'sum_over_time',
  'count_over_time',
  'min_over_time',
  'max_over_time',
  'first_over_time',
  'last_over_time',
  'present_over_time',
]);

export const RANGE_FUNCTIONS: Record<string, RangeFn> = {
  rate: (w) => extrapolatedRate(w, true, true),
  increase: (w) => extrapolatedRate(w, true, false),
  delta: (w) => extrapolatedRate(w, false, false),
  irate: (w) => instantValue(w, true),
  idelta: (w) => instantValue(w, false),
  avg_over_time: (w) => (w.hi > w.lo ? avg(w.vs, w.lo, w.hi) : undefined),
  sum_over_time: (w) => (w.hi > w.lo ? kahanSum(w.vs, w.lo, w.hi) : undefined),
  count_over_time: (w) => (w.hi > w.lo ? w.hi - w.lo : undefined),
  min_over_time: (w) => (w.hi > w.lo ? extreme(w.vs, false, w.lo, w.hi) : undefined),
  max_over_time: (w) => (w.hi > w.lo ? extreme(w.vs, true, w.lo, w.hi) : undefined),
  ts_of_first_over_time: (w) => (w.ts.length ? w.ts[0]! / 1000 : undefined),
  ts_of_last_over_time: (w) => (w.ts.length ? w.ts[w.ts.length - 1]! / 1000 : undefined),
  ts_of_min_over_time: (w) => tsOfExtreme(w, false),
  ts_of_max_over_time: (w) => tsOfExtreme(w, true),
  first_over_time: (w) => (w.hi > w.lo ? w.vs[w.lo] : undefined),
  last_over_time: (w) => (w.hi > w.lo ? w.vs[w.hi - 1] : undefined),
  present_over_time: (w) => (w.hi > w.lo ? 1 : undefined),
  stddev_over_time: (w) => (w.vs.length ? Math.sqrt(variance(w.vs)) : undefined),
  stdvar_over_time: (w) => (w.vs.length ? variance(w.vs) : undefined),
  mad_over_time: (w) => {
    if (!w.vs.length) return undefined;
    // One NaN sample makes the result NaN rather than being sorted away.
    for (let i = 0; i < w.vs.length; i++) if (Number.isNaN(w.vs[i]!)) return NaN;
    const med = quantile(0.5, w.vs);
    return quantile(0.5, Array.from(w.vs, (v) => Math.abs(v - med)));
  },
  quantile_over_time: (w, [q]) => (w.vs.length ? quantile(q!, w.vs) : undefined),
  changes: (w) => {
    if (!w.vs.length) return undefined;
    let c = 0;
    for (let i = 1; i < w.vs.length; i++) {
      const a = w.vs[i - 1]!;
      const b = w.vs[i]!;
      if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) c++;
    }
    return c;
  },
  resets: (w) => {
    if (!w.vs.length) return undefined;
    let c = 0;
    for (let i = 1; i < w.vs.length; i++) if (w.vs[i]! < w.vs[i - 1]!) c++;
    return c;
  },
  deriv: (w) => (w.vs.length < 2 ? undefined : linearRegression(w.ts, w.vs, w.ts[0]!).slope),
  predict_linear: (w, [d]) => {
    if (w.vs.length < 2) return undefined;
    // Prometheus anchors the regression at the evaluation time, not the window end.
    const { slope, intercept } = linearRegression(w.ts, w.vs, w.evalTs);
    return slope * d! + intercept;
  },
  double_exponential_smoothing: (w, [sf, tf]) => {
    const n = w.vs.length;
    if (n < 2) return undefined;
    if (!(sf! > 0 && sf! < 1) || !(tf! > 0 && tf! < 1)) return undefined;
    let s0 = 0;
    let s1 = w.vs[0]!;
    let b = w.vs[1]! - w.vs[0]!;
    for (let i = 1; i < n; i++) {
      const x = sf! * w.vs[i]!;
      if (i > 1) b = tf! * (s1 - s0) + (1 - tf!) * b;
      const y = (1 - sf!) * (s1 + b);
      s0 = s1;
      s1 = x + y;
    }
    return s1;
  },
};
