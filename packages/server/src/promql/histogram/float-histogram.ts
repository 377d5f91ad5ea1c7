import type { CounterResetHint, FloatHistogramValue, HistogramSpan } from '../../storage/interface.ts';

export type { CounterResetHint };

/** Schema number of native histograms with custom bucket bounds (NHCB). */
export const CUSTOM_BUCKETS_SCHEMA = -53;

/** Adding an exponential-bucket histogram to a custom-bucket one is undefined. */
export class IncompatibleSchemaError extends Error {
  constructor() {
    super('cannot apply this operation to histograms with a mix of exponential and custom bucket schemas');
  }
}

/** Outcome flags of an addition or subtraction. */
export interface OpFlags {
  /** One operand said "counter reset", the other "no counter reset". */
  collision: boolean;
  /** Custom bucket bounds differed and were cut down to their intersection. */
  reconciled: boolean;
}

/** One bucket with absolute bounds, as bucket iterators yield them. */
export interface BucketInfo {
  lower: number;
  upper: number;
  count: number;
  /** Bucket index in its schema (0 for the zero bucket). */
  index: number;
}

/** Upper bound of exponential bucket `idx` in `schema`. */
export function exponentialBound(idx: number, schema: number): number {
  if (schema <= 0) return 2 ** (idx * 2 ** -schema);
  const perPow = 2 ** schema;
  const exp = Math.floor(idx / perPow);
  const frac = idx - exp * perPow;
  if (frac === 0) return 2 ** exp;
  return 2 ** exp * 2 ** (frac / perPow);
}

/** Index of `idx` (in `from`) after merging buckets down to schema `to` (≤ from). */
function targetIndex(idx: number, from: number, to: number): number {
  return Math.floor((idx - 1) / 2 ** (from - to)) + 1;
}

/**
 * A float native histogram: exponential buckets (schema −4…8) with a zero
 * bucket, or custom bucket bounds (schema −53). Buckets are held sparsely as
 * parallel, index-sorted arrays of absolute counts. Operations never mutate
 * their operands; they return new histograms.
 */
export class FloatHistogram implements FloatHistogramValue {
  schema = 0;
  zeroThreshold = 0;
  zeroCount = 0;
  count = 0;
  sum = 0;
  /** Positive bucket indices (ascending) and their counts. */
  pIdx: number[] = [];
  pCnt: number[] = [];
  /** Negative bucket indices (ascending) and their counts. */
  nIdx: number[] = [];
  nCnt: number[] = [];
  customValues: number[] | undefined = undefined;
  counterResetHint: CounterResetHint = 'unknown';

  get usesCustomBuckets(): boolean {
    return this.schema === CUSTOM_BUCKETS_SCHEMA;
  }

  get positiveSpans(): HistogramSpan[] {
    return toSpans(this.pIdx);
  }
  get positiveBuckets(): number[] {
    return this.pCnt;
  }
  get negativeSpans(): HistogramSpan[] {
    return toSpans(this.nIdx);
  }
  get negativeBuckets(): number[] {
    return this.nCnt;
  }

  /** Builds a histogram from the span form the storage interface uses (or returns it when it already is one). */
  static from(v: FloatHistogramValue): FloatHistogram {
    if (v instanceof FloatHistogram) return v;
    const h = new FloatHistogram();
    h.schema = v.schema;
    h.zeroThreshold = v.zeroThreshold;
    h.zeroCount = v.zeroCount;
    h.count = v.count;
    h.sum = v.sum;
    [h.pIdx, h.pCnt] = fromSpans(v.positiveSpans, v.positiveBuckets);
    [h.nIdx, h.nCnt] = fromSpans(v.negativeSpans, v.negativeBuckets);
    h.customValues = v.customValues ? [...v.customValues] : undefined;
    h.counterResetHint = v.counterResetHint ?? 'unknown';
    return h;
  }

  copy(): FloatHistogram {
    const h = new FloatHistogram();
    h.schema = this.schema;
    h.zeroThreshold = this.zeroThreshold;
    h.zeroCount = this.zeroCount;
    h.count = this.count;
    h.sum = this.sum;
    h.pIdx = this.pIdx.slice();
    h.pCnt = this.pCnt.slice();
    h.nIdx = this.nIdx.slice();
    h.nCnt = this.nCnt.slice();
    h.customValues = this.customValues;
    h.counterResetHint = this.counterResetHint;
    return h;
  }

