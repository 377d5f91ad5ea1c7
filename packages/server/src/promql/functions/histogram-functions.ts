/**
 * PromQL functions over native histograms (promql/functions.go and
 * promql/quantile.go semantics): rates and deltas of histogram counters,
 * `_over_time` functions over windows that hold histograms, and the
 * `histogram_*` functions.
 */
import { FloatHistogram, IncompatibleSchemaError, withCompensation } from '../histogram/float-histogram.ts';
import { isStaleNaN } from '../../storage/index.ts';
import { RANGE_FUNCTIONS, type Window } from './range-functions.ts';

/** Collects annotations; `pos` is the offset of the sub-expression they point at. */
export interface Annotator {
  warn(text: string, pos: number): void;
  info(text: string, pos: number): void;
}

export interface HistWindow extends Window {
  hs: ArrayLike<FloatHistogram | undefined>;
}

export const MIXED_EXP_CUSTOM = (name: string) => `PromQL warning: vector contains a mix of histograms with exponential and custom buckets schemas for metric name ${JSON.stringify(name)}`;
export const MIXED_FLOATS_HISTOGRAMS = (name: string) => `PromQL warning: encountered a mix of histograms and floats for metric name ${JSON.stringify(name)}`;
const NOT_COUNTER = (name: string) => `PromQL warning: this native histogram metric is not a counter: ${JSON.stringify(name)}`;
const NOT_GAUGE = (name: string) => `PromQL warning: this native histogram metric is not a gauge: ${JSON.stringify(name)}`;
const IGNORED_MIXED = (name: string) => `PromQL info: ignored histograms in a range containing both floats and histograms for metric name ${JSON.stringify(name)}`;
export const COLLISION = (op: string) => `PromQL warning: conflicting counter resets during histogram ${op}`;
export const RECONCILED = (op: string) => `PromQL info: mismatched custom buckets were reconciled during ${op}`;

/** Result of a range function over a window with histograms. */
export type RangeResult = { v: number; h?: FloatHistogram } | undefined;

/** Functions that only look at floats: histograms are ignored (with an info when floats are present too). */
const FLOAT_ONLY = new Set([
  'min_over_time',
  'max_over_time',
  'ts_of_min_over_time',
  'ts_of_max_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'quantile_over_time',
  'mad_over_time',
  'deriv',
  'predict_linear',
  'double_exponential_smoothing',
]);

/**
 * A range function applied to a window that holds at least one histogram.
 * `name` is the metric name for annotations, `pos` the position of the
 * range argument.
 */
