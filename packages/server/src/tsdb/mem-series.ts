import type { Labels } from '@vigil/core';
import type { SampleIterator } from '../storage/index.ts';

/**
 * The samples of one series held in memory, in time order. Values live in a
 * Float64Array because V8 canonicalises NaN payloads in plain arrays, which
 * would erase the staleness marker's bit pattern.
 */
export class MemSeries {
  ts: Float64Array;
  vs: Float64Array;
  n = 0;

  constructor(
    readonly ref: number,
    readonly labels: Labels,
    capacity = 8,
  ) {
    this.ts = new Float64Array(capacity);
    this.vs = new Float64Array(capacity);
  }

  /** Timestamp of the newest sample, or -Infinity when empty. */
  maxTime(): number {
    return this.n === 0 ? -Infinity : this.ts[this.n - 1]!;
  }

  minTime(): number {
    return this.n === 0 ? Infinity : this.ts[0]!;
  }

  /** Appends in order; the caller has checked ordering. */
  push(t: number, v: number): void {
    if (this.n === this.ts.length) {
      const cap = this.n * 2;
      const ts = new Float64Array(cap);
      ts.set(this.ts);
      const vs = new Float64Array(cap);
      vs.set(this.vs);
      this.ts = ts;
      this.vs = vs;
    }
    this.ts[this.n] = t;
    this.vs[this.n] = v;
    this.n++;
  }

  /** Inserts out of order (within the out-of-order window), keeping time order; replaces nothing. */
  insert(t: number, v: number): void {
    this.push(t, v);
    let i = this.n - 1;
    while (i > 0 && this.ts[i - 1]! > t) {
      this.ts[i] = this.ts[i - 1]!;
      this.vs[i] = this.vs[i - 1]!;
      i--;
    }
    this.ts[i] = t;
    this.vs[i] = v;
  }

  /** Index of the first sample with timestamp >= t. */
  search(t: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drops samples older than `mint`; returns how many were dropped. */
  truncateBefore(mint: number): number {
    const k = this.search(mint);
    if (k === 0) return 0;
    // New arrays rather than copyWithin: open iterators keep reading the old ones.
    const cap = Math.max(8, this.n - k);
    const ts = new Float64Array(cap);
    ts.set(this.ts.subarray(k, this.n));
    const vs = new Float64Array(cap);
    vs.set(this.vs.subarray(k, this.n));
    this.ts = ts;
    this.vs = vs;
    this.n -= k;
    return k;
  }

  /** An iterator over samples with mint <= t <= maxt, as they are now. */
  iterator(mint: number, maxt: number): SampleIterator {
    return new MemIterator(this.ts, this.vs, this.search(mint), Math.min(this.n, this.search(maxt + 1)));
  }
}

class MemIterator implements SampleIterator {
  t = 0;
  v = 0;
  private i: number;

  constructor(
    private readonly ts: Float64Array,
    private readonly vs: Float64Array,
    start: number,
    private readonly end: number,
  ) {
    this.i = start - 1;
  }

  next(): boolean {
    if (this.i + 1 >= this.end) {
      this.i = this.end;
      return false;
    }
    this.i++;
    this.t = this.ts[this.i]!;
    this.v = this.vs[this.i]!;
    return true;
  }

  seek(t: number): boolean {
    if (this.i >= 0 && this.i < this.end && this.t >= t) return true;
    let lo = Math.max(this.i, 0);
    let hi = this.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    this.i = lo - 1;
    return this.next();
  }
}