  withHint(hint: CounterResetHint): FloatHistogram {
    const h = this.copy();
    h.counterResetHint = hint;
    return h;
  }

  /** Scales every count and the sum; a negative factor makes it a gauge. */
  mul(f: number): FloatHistogram {
    const h = this.copy();
    h.zeroCount *= f;
    h.count *= f;
    h.sum *= f;
    h.pCnt = h.pCnt.map((c) => c * f);
    h.nCnt = h.nCnt.map((c) => c * f);
    if (f < 0) h.counterResetHint = 'gauge';
    return h;
  }

  /** Divides every count and the sum; division by zero drops all buckets. */
  div(f: number): FloatHistogram {
    const h = this.copy();
    h.zeroCount /= f;
    h.count /= f;
    h.sum /= f;
    if (f === 0) {
      h.pIdx = [];
      h.pCnt = [];
      h.nIdx = [];
      h.nCnt = [];
      return h;
    }
    h.pCnt = h.pCnt.map((c) => c / f);
    h.nCnt = h.nCnt.map((c) => c / f);
    if (f < 0) h.counterResetHint = 'gauge';
    return h;
  }

  /** A copy with buckets merged down to `target` (≤ schema). */
  reduceTo(target: number): FloatHistogram {
    if (this.usesCustomBuckets || target >= this.schema) return this.copy();
    const h = this.copy();
    [h.pIdx, h.pCnt] = reduceBuckets(this.pIdx, this.pCnt, this.schema, target);
    [h.nIdx, h.nCnt] = reduceBuckets(this.nIdx, this.nCnt, this.schema, target);
    h.schema = target;
    return h;
  }

  add(other: FloatHistogram): { h: FloatHistogram } & OpFlags {
    return this.combine(other, 1);
  }

  sub(other: FloatHistogram): { h: FloatHistogram } & OpFlags {
    return this.combine(other, -1);
  }

  private combine(other: FloatHistogram, sign: 1 | -1): { h: FloatHistogram } & OpFlags {
    if (this.usesCustomBuckets !== other.usesCustomBuckets) throw new IncompatibleSchemaError();
    let h = this.copy();
    const collision = adjustHint(h, other);
    h.count += sign * other.count;
    h.sum += sign * other.sum;
    if (h.usesCustomBuckets) {
      if (boundsMatch(h.customValues, other.customValues)) {
        [h.pIdx, h.pCnt] = mergeBuckets(h.pIdx, h.pCnt, other.pIdx, other.pCnt, sign);
        return { h, collision, reconciled: false };
      }
      const bounds = intersectBounds(h.customValues ?? [], other.customValues ?? []);
      const a = mapCustom(h.pIdx, h.pCnt, h.customValues ?? [], bounds);
      const b = mapCustom(other.pIdx, other.pCnt, other.customValues ?? [], bounds);
      [h.pIdx, h.pCnt] = mergeBuckets(a[0], a[1], b[0], b[1], sign);
      // Zero-valued buckets are not kept here.
      const keep = h.pCnt.map((c) => c !== 0);
      h.pIdx = h.pIdx.filter((_, i) => keep[i]);
      h.pCnt = h.pCnt.filter((_, i) => keep[i]);
      h.customValues = bounds;
      return { h, collision, reconciled: true };
    }
    // Zero buckets: widen to cover both.
    let o = other;
    if (o.zeroThreshold !== h.zeroThreshold) {
      let oz = o.zeroCount;
      let ot = o.zeroThreshold;
      while (ot !== h.zeroThreshold) {
        if (h.zeroThreshold > ot) [oz, ot] = o.zeroCountForLargerThreshold(h.zeroThreshold);
        if (ot > h.zeroThreshold) {
          const [hz, ht] = h.zeroCountForLargerThreshold(ot);
          h.zeroCount = hz;
          h.zeroThreshold = ht;
          h.trimBucketsInZeroBucket();
        }
      }
      h.zeroCount += sign * oz;
    } else h.zeroCount += sign * o.zeroCount;
    if (o.schema < h.schema) h = Object.assign(h.reduceTo(o.schema), { zeroCount: h.zeroCount, counterResetHint: h.counterResetHint });
    else if (o.schema > h.schema) o = o.reduceTo(h.schema);
    [h.pIdx, h.pCnt] = mergeBuckets(h.pIdx, h.pCnt, ...dropInZero(o.pIdx, o.pCnt, h.schema, h.zeroThreshold), sign);
    [h.nIdx, h.nCnt] = mergeBuckets(h.nIdx, h.nCnt, ...dropInZero(o.nIdx, o.nCnt, h.schema, h.zeroThreshold), sign);
    return { h, collision, reconciled: false };
  }