export function rangeWithHistograms(f: string, w: HistWindow, args: number[], name: string, pos: number, ann: Annotator): RangeResult {
  const fl: number[] = [];
  const hi: number[] = [];
  for (let i = w.lo; i < w.hi; i++) (w.hs[i] ? hi : fl).push(i);
  if (FLOAT_ONLY.has(f)) {
    if (fl.length === 0) return undefined;
    if (f === 'deriv' || f === 'predict_linear' || f === 'double_exponential_smoothing') {
      if (fl.length < 2) {
        ann.info(IGNORED_MIXED(name), pos);
        return undefined;
      }
    }
    ann.info(IGNORED_MIXED(name), pos);
    const v = RANGE_FUNCTIONS[f]!({ ts: fl.map((i) => w.ts[i]!), vs: fl.map((i) => w.vs[i]!), lo: 0, hi: fl.length, start: w.start, end: w.end, evalTs: w.evalTs }, args);
    return v === undefined ? undefined : { v };
  }
  switch (f) {
    case 'count_over_time':
      return { v: w.hi - w.lo };
    case 'present_over_time':
      return { v: 1 };
    case 'first_over_time':
    case 'last_over_time': {
      const i = f === 'first_over_time' ? w.lo : w.hi - 1;
      const h = w.hs[i];
      return h ? { v: 0, h } : { v: w.vs[i]! };
    }
    case 'ts_of_first_over_time':
      return { v: w.ts[w.lo]! / 1000 };
    case 'ts_of_last_over_time':
      return { v: w.ts[w.hi - 1]! / 1000 };
    case 'changes':
    case 'resets': {
      let c = 0;
      for (let i = w.lo + 1; i < w.hi; i++) {
        const a = w.hs[i - 1];
        const b = w.hs[i];
        if (!a && !b) {
          const x = w.vs[i - 1]!;
          const y = w.vs[i]!;
          if (f === 'changes' ? x !== y && !(Number.isNaN(x) && Number.isNaN(y)) : y < x) c++;
        } else if (!a || !b) c++;
        else if (f === 'changes' ? !histogramsEqual(a, b) : b.detectReset(a)) c++;
      }
      return { v: c };
    }
    case 'sum_over_time':
    case 'avg_over_time': {
      if (fl.length > 0) {
        ann.warn(MIXED_FLOATS_HISTOGRAMS(name), pos);
        return undefined;
      }
      const hs = hi.map((i) => w.hs[i]!);
      try {
        const h = f === 'sum_over_time' ? sumHistograms(hs, ann, pos) : avgHistograms(hs, ann, pos);
        return { v: 0, h };
      } catch (e) {
        if (e instanceof IncompatibleSchemaError) {
          ann.warn(MIXED_EXP_CUSTOM(name), pos);
          return undefined;
        }
        throw e;
      }
    }
    case 'rate':
    case 'increase':
    case 'delta': {
      if (fl.length > 0) {
        ann.warn(MIXED_FLOATS_HISTOGRAMS(name), pos);
        return undefined;
      }
      return extrapolatedHistogramRate(w, hi, f !== 'delta', f === 'rate', name, pos, ann);
    }
    case 'irate':
    case 'idelta': {
      if (w.hi - w.lo < 2) return undefined;
      const a = w.hs[w.hi - 2];
      const b = w.hs[w.hi - 1];
      if (!a || !b) {
        ann.warn(MIXED_FLOATS_HISTOGRAMS(name), pos);
        return undefined;
      }
      const dt = w.ts[w.hi - 1]! - w.ts[w.hi - 2]!;
      if (dt === 0) return undefined;
      const isRate = f === 'irate';
      if (isRate && (a.counterResetHint === 'gauge' || b.counterResetHint === 'gauge')) ann.warn(NOT_COUNTER(name), pos);
      if (!isRate && (a.counterResetHint !== 'gauge' || b.counterResetHint !== 'gauge')) ann.warn(NOT_GAUGE(name), pos);
      let h = b.copy();
      if (!isRate || !b.detectReset(a)) {
        try {
          const r = h.sub(a);
          h = r.h;
          if (r.reconciled) ann.info(RECONCILED('subtraction'), pos);
        } catch (e) {
          if (e instanceof IncompatibleSchemaError) {
            ann.warn(MIXED_EXP_CUSTOM(name), pos);
            return undefined;
          }
          throw e;
        }
      }
      h.counterResetHint = 'gauge';
      h = h.compact();
      if (isRate) h = h.div(dt / 1000);
      return { v: 0, h };
    }
  }
  // Functions without histogram support ignore the histograms.
  if (fl.length === 0) return undefined;
  const fn = RANGE_FUNCTIONS[f];
  if (!fn) return undefined;
  const v = fn({ ts: fl.map((i) => w.ts[i]!), vs: fl.map((i) => w.vs[i]!), lo: 0, hi: fl.length, start: w.start, end: w.end, evalTs: w.evalTs }, args);
  return v === undefined ? undefined : { v };
}

/** Exact equality (counter-reset hints aside), as `changes` uses it. */
export function histogramsEqual(a: FloatHistogram, b: FloatHistogram): boolean {
  const same = (x: number, y: number) => Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y) && isStaleNaN(x) === isStaleNaN(y)) || (x === 0 && y === 0);
  const arr = (x: readonly number[], y: readonly number[]) => x.length === y.length && x.every((v, i) => same(v, y[i]!));
  return (
    a.schema === b.schema &&
    same(a.zeroThreshold, b.zeroThreshold) &&
    same(a.zeroCount, b.zeroCount) &&
    same(a.count, b.count) &&
    same(a.sum, b.sum) &&
    arr(a.pIdx, b.pIdx) &&
    arr(a.pCnt, b.pCnt) &&
    arr(a.nIdx, b.nIdx) &&
    arr(a.nCnt, b.nCnt) &&
    arr(a.customValues ?? [], b.customValues ?? [])
  );
}

