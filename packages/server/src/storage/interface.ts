import type { Labels, Matcher } from '@vigil/core';

/**
 * The boundary between the parts that write samples (scrape, rules, remote
 * write receiver, backfill) and read them (PromQL, API, remote read) and the
 * parts that store them (tsdb, remote storage). Modelled on Prometheus's
 * `storage/interface.go`.
 *
 * Units: every timestamp is integer milliseconds since the Unix epoch; every
 * `mint`/`maxt` pair is inclusive on both ends.
 */

/**
 * Opaque handle to a series inside one storage. 0 means "unknown"; a
 * non-zero ref returned by {@link Appender.append} may be passed back on the
 * next append of the same series to skip the label lookup. A ref is only
 * valid for the storage that returned it and may go stale after compaction
 * or restart: implementations must fall back to the labels when it does.
 */
export type SeriesRef = number;

/**
 * Collects samples for one transaction. Not safe for concurrent use; single
 * use: after `commit()` or `rollback()` resolves, the appender must not be used.
 */
export interface Appender {
  /**
   * Adds a float sample. `labels` must be sorted and valid; `v` may be the
   * stale-NaN marker. Returns the series ref (see {@link SeriesRef}).
   * Rejections that concern one sample (out of order, out of bounds,
   * duplicate with a different value) throw a {@link StorageRejection}
   * (see `errors.ts`) and leave the rest of the transaction intact.
   */
  append(ref: SeriesRef, labels: Labels, t: number, v: number): SeriesRef;
  /**
   * Adds a native histogram sample, with the same rules as {@link append}.
   * Optional: storages without native-histogram support leave it out.
   */
  appendHistogram?(ref: SeriesRef, labels: Labels, t: number, h: FloatHistogramValue): SeriesRef;
  /**
   * Makes every appended sample durable (per the storage's WAL policy) and
   * visible to queriers created afterwards. Resolves once the samples are
   * accepted; a caller that receives a resolution may acknowledge the write.
   */
  commit(): Promise<void>;
  /** Drops every sample appended since creation. */
  rollback(): Promise<void>;
}

/** Counter-reset hint of a native histogram sample. */
export type CounterResetHint = 'unknown' | 'reset' | 'not_reset' | 'gauge';

/** A run of consecutive buckets: `offset` from the end of the previous span (or from index 0), `length` buckets. */
export interface HistogramSpan {
  offset: number;
  length: number;
}

/**
 * A native histogram sample with float counts (Prometheus `FloatHistogram`).
 * Exponential schemas −4…8: positive bucket `i` covers `(b^(i−1), b^i]` with
 * `b = 2^(2^−schema)`, negative buckets mirror them, plus a zero bucket of
 * half-width `zeroThreshold`. Schema −53: custom bounds `customValues`
 * (ascending, `+Inf` implicit), positive buckets only. Bucket counts are
 * absolute (not deltas), listed span by span.
 */
export interface FloatHistogramValue {
  readonly schema: number;
  readonly zeroThreshold: number;
  readonly zeroCount: number;
  readonly count: number;
  /** Sum of observations; the stale-NaN marker here makes the sample a staleness marker. */
  readonly sum: number;
  readonly positiveSpans: readonly HistogramSpan[];
  readonly positiveBuckets: readonly number[];
  readonly negativeSpans: readonly HistogramSpan[];
  readonly negativeBuckets: readonly number[];
  readonly customValues?: readonly number[];
  readonly counterResetHint?: CounterResetHint;
}

/** Something samples can be appended to. `appender()` is safe to call concurrently. */
export interface Appendable {
  appender(): Appender;
  /**
   * The labels of a series by a ref an appender of this storage returned, or
   * undefined when the ref is unknown or stale. Optional: lets a writer that
   * caches refs skip rebuilding label sets it has seen before.
   */
  seriesLabels?(ref: SeriesRef): Labels | undefined;
}

/**
 * Walks the samples of one series in time order. Not safe for concurrent use.
 * `t`/`v` are valid only after `next()` or `seek()` returned true.
 */
export interface SampleIterator {
  /** Advances to the next sample; false when exhausted. */
  next(): boolean;
  /**
   * Advances to the first sample with timestamp >= t (staying put if the
   * current sample already qualifies); false when there is none.
   */
  seek(t: number): boolean;
  /** Timestamp of the current sample, ms. */
  readonly t: number;
  /** Value of the current sample; may be the stale-NaN marker. Meaningless when `h` is set. */
  readonly v: number;
  /**
   * The current sample's native histogram, or null/undefined for a float
   * sample. Optional: iterators of storages without native histograms omit it.
   * A reader that gets a histogram reads its counter-reset hint as the
   * storage derived it on append (see `testutil/memory-storage.ts`).
   */
  readonly h?: FloatHistogramValue | null;
}

/** A series as returned by a querier: its labels and a fresh iterator over its samples within the querier's bounds. */
export interface Series {
  readonly labels: Labels;
  /** Returns a new iterator each call; iterators are independent. */
  iterator(): SampleIterator;
  /**
   * Optional bulk read: every sample the iterator would give, as two
   * time-ordered arrays (timestamps, values with staleness markers). The
   * arrays are read-only: the storage may hand the same ones to other
   * readers. Undefined when the series holds native histograms; those are
   * read through {@link iterator}.
   */
  floats?(): { ts: Float64Array; vs: Float64Array } | undefined;
}

/** The result of a select: series sorted by labels when `sortSeries` was requested. */
export interface SeriesSet {
  readonly series: readonly Series[];
  /** Non-fatal problems (e.g. a remote storage that did not answer). */
  readonly warnings?: readonly string[];
}

/** Hints a querier may use to read less; they never change the result's correctness. */
export interface SelectHints {
  /** Inclusive bounds of the data the caller will read, ms. */
  start: number;
  end: number;
  /** Query step in ms, 0 for instant queries. */
  step?: number;
  /** Surrounding function (`rate`, `series` for metadata-only calls, …). */
  func?: string;
  /** Range of a range selector in ms. */
  range?: number;
}

/**
 * Reads over a fixed time range. Safe to use from several async tasks; must
 * be closed, after which label strings and series it returned stay valid
 * (JS strings are immutable) but iterators may not be advanced.
 */
export interface Querier {
  /** Series matching all matchers (at least one matcher must not match the empty string). */
  select(sortSeries: boolean, hints: SelectHints | undefined, ...matchers: Matcher[]): Promise<SeriesSet>;
  /** Sorted unique values of a label among series matching the matchers (all series when none). */
  labelValues(name: string, ...matchers: Matcher[]): Promise<string[]>;
  /** Sorted unique label names among series matching the matchers. */
  labelNames(...matchers: Matcher[]): Promise<string[]>;
  close(): void;
}

/** Something that can be read. `mint`/`maxt` are inclusive ms. */
export interface Queryable {
  querier(mint: number, maxt: number): Promise<Querier>;
}

/** A full storage: readable, writable, closable. */
export interface Storage extends Queryable, Appendable {
  /** Oldest timestamp held, ms, or `Infinity` when empty. */
  startTime(): Promise<number>;
  close(): Promise<void>;
}