  /**
   * Compensated (Kahan–Neumaier) addition: `c` holds the running
   * compensation; the final value is `h.add(c)`. Where the bucket layouts
   * need reconciling (schema, zero threshold, custom bounds), the
   * compensation is folded in and the addition is plain.
   */
  kahanAdd(other: FloatHistogram, c: FloatHistogram | undefined): { h: FloatHistogram; c: FloatHistogram | undefined } & OpFlags {
    const simple =
      this.usesCustomBuckets === other.usesCustomBuckets &&
      (this.usesCustomBuckets ? boundsMatch(this.customValues, other.customValues) : other.schema === this.schema && other.zeroThreshold === this.zeroThreshold);
    if (!simple) {
      const base = c ? this.add(c).h : this;
      base.counterResetHint = this.counterResetHint;
      const r = base.add(other);
      return { ...r, c: undefined };
    }
    const h = this.copy();
    const collision = adjustHint(h, other);
    const comp = c ? c.copy() : new FloatHistogram();
    [h.count, comp.count] = kahanStep(other.count, h.count, comp.count);
    [h.sum, comp.sum] = kahanStep(other.sum, h.sum, comp.sum);
    [h.zeroCount, comp.zeroCount] = kahanStep(other.zeroCount, h.zeroCount, comp.zeroCount);
    const side = (hi: number[], hc: number[], ci: number[], cc: number[], oi: number[], oc: number[]): [number[], number[], number[], number[]] => {
      const vals = new Map<number, [number, number]>();
      hi.forEach((i, k) => vals.set(i, [hc[k]!, 0]));
      ci.forEach((i, k) => {
        const v = vals.get(i) ?? [0, 0];
        v[1] = cc[k]!;
        vals.set(i, v);
      });
      oi.forEach((i, k) => {
        const v = vals.get(i) ?? [0, 0];
        vals.set(i, kahanStep(oc[k]!, v[0], v[1]));
      });
      const keys = [...vals.keys()].sort((a, b) => a - b);
      return [keys, keys.map((k) => vals.get(k)![0]), keys, keys.map((k) => vals.get(k)![1])];
    };
    [h.pIdx, h.pCnt, comp.pIdx, comp.pCnt] = side(h.pIdx, h.pCnt, comp.pIdx, comp.pCnt, other.pIdx, other.pCnt);
    [h.nIdx, h.nCnt, comp.nIdx, comp.nCnt] = side(h.nIdx, h.nCnt, comp.nIdx, comp.nCnt, other.nIdx, other.nCnt);
    comp.schema = h.schema;
    comp.zeroThreshold = h.zeroThreshold;
    comp.customValues = h.customValues;
    comp.counterResetHint = h.counterResetHint;
    return { h, c: comp, collision, reconciled: false };
  }

  /** Bounds of exponential/custom bucket `idx` on the positive side. */
  upperBound(idx: number): number {
    if (this.usesCustomBuckets) {
      const cv = this.customValues ?? [];
      if (idx >= cv.length) return Infinity;
      if (idx < 0) return -Infinity;
      return cv[idx]!;
    }
    return exponentialBound(idx, this.schema);
  }