/** Sum of histograms with hint-collision and bounds-reconciliation annotations (as sum_over_time). Throws IncompatibleSchemaError. */
export function sumHistograms(hs: FloatHistogram[], ann: Annotator, pos: number): FloatHistogram {
  let reset = false;
  let notReset = false;
  let reconciled = false;
  let sum = hs[0]!;
  let c: FloatHistogram | undefined;
  for (let i = 0; i < hs.length; i++) {
    const h = hs[i]!;
    if (h.counterResetHint === 'reset') reset = true;
    if (h.counterResetHint === 'not_reset') notReset = true;
    if (i === 0) continue;
    const r = sum.kahanAdd(h, c);
    sum = r.h;
    c = r.c;
    if (r.reconciled) reconciled = true;
  }
  if (reset && notReset) ann.warn(COLLISION('aggregation'), pos);
  if (reconciled) ann.info(RECONCILED('aggregation'), pos);
  return withCompensation(sum, c).compact();
}

/** Mean of histograms (as avg_over_time). Throws IncompatibleSchemaError. */
export function avgHistograms(hs: FloatHistogram[], ann: Annotator, pos: number): FloatHistogram {
  let reset = false;
  let notReset = false;
  let reconciled = false;
  let sum = hs[0]!;
  let c: FloatHistogram | undefined;
  let mean: FloatHistogram | undefined;
  for (let i = 0; i < hs.length; i++) {
    const h = hs[i]!;
    if (h.counterResetHint === 'reset') reset = true;
    if (h.counterResetHint === 'not_reset') notReset = true;
    if (i === 0) continue;
    const count = i + 1;
    if (!mean) {
      const r = sum.kahanAdd(h, c);
      if (r.reconciled) reconciled = true;
      if (!hasOverflow(r.h)) {
        sum = r.h;
        c = r.c;
        continue;
      }
      mean = withCompensation(sum, c).div(count - 1);
    }
    const q = (count - 1) / count;
    const r = mean.mul(q).add(h.div(count));
    if (r.reconciled) reconciled = true;
    mean = r.h;
  }
  if (reset && notReset) ann.warn(COLLISION('aggregation'), pos);
  if (reconciled) ann.info(RECONCILED('aggregation'), pos);
  return (mean ?? (c ? withCompensation(sum.div(hs.length), c.div(hs.length)) : sum.div(hs.length))).compact();
}

function hasOverflow(h: FloatHistogram): boolean {
  const inf = (v: number) => v === Infinity || v === -Infinity;
  return inf(h.zeroCount) || inf(h.count) || inf(h.sum) || h.pCnt.some(inf) || h.nCnt.some(inf);
}

