import type { Labels, Matcher } from '@vigil/core';
import { compareLabels, labelsKey, matchLabels } from '@vigil/core';
import type {
  Appender,
  Querier,
  SampleIterator,
  Series,
  SeriesRef,
  SeriesSet,
  SelectHints,
  Storage,
} from '../storage/index.ts';
import { StorageRejection, isStaleNaN } from '../storage/index.ts';
import type { CounterResetHint, FloatHistogramValue } from '../storage/interface.ts';

/** One stored series: labels plus parallel, time-ordered sample arrays. */
interface MemSeries {
  readonly ref: SeriesRef;
  readonly labels: Labels;
  readonly ts: number[];
  /**
   * Values live in a typed array: V8 may canonicalise NaN payloads in plain
   * arrays (e.g. on an SMI→double elements transition), which would turn the
   * stale marker into an ordinary NaN.
   */
  vs: Float64Array;
  /** Native histogram per sample (null for floats); absent until the series gets its first histogram. */
  hs?: (FloatHistogramValue | null)[];
}

/** Iterates a frozen slice [lo, hi) of a series' samples. */
class SliceIterator implements SampleIterator {
  private i: number;
  t = 0;
  v = 0;
  h: FloatHistogramValue | null = null;
  constructor(
    private readonly ts: readonly number[],
    private readonly vs: Float64Array,
    lo: number,
    private readonly hi: number,
    private readonly hs?: readonly (FloatHistogramValue | null)[],
  ) {
    this.i = lo - 1;
  }
  next(): boolean {
    if (this.i >= this.hi) return false;
    this.i++;
    if (this.i >= this.hi) return false;
    this.t = this.ts[this.i]!;
    this.v = this.vs[this.i]!;
    this.h = this.hs?.[this.i] ?? null;
    return true;
  }
  seek(t: number): boolean {
    if (this.i < 0) this.i = 0;
    if (this.i >= this.hi) return false;
    if (this.ts[this.i]! < t) {
      // Binary search the first index >= t.
      let lo = this.i;
      let hi = this.hi;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.ts[mid]! < t) lo = mid + 1;
        else hi = mid;
      }
      this.i = lo;
    }
    if (this.i >= this.hi) return false;
    this.t = this.ts[this.i]!;
    this.v = this.vs[this.i]!;
    this.h = this.hs?.[this.i] ?? null;
    return true;
  }
}