  /**
   * The zero count this histogram would have with a threshold of at least
   * `t`, and the threshold actually needed (moved up to a bucket boundary
   * when `t` falls inside a populated bucket).
   */
  zeroCountForLargerThreshold(t: number): [number, number] {
    if (t === this.zeroThreshold) return [this.zeroCount, t];
    for (;;) {
      let z = this.zeroCount;
      for (let i = 0; i < this.pIdx.length; i++) {
        const lower = this.upperBound(this.pIdx[i]! - 1);
        const upper = this.upperBound(this.pIdx[i]!);
        if (lower >= t) break;
        z += this.pCnt[i]!;
        if (upper > t) {
          if (this.pCnt[i] !== 0) t = upper;
          break;
        }
      }
      let redo = false;
      for (let i = 0; i < this.nIdx.length; i++) {
        const lower = this.upperBound(this.nIdx[i]! - 1);
        const upper = this.upperBound(this.nIdx[i]!);
        if (lower >= t) break;
        z += this.nCnt[i]!;
        if (upper > t) {
          if (this.nCnt[i] !== 0) {
            t = upper;
            redo = true;
          }
          break;
        }
      }
      if (!redo) return [z, t];
    }
  }

  /** Drops buckets that lie inside the zero bucket (their counts are already in it). */
  private trimBucketsInZeroBucket(): void {
    const keep = (idx: number) => this.upperBound(idx - 1) >= this.zeroThreshold;
    const p = this.pIdx.map(keep);
    this.pIdx = this.pIdx.filter((_, i) => p[i]);
    this.pCnt = this.pCnt.filter((_, i) => p[i]);
    const n = this.nIdx.map(keep);
    this.nIdx = this.nIdx.filter((_, i) => n[i]);
    this.nCnt = this.nCnt.filter((_, i) => n[i]);
  }

  /** Removes empty buckets. */
  compact(): FloatHistogram {
    const h = this.copy();
    const p = h.pCnt.map((c) => c !== 0);
    h.pIdx = h.pIdx.filter((_, i) => p[i]);
    h.pCnt = h.pCnt.filter((_, i) => p[i]);
    const n = h.nCnt.map((c) => c !== 0);
    h.nIdx = h.nIdx.filter((_, i) => n[i]);
    h.nCnt = h.nCnt.filter((_, i) => n[i]);
    return h;
  }

  /** Whether going from `prev` to this histogram is a counter reset (hints first, then the data). */
  detectReset(prev: FloatHistogram): boolean {
    if (this.counterResetHint === 'reset') return true;
    if (this.counterResetHint === 'not_reset') return false;
    if (this.count < prev.count) return true;
    if (this.usesCustomBuckets) {
      if (!prev.usesCustomBuckets) return true;
      if (!boundsMatch(this.customValues, prev.customValues)) return this.resetWithMismatchedBounds(prev);
    }
    if (this.schema > prev.schema) return true;
    if (this.zeroThreshold < prev.zeroThreshold) return true;
    const [pz, nt] = prev.zeroCountForLargerThreshold(this.zeroThreshold);
    if (nt !== this.zeroThreshold) return true;
    if (this.zeroCount < pz) return true;
    const cmp = (ci: number[], cc: number[], pi: number[], pc: number[]): boolean => {
      const cur = bucketMap(ci, cc, this.schema, this.schema, this.usesCustomBuckets ? -Infinity : this.zeroThreshold, this.usesCustomBuckets);
      const old = bucketMap(pi, pc, prev.schema, this.schema, prev.usesCustomBuckets ? -Infinity : this.zeroThreshold, prev.usesCustomBuckets);
      for (const [i, c] of old) {
        if (c === 0) continue;
        const x = cur.get(i);
        if (x === undefined || x < c) return true;
      }
      return false;
    };
    return cmp(this.pIdx, this.pCnt, prev.pIdx, prev.pCnt) || cmp(this.nIdx, this.nCnt, prev.nIdx, prev.nCnt);
  }

  private resetWithMismatchedBounds(prev: FloatHistogram): boolean {
    const bounds = intersectBounds(this.customValues ?? [], prev.customValues ?? []);
    const a = mapCustom(this.pIdx, this.pCnt, this.customValues ?? [], bounds);
    const b = mapCustom(prev.pIdx, prev.pCnt, prev.customValues ?? [], bounds);
    const cur = new Map(a[0].map((i, k) => [i, a[1][k]!]));
    for (let k = 0; k < b[0].length; k++) if ((cur.get(b[0][k]!) ?? 0) < b[1][k]!) return true;
    return false;
  }

