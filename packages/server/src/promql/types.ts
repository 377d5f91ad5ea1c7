import type { Labels } from '@vigil/core';
import type { Queryable } from '../storage/index.ts';
import type { FloatHistogram } from './histogram/float-histogram.ts';
import type { SelectCache } from './engine/select-cache.ts';

/**
 * The query engine's public contract. `rules/` and `api/v1/` depend on this
 * interface, never on the engine class, so the engine can be wrapped
 * (limits, logging) or replaced in tests.
 *
 * Units: timestamps and durations are integer milliseconds.
 */

/** One sample of an instant vector: a float, or a native histogram when `h` is set (then `v` is meaningless). */
export interface Sample {
  readonly metric: Labels;
  readonly t: number;
  readonly v: number;
  readonly h?: FloatHistogram;
}

/** One series of a range vector (matrix): parallel arrays of timestamps and values, ascending by time. */
export interface RangeSeries {
  readonly metric: Labels;
  readonly ts: readonly number[];
  readonly vs: readonly number[];
  /**
   * Present only when the series holds native histograms: parallel to `ts`,
   * the histogram at each point, or undefined where the point is a float.
   */
  readonly hs?: readonly (FloatHistogram | undefined)[];
}

export type QueryValue =
  | { readonly type: 'vector'; readonly vector: readonly Sample[] }
  | { readonly type: 'matrix'; readonly matrix: readonly RangeSeries[] }
  | { readonly type: 'scalar'; readonly t: number; readonly v: number }
  | { readonly type: 'string'; readonly t: number; readonly s: string };

export interface QueryResult {
  readonly value: QueryValue;
  /** Annotations Prometheus returns under `warnings` (e.g. "PromQL warning: metric might not be a counter…"). */
  readonly warnings: readonly string[];
  /** Annotations Prometheus returns under `infos`. */
  readonly infos: readonly string[];
  /** Filled when `stats` was requested. */
  readonly stats?: QueryStats;
}

export interface QueryStats {
  readonly totalQueryableSamples: number;
  readonly peakSamples: number;
  readonly timings: {
    readonly evalTotalTime: number;
    readonly resultSortTime: number;
    readonly queryPreparationTime: number;
    readonly innerEvalTime: number;
    readonly execQueueTime: number;
    readonly execTotalTime: number;
  };
}

export interface QueryOptions {
  /** Overrides the engine's lookback delta for this query, ms. */
  lookbackDelta?: number;
  /** Aborts evaluation; the query then rejects with QueryCanceledError. */
  signal?: AbortSignal;
  /** Per-query timeout, ms; capped by the engine's own timeout. */
  timeout?: number;
  /** Collect {@link QueryStats}. */
  stats?: boolean;
  /**
   * Selector results shared with other queries at the same time (one rule
   * group evaluation); the owner invalidates it as it writes.
   */
  selectCache?: SelectCache;
}

export interface QueryEngine {
  /** Evaluates `expr` at `ts`. Rejects with a PromQL error class from `errors.ts`. */
  instantQuery(q: Queryable, expr: string, ts: number, opts?: QueryOptions): Promise<QueryResult>;
  /** Evaluates `expr` at every `start + k·step <= end`; the result is always a matrix (or an error). */
  rangeQuery(q: Queryable, expr: string, start: number, end: number, step: number, opts?: QueryOptions): Promise<QueryResult>;
}