/** First index in `ts` with ts[i] >= t. */
function lowerBound(ts: readonly number[], t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A plain-object copy (the value may be a class with getters), with the given hint. */
function plainHistogram(h: FloatHistogramValue, hint: CounterResetHint | undefined): FloatHistogramValue {
  return {
    schema: h.schema,
    zeroThreshold: h.zeroThreshold,
    zeroCount: h.zeroCount,
    count: h.count,
    sum: h.sum,
    positiveSpans: h.positiveSpans.map((x) => ({ offset: x.offset, length: x.length })),
    positiveBuckets: [...h.positiveBuckets],
    negativeSpans: h.negativeSpans.map((x) => ({ offset: x.offset, length: x.length })),
    negativeBuckets: [...h.negativeBuckets],
    customValues: h.customValues ? [...h.customValues] : undefined,
    counterResetHint: hint,
  };
}

function sameHistogram(a: FloatHistogramValue | null, b: FloatHistogramValue | null): boolean {
  if (!a || !b) return false;
  return JSON.stringify(plainHistogram(a, undefined)) === JSON.stringify(plainHistogram(b, undefined));
}

/**
 * The counter-reset hint Prometheus's TSDB gives a histogram when it is read
 * back: a gauge stays a gauge; the first sample of a chunk reads as
 * `unknown`; later samples of a chunk as `not_reset`. A new chunk starts
 * with the series' first histogram, after a float or a stale marker, on a
 * counter reset (explicit hint, or a count, zero count or bucket that went
 * down, or changed custom bounds) and on a changed schema or zero threshold.
 * (Chunks cut for size or time are not modelled.)
 */
function storedHint(h: FloatHistogramValue, prev: FloatHistogramValue | null, afterStale: boolean): CounterResetHint {
  if (h.counterResetHint === 'gauge') return 'gauge';
  if (h.counterResetHint === 'reset') return 'unknown';
  if (!prev || afterStale || isStaleNaN(prev.sum)) return 'unknown';
  if (isStaleNaN(h.sum)) return 'not_reset';
  if (h.count < prev.count) return 'unknown';
  if (h.schema !== prev.schema || h.zeroThreshold !== prev.zeroThreshold) return 'unknown';
  const cv = (x: FloatHistogramValue) => JSON.stringify(x.customValues ?? []);
  if (h.schema === -53 && cv(h) !== cv(prev)) return 'unknown';
  if (h.zeroCount < prev.zeroCount) return 'unknown';
  if (bucketsDecreased(h.positiveSpans, h.positiveBuckets, prev.positiveSpans, prev.positiveBuckets)) return 'unknown';
  if (bucketsDecreased(h.negativeSpans, h.negativeBuckets, prev.negativeSpans, prev.negativeBuckets)) return 'unknown';
  return 'not_reset';
}

function bucketMap(spans: FloatHistogramValue['positiveSpans'], buckets: readonly number[]): Map<number, number> {
  const m = new Map<number, number>();
  let at = 0;
  let k = 0;
  for (const s of spans) {
    at += s.offset;
    for (let j = 0; j < s.length; j++) m.set(at++, buckets[k++] ?? 0);
  }
  return m;
}

function bucketsDecreased(cs: FloatHistogramValue['positiveSpans'], cb: readonly number[], ps: FloatHistogramValue['positiveSpans'], pb: readonly number[]): boolean {
  const cur = bucketMap(cs, cb);
  for (const [i, c] of bucketMap(ps, pb)) {
    const x = cur.get(i);
    if (x === undefined ? c !== 0 : x < c) return true;
  }
  return false;
}

/** Bit-exact float equality (distinguishes NaN payloads such as the stale marker). */
function sameBits(a: number, b: number): boolean {
  if (a === b) return !(a === 0 && 1 / a !== 1 / b);
  if (a !== a && b !== b) {
    const buf = new DataView(new ArrayBuffer(16));
    buf.setFloat64(0, a);
    buf.setFloat64(8, b);
    return buf.getBigUint64(0) === buf.getBigUint64(8);
  }
  return false;
}

/**
 * A small, correct in-memory {@link Storage} for tests. Follows Prometheus's
 * head append rules with the out-of-order window at 0: a sample older than
 * the series' newest one is rejected (`out_of_order`), a sample at the same
 * timestamp is accepted only with a bit-identical value (else
 * `duplicate_sample`). Appends become visible on `commit()`.
 *
 * Not tuned for speed: select scans every series. Snapshots are taken when a
 * querier is created, so later commits don't change what a querier sees.
 */
export class MemoryStorage implements Storage {
  private readonly byKey = new Map<string, MemSeries>();
  private readonly byRef: MemSeries[] = [];
  private closed = false;

  appender(): Appender & Required<Pick<Appender, 'appendHistogram'>> {
    return new MemoryAppender(this);
  }

  /** @internal used by the appender: look up or create a series. */
  seriesFor(labels: Labels): MemSeries {
    const key = labelsKey(labels);
    let s = this.byKey.get(key);
    if (!s) {
      s = { ref: this.byRef.length + 1, labels, ts: [], vs: new Float64Array(8) };
      this.byKey.set(key, s);
      this.byRef.push(s);
    }
    return s;
  }

  /** @internal */
  seriesByRef(ref: SeriesRef): MemSeries | undefined {
    return ref > 0 ? this.byRef[ref - 1] : undefined;
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    if (this.closed) throw new Error('storage closed');
    // Snapshot lengths so later appends do not leak into this querier.
    const snap = this.byRef.map((s) => ({ s, n: s.ts.length }));
    return new MemoryQuerier(snap, mint, maxt);
  }

  async startTime(): Promise<number> {
    let min = Infinity;
    for (const s of this.byRef) if (s.ts.length && s.ts[0]! < min) min = s.ts[0]!;
    return min;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Drops all data (the promqltest `clear` command). */
  clear(): void {
    this.byKey.clear();
    this.byRef.length = 0;
  }

  /** Number of series held. */
  get numSeries(): number {
    return this.byRef.length;
  }
}

class MemoryAppender implements Appender {
  private pending: { s: MemSeries; t: number; v: number; h: FloatHistogramValue | null }[] = [];
  /** Newest pending sample per series, to validate within the transaction. */
  private latest = new Map<MemSeries, { t: number; v: number; h: FloatHistogramValue | null }>();
  private done = false;

  constructor(private readonly db: MemoryStorage) {}

  append(ref: SeriesRef, labels: Labels, t: number, v: number): SeriesRef {
    return this.add(ref, labels, t, v, null);
  }

  /**
   * Adds a native histogram. Its counter-reset hint is replaced by the one
   * Prometheus's TSDB reads back (see {@link storedHint}).
   */
  appendHistogram(ref: SeriesRef, labels: Labels, t: number, h: FloatHistogramValue): SeriesRef {
    return this.add(ref, labels, t, NaN, h);
  }

  private add(ref: SeriesRef, labels: Labels, t: number, v: number, h: FloatHistogramValue | null): SeriesRef {
    if (this.done) throw new Error('appender already committed or rolled back');
    let s = this.db.seriesByRef(ref);
    if (!s || compareLabels(s.labels, labels) !== 0) s = this.db.seriesFor(labels);
    const n = s.ts.length;
    const last = this.latest.get(s) ?? (n ? { t: s.ts[n - 1]!, v: s.vs[n - 1]!, h: s.hs?.[n - 1] ?? null } : undefined);
    if (last) {
      if (t < last.t) throw new StorageRejection('out_of_order');
      if (t === last.t) {
        if (h || last.h ? !sameHistogram(h, last.h) : !sameBits(v, last.v)) throw new StorageRejection('duplicate_sample');
        return s.ref; // equal duplicate: accepted, nothing to store
      }
    }
    if (h) h = plainHistogram(h, storedHint(h, last?.h ?? null, last !== undefined && !last.h && isStaleNaN(last.v)));
    this.pending.push({ s, t, v, h });
    this.latest.set(s, { t, v, h });
    return s.ref;
  }

  async commit(): Promise<void> {
    if (this.done) throw new Error('appender already committed or rolled back');
    this.done = true;
    for (const p of this.pending) {
      const s = p.s;
      const n = s.ts.length;
      if (n === s.vs.length) {
        const grown = new Float64Array(n * 2);
        grown.set(s.vs);
        s.vs = grown;
      }
      s.vs[n] = p.v;
      if (p.h && !s.hs) s.hs = new Array<FloatHistogramValue | null>(n).fill(null);
      if (s.hs) s.hs[n] = p.h;
      s.ts.push(p.t);
    }
    this.pending = [];
  }

  async rollback(): Promise<void> {
    this.done = true;
    this.pending = [];
  }
}

class MemoryQuerier implements Querier {
  constructor(
    private readonly snap: readonly { s: MemSeries; n: number }[],
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  private matching(ms: readonly Matcher[]): { s: MemSeries; n: number }[] {
    // Only series with at least one sample inside the querier's bounds count.
    return this.snap.filter((x) => {
      if (!matchLabels(ms, x.s.labels)) return false;
      const i = lowerBound(x.s.ts, this.mint);
      return i < x.n && x.s.ts[i]! <= this.maxt;
    });
  }

  async select(sortSeries: boolean, hints: SelectHints | undefined, ...matchers: Matcher[]): Promise<SeriesSet> {
    const mint = hints ? Math.max(this.mint, hints.start) : this.mint;
    const maxt = hints ? Math.min(this.maxt, hints.end) : this.maxt;
    const out: Series[] = [];
    for (const { s, n } of this.matching(matchers)) {
      const ts = s.ts;
      const lo = lowerBound(ts, mint);
      let hi = lowerBound(ts, maxt + 1);
      if (hi > n) hi = n;
      if (lo >= hi) continue;
      const vs = s.vs;
      const hs = s.hs;
      out.push({ labels: s.labels, iterator: () => new SliceIterator(ts, vs, lo, hi, hs) });
    }
    if (sortSeries) out.sort((a, b) => compareLabels(a.labels, b.labels));
    return { series: out };
  }

  async labelValues(name: string, ...matchers: Matcher[]): Promise<string[]> {
    const set = new Set<string>();
    for (const { s } of this.matching(matchers)) {
      for (const l of s.labels) if (l.name === name && l.value !== '') set.add(l.value);
    }
    return [...set].sort(byteOrder);
  }

  async labelNames(...matchers: Matcher[]): Promise<string[]> {
    const set = new Set<string>();
    for (const { s } of this.matching(matchers)) for (const l of s.labels) set.add(l.name);
    return [...set].sort(byteOrder);
  }

  close(): void {}
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Creates an empty {@link MemoryStorage}. */
export function createMemoryStorage(): MemoryStorage {
  return new MemoryStorage();
}