  /** Every bucket in ascending order of value: negative, zero (when populated), positive; inner bounds clipped to the zero threshold. */
  allBuckets(): BucketInfo[] {
    const out: BucketInfo[] = [];
    const zt = this.zeroThreshold;
    for (let i = this.nIdx.length - 1; i >= 0; i--) {
      const idx = this.nIdx[i]!;
      let upper = -this.upperBound(idx - 1);
      const lower = -this.upperBound(idx);
      if (upper < 0 && upper > -zt) upper = -zt;
      out.push({ lower, upper, count: this.nCnt[i]!, index: idx });
    }
    if (this.zeroCount > 0) out.push({ lower: -zt, upper: zt, count: this.zeroCount, index: 0 });
    for (let i = 0; i < this.pIdx.length; i++) {
      const idx = this.pIdx[i]!;
      let lower = this.upperBound(idx - 1);
      const upper = this.upperBound(idx);
      if (!this.usesCustomBuckets && lower > 0 && lower < zt) lower = zt;
      out.push({ lower, upper, count: this.pCnt[i]!, index: idx });
    }
    return out;
  }

  /**
   * The `</` (upper) and `>/` (lower) trim operators: keeps the observations
   * below (above) `rhs`, interpolating inside the bucket that holds it
   * (linearly for custom and zero buckets, logarithmically otherwise), and
   * re-estimates count and sum from what is left.
   */
  trim(rhs: number, upper: boolean): FloatHistogram {
    const h = this.copy();
    const custom = h.usesCustomBuckets;
    let count = 0;
    let sum = 0;
    let trimmed = false;
    let hasPos = false;
    let hasNeg = false;
    const side = (idx: number[], cnt: number[], positive: boolean) => {
      for (let i = 0; i < idx.length; i++) {
        const c = cnt[i]!;
        if (c === 0) continue;
        if (positive) hasPos = true;
        else hasNeg = true;
        const b = positive ? { lower: h.upperBound(idx[i]! - 1), upper: h.upperBound(idx[i]!), count: c } : { lower: -h.upperBound(idx[i]!), upper: -h.upperBound(idx[i]! - 1), count: c };
        const whole = upper ? b.upper <= rhs : b.lower >= rhs;
        const partial = upper ? b.lower < rhs : b.upper > rhs;
        if (whole) {
          count += c;
          sum += midpoint(b.lower, b.upper, positive, custom) * c;
        } else if (partial) {
          const [keep, mid] = bucketTrim(b, rhs, upper, positive, custom);
          count += keep;
          sum += mid * keep;
          if (cnt[i] !== keep) {
            cnt[i] = keep;
            trimmed = true;
          }
        } else {
          cnt[i] = 0;
          trimmed = true;
        }
      }
    };
    side(h.pIdx, h.pCnt, true);
    side(h.nIdx, h.nCnt, false);
    if (h.zeroCount > 0) {
      let lower = -h.zeroThreshold;
      let up = h.zeroThreshold;
      if (hasNeg && !hasPos) up = 0;
      if (hasPos && !hasNeg) lower = 0;
      let keep: number;
      let mid: number;
      if (upper) {
        if (rhs <= lower) [keep, mid] = [0, 0];
        else if (rhs >= up) [keep, mid] = [h.zeroCount, (lower + up) / 2];
        else [keep, mid] = [(h.zeroCount * (rhs - lower)) / (up - lower), (lower + rhs) / 2];
      } else if (rhs <= lower) [keep, mid] = [h.zeroCount, (lower + up) / 2];
      else if (rhs >= up) [keep, mid] = [0, 0];
      else [keep, mid] = [(h.zeroCount * (up - rhs)) / (up - lower), (rhs + up) / 2];
      if (h.zeroCount !== keep) {
        h.zeroCount = keep;
        trimmed = true;
      }
      sum += mid * keep;
      count += keep;
    }
    if (!trimmed) return h;
    h.count = count;
    h.sum = sum;
    return h.compact();
  }