function extrapolatedHistogramRate(w: HistWindow, idx: number[], isCounter: boolean, isRate: boolean, name: string, pos: number, ann: Annotator): RangeResult {
  if (idx.length < 2) return undefined;
  const points = idx.map((i) => w.hs[i]!);
  let prev = points[0]!;
  const last = points[points.length - 1]!;
  let custom = prev.usesCustomBuckets;
  if (isCounter && (prev.counterResetHint === 'gauge' || last.counterResetHint === 'gauge')) ann.warn(NOT_COUNTER(name), pos);
  if (isCounter) {
    const second = points[1]!;
    if (second.detectReset(prev)) {
      const empty = new FloatHistogram();
      empty.schema = second.schema;
      empty.customValues = second.customValues;
      prev = empty;
      custom = second.usesCustomBuckets;
    }
  }
  if (last.usesCustomBuckets !== custom) {
    ann.warn(MIXED_EXP_CUSTOM(name), pos);
    return undefined;
  }
  let minSchema = Math.min(last.schema, prev.schema);
  for (let k = 1; k < points.length - 1; k++) {
    const cur = points[k]!;
    if (!isCounter) continue;
    if (cur.counterResetHint === 'gauge') ann.warn(NOT_COUNTER(name), pos);
    if (cur.schema < minSchema) minSchema = cur.schema;
    if (cur.usesCustomBuckets !== custom) {
      ann.warn(MIXED_EXP_CUSTOM(name), pos);
      return undefined;
    }
  }
  let h = last.reduceTo(minSchema);
  try {
    const r = h.sub(prev);
    h = r.h;
    if (r.reconciled) ann.info(RECONCILED('subtraction'), pos);
    if (isCounter) {
      let p = prev;
      for (let k = 1; k < points.length; k++) {
        const cur = points[k]!;
        if (cur.detectReset(p)) {
          const a = h.add(p);
          h = a.h;
          if (a.reconciled) ann.info(RECONCILED('addition'), pos);
        }
        p = cur;
      }
    } else if (points[0]!.counterResetHint !== 'gauge' || last.counterResetHint !== 'gauge') ann.warn(NOT_GAUGE(name), pos);
  } catch (e) {
    if (e instanceof IncompatibleSchemaError) {
      ann.warn(MIXED_EXP_CUSTOM(name), pos);
      return undefined;
    }
    throw e;
  }
  h.counterResetHint = 'gauge';
  h = h.compact();
  // Extrapolation as for floats.
  const firstT = w.ts[idx[0]!]!;
  const lastT = w.ts[idx[idx.length - 1]!]!;
  let durationToStart = (firstT - w.start) / 1000;
  let durationToEnd = (w.end - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const avgBetween = sampledInterval / (idx.length - 1);
  const threshold = avgBetween * 1.1;
  if (durationToStart >= threshold) durationToStart = avgBetween / 2;
  if (isCounter) {
    let durationToZero = durationToStart;
    if (h.count > 0 && points[0]!.count >= 0) durationToZero = sampledInterval * (points[0]!.count / h.count);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  if (durationToEnd >= threshold) durationToEnd = avgBetween / 2;
  let factor = sampledInterval !== 0 ? (sampledInterval + durationToStart + durationToEnd) / sampledInterval : 1;
  if (isRate) factor /= (w.end - w.start) / 1000;
  h = h.mul(factor);
  h.counterResetHint = 'gauge';
  return { v: 0, h };
}

/** histogram_quantile over one native histogram (promql/quantile.go `HistogramQuantile`). */
export function nativeQuantile(q: number, h: FloatHistogram, name: string, pos: number, ann: Annotator): number {
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  if (h.count === 0 || Number.isNaN(q)) return NaN;
  const all = h.allBuckets();
  const forward = Number.isNaN(h.sum) || q < 0.5;
  const order = forward ? all : [...all].reverse();
  let rank = forward ? q * h.count : (1 - q) * h.count;
  let count = 0;
  let k = -1;
  let bucket = { lower: 0, upper: 0, count: 0, index: 0 };
  for (k = 0; k < order.length; k++) {
    const b = order[k]!;
    if (b.count === 0) continue;
    bucket = { ...b };
    count += b.count;
    if (count >= rank) break;
  }
  if (!h.usesCustomBuckets && bucket.lower < 0 && bucket.upper > 0) {
    const hasNeg = h.nIdx.length > 0;
    const hasPos = h.pIdx.length > 0;
    if (!hasNeg && hasPos) bucket.lower = 0;
    else if (!hasPos && hasNeg) bucket.upper = 0;
  } else if (h.usesCustomBuckets) {
    if (bucket.lower === -Infinity) {
      if (bucket.upper <= 0) return bucket.upper;
      bucket.lower = 0;
    } else if (bucket.upper === Infinity) return bucket.lower;
  }
  if (count > h.count) count = h.count;
  if (count < rank) {
    if (Number.isNaN(h.sum)) {
      ann.info(`PromQL info: input to histogram_quantile has NaN observations, result is NaN for metric name ${JSON.stringify(name)}`, pos);
      return NaN;
    }
    return bucket.upper;
  }
  if (forward) rank -= count - bucket.count;
  else rank = count - rank;
  if (Number.isNaN(h.sum)) {
    for (let j = k + 1; j < order.length; j++) count += order[j]!.count;
    if (count < h.count) ann.info(`PromQL info: input to histogram_quantile has NaN observations, result is skewed higher for metric name ${JSON.stringify(name)}`, pos);
  }
  const fraction = rank / bucket.count;
  if (h.usesCustomBuckets || (bucket.lower <= 0 && bucket.upper >= 0)) return bucket.lower + (bucket.upper - bucket.lower) * fraction;
  const logLower = Math.log2(Math.abs(bucket.lower));
  const logUpper = Math.log2(Math.abs(bucket.upper));
  if (bucket.lower > 0) return 2 ** (logLower + (logUpper - logLower) * fraction);
  return -(2 ** (logUpper + (logLower - logUpper) * (1 - fraction)));
}

function fractionBelow(b: { lower: number; upper: number }, v: number, linear: boolean): number {
  if (linear) return (v - b.lower) / (b.upper - b.lower);
  const logLower = Math.log2(Math.abs(b.lower));
  const logUpper = Math.log2(Math.abs(b.upper));
  const logV = Math.log2(Math.abs(v));
  if (v > 0) return (logV - logLower) / (logUpper - logLower);
  return 1 - (logV - logUpper) / (logLower - logUpper);
}

/** histogram_fraction over one native histogram (promql/quantile.go `HistogramFraction`). */
export function nativeFraction(lower: number, upper: number, h: FloatHistogram, name: string, pos: number, ann: Annotator): number {
  if (h.count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return NaN;
  if (lower >= upper) return 0;
  let count = 0;
  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  const all = h.allBuckets();
  let k = 0;
  for (; k < all.length; k++) {
    const b = { ...all[k]! };
    count += b.count;
    let zero = false;
    const linearAt = (v: number) => (b.lower === -Infinity ? b.count : rank + b.count * fractionBelow(b, v, true));
    const expAt = (v: number) => rank + b.count * fractionBelow(b, v, false);
    if (b.lower <= 0 && b.upper >= 0) {
      zero = true;
      const hasNeg = h.nIdx.length > 0;
      const hasPos = h.pIdx.length > 0;
      if (!hasNeg && hasPos) b.lower = 0;
      else if (!hasPos && hasNeg) b.upper = 0;
    }
    if (!lowerSet && b.lower >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && b.lower >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && b.lower < lower && b.upper > lower) {
      lowerRank = h.usesCustomBuckets || zero ? linearAt(lower) : expAt(lower);
      lowerSet = true;
    }
    if (!upperSet && b.lower < upper && b.upper > upper) {
      upperRank = h.usesCustomBuckets || zero ? linearAt(upper) : expAt(upper);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank += b.count;
  }
  if (Number.isNaN(h.sum)) {
    for (let j = k + 1; j < all.length; j++) count += all[j]!.count;
    if (count < h.count) ann.info(`PromQL info: input to histogram_fraction has NaN observations, which are excluded from all fractions for metric name ${JSON.stringify(name)}`, pos);
  } else count = h.count;
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  return (upperRank - lowerRank) / h.count;
}

/** histogram_stdvar (sqrt for histogram_stddev): variance estimated from bucket midpoints. */
export function nativeVariance(h: FloatHistogram): number {
  const mean = h.sum / h.count;
  let variance = 0;
  let c = 0;
  for (const b of h.allBuckets()) {
    if (b.count === 0) continue;
    let val: number;
    if (h.usesCustomBuckets) val = (b.upper + b.lower) / 2;
    else if (b.lower <= 0 && b.upper >= 0) val = 0;
    else {
      val = Math.sqrt(b.upper * b.lower);
      if (b.upper < 0) val = -val;
    }
    const delta = val - mean;
    const inc = b.count * delta * delta;
    const t = variance + inc;
    if (t === Infinity || t === -Infinity) c = 0;
    else if (Math.abs(variance) >= Math.abs(inc)) c += variance - t + inc;
    else c += inc - t + variance;
    variance = t;
  }
  return (variance + c) / h.count;
}