  /** The Prometheus test-language rendering, `{{schema:0 count:…}}`. */
  toString(): string {
    const parts: string[] = [];
    if (this.schema !== 0) parts.push(`schema:${this.schema}`);
    parts.push(`count:${fmt(this.count)}`, `sum:${fmt(this.sum)}`);
    if (this.zeroThreshold !== 0) parts.push(`z_bucket_w:${fmt(this.zeroThreshold)}`);
    if (this.zeroCount !== 0) parts.push(`z_bucket:${fmt(this.zeroCount)}`);
    const list = (idx: number[], cnt: number[]) => idx.map((i, k) => `${i}:${fmt(cnt[k]!)}`).join(' ');
    if (this.pIdx.length) parts.push(`buckets:[${list(this.pIdx, this.pCnt)}]`);
    if (this.nIdx.length) parts.push(`n_buckets:[${list(this.nIdx, this.nCnt)}]`);
    if (this.customValues) parts.push(`custom_values:[${this.customValues.map(fmt).join(' ')}]`);
    if (this.counterResetHint !== 'unknown') parts.push(`counter_reset_hint:${this.counterResetHint}`);
    return `{{${parts.join(' ')}}}`;
  }
}

function midpoint(lo: number, hi: number, positive: boolean, linear: boolean): number {
  if (lo === Infinity || lo === -Infinity) {
    if (hi === Infinity || hi === -Infinity) return 0;
    return hi > 0 ? hi / 2 : hi;
  }
  if (hi === Infinity || hi === -Infinity) return lo;
  if (linear) return (lo + hi) / 2;
  const g = Math.sqrt(Math.abs(lo * hi));
  return positive ? g : -g;
}

function bucketTrim(b: { lower: number; upper: number; count: number }, rhs: number, upper: boolean, positive: boolean, linear: boolean): [number, number] {
  const zeroIfInf = (x: number) => (x === Infinity || x === -Infinity ? 0 : x);
  if (b.lower === -Infinity) {
    if (upper) {
      if (rhs >= b.upper) return [b.count, 0];
      if (rhs > 0 && b.upper > 0 && b.upper !== Infinity) return [(b.count * rhs) / b.upper, rhs / 2];
      if (b.upper <= 0) return [b.count, rhs];
      return [0, zeroIfInf(b.upper)];
    }
    if (rhs <= b.lower) return [b.count, 0];
    if (rhs >= 0 && b.upper > rhs && b.upper !== Infinity) return [b.count * (1 - rhs / b.upper), (rhs + b.upper) / 2];
    return [0, zeroIfInf(b.upper)];
  }
  if (b.upper === Infinity) {
    if (upper) return [0, zeroIfInf(b.lower)];
    if (rhs >= b.lower) return [b.count, rhs];
    return [0, zeroIfInf(b.lower)];
  }
  let under: number;
  if (rhs <= b.lower) under = 0;
  else if (rhs >= b.upper) under = b.count;
  else if (linear) under = (b.count * (rhs - b.lower)) / (b.upper - b.lower);
  else {
    const ll = Math.log2(Math.abs(b.lower));
    const lu = Math.log2(Math.abs(b.upper));
    const lv = Math.log2(Math.abs(rhs));
    under = b.count * (rhs > 0 ? (lv - ll) / (lu - ll) : 1 - (lv - lu) / (ll - lu));
  }
  if (upper) return [under, midpoint(b.lower, rhs, positive, linear)];
  return [b.count - under, midpoint(rhs, b.upper, positive, linear)];
}

/** One Neumaier step; the compensation resets when the sum overflows. */
function kahanStep(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (t === Infinity || t === -Infinity) return [t, 0];
  if (Math.abs(sum) >= Math.abs(inc)) return [t, c + (sum - t + inc)];
  return [t, c + (inc - t + sum)];
}

/** Adds the Kahan compensation into a sum (the hint of the sum stays). */
export function withCompensation(h: FloatHistogram, c: FloatHistogram | undefined): FloatHistogram {
  if (!c) return h;
  const r = h.add(c).h;
  r.counterResetHint = h.counterResetHint;
  // Infinite sums keep their value (the compensation would turn them into NaN).
  for (const k of ['count', 'sum', 'zeroCount'] as const) if (h[k] === Infinity || h[k] === -Infinity) r[k] = h[k];
  return r;
}

function fmt(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v);
}

function toSpans(idx: readonly number[]): HistogramSpan[] {
  const spans: HistogramSpan[] = [];
  let prevEnd = 0;
  for (let i = 0; i < idx.length; i++) {
    const x = idx[i]!;
    if (i > 0 && x === prevEnd) spans[spans.length - 1]!.length++;
    else spans.push({ offset: i === 0 ? x : x - prevEnd, length: 1 });
    prevEnd = x + 1;
  }
  return spans;
}

function fromSpans(spans: readonly HistogramSpan[], buckets: readonly number[]): [number[], number[]] {
  const idx: number[] = [];
  const cnt: number[] = [];
  let at = 0;
  let k = 0;
  for (const s of spans) {
    at += s.offset;
    for (let j = 0; j < s.length; j++) {
      idx.push(at);
      cnt.push(buckets[k++] ?? 0);
      at++;
    }
  }
  return [idx, cnt];
}

function reduceBuckets(idx: number[], cnt: number[], from: number, to: number): [number[], number[]] {
  const oi: number[] = [];
  const oc: number[] = [];
  for (let i = 0; i < idx.length; i++) {
    const t = targetIndex(idx[i]!, from, to);
    if (oi.length && oi[oi.length - 1] === t) oc[oc.length - 1]! += cnt[i]!;
    else {
      oi.push(t);
      oc.push(cnt[i]!);
    }
  }
  return [oi, oc];
}

/** Buckets of the other operand whose upper bound lies inside the zero bucket are ignored. */
function dropInZero(idx: number[], cnt: number[], schema: number, threshold: number): [number[], number[]] {
  if (threshold === 0) return [idx, cnt];
  const keep = idx.map((i) => exponentialBound(i, schema) > threshold);
  return [idx.filter((_, i) => keep[i]), cnt.filter((_, i) => keep[i])];
}

function mergeBuckets(ai: number[], ac: number[], bi: number[], bc: number[], sign: number): [number[], number[]] {
  const oi: number[] = [];
  const oc: number[] = [];
  let i = 0;
  let j = 0;
  while (i < ai.length || j < bi.length) {
    if (j >= bi.length || (i < ai.length && ai[i]! < bi[j]!)) {
      oi.push(ai[i]!);
      oc.push(ac[i]!);
      i++;
    } else if (i >= ai.length || bi[j]! < ai[i]!) {
      oi.push(bi[j]!);
      oc.push(sign * bc[j]!);
      j++;
    } else {
      oi.push(ai[i]!);
      oc.push(ac[i]! + sign * bc[j]!);
      i++;
      j++;
    }
  }
  return [oi, oc];
}

/** Buckets as index → count in `target` schema, skipping those whose upper bound is ≤ `above`. */
function bucketMap(idx: number[], cnt: number[], schema: number, target: number, above: number, custom: boolean): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < idx.length; i++) {
    if (!custom && exponentialBound(idx[i]!, schema) <= above) continue;
    const t = custom ? idx[i]! : targetIndex(idx[i]!, schema, target);
    m.set(t, (m.get(t) ?? 0) + cnt[i]!);
  }
  return m;
}

export function boundsMatch(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function intersectBounds(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push(a[i]!);
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return out;
}

/** Maps custom buckets onto the (coarser) bounds `target`: each bucket goes to the first target bound ≥ its own bound. */
function mapCustom(idx: number[], cnt: number[], bounds: readonly number[], target: readonly number[]): [number[], number[]] {
  const m = new Map<number, number>();
  for (let k = 0; k < idx.length; k++) {
    const src = idx[k]!;
    let t = target.length;
    if (src < bounds.length) {
      const b = bounds[src]!;
      const at = target.findIndex((x) => x >= b);
      if (at >= 0) t = at;
    }
    m.set(t, (m.get(t) ?? 0) + cnt[k]!);
  }
  const keys = [...m.keys()].sort((a, b) => a - b);
  return [keys, keys.map((k) => m.get(k)!)];
}

/** Counter-reset hint of a sum or difference; true on a reset/not-reset collision. */
function adjustHint(h: FloatHistogram, o: FloatHistogram): boolean {
  const a = h.counterResetHint;
  const b = o.counterResetHint;
  if (a === b || a === 'gauge') return false;
  if (b === 'gauge') {
    h.counterResetHint = 'gauge';
    return false;
  }
  if (a === 'unknown') return false;
  h.counterResetHint = 'unknown';
  return b !== 'unknown';
}
