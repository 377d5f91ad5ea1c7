import type { Labels } from '@vigil/core';
import type { FloatHistogram } from '../histogram/float-histogram.ts';

/** One element of an instant vector during evaluation. `t` is set where timestamp() needs the sample's own time. */
export interface VSample {
  metric: Labels;
  v: number;
  /** A native histogram sample (then `v` is meaningless). */
  h?: FloatHistogram;
  t?: number;
  /**
   * Delayed name removal (Prometheus 3 `promql-delayed-name-removal`): the
   * sample keeps `__name__` while evaluation goes on, and the name (with
   * `__type__`/`__unit__`) is dropped only when the result is returned, so
   * label_replace and `by (__name__)` can still see it.
   */
  drop?: boolean;
}

/** One series of a range vector during evaluation; stale markers are already removed. */
export interface MSeries {
  metric: Labels;
  /** Plain arrays (subqueries) or zero-copy views into loaded series (range selectors). */
  ts: ArrayLike<number>;
  vs: ArrayLike<number>;
  /** Only when the series holds native histograms: the histogram per sample, undefined for floats. */
  hs?: ArrayLike<FloatHistogram | undefined>;
  /** The series' samples are ts/vs[lo, hi): range selectors index into the loaded series instead of copying. */
  lo: number;
  hi: number;
  /** See {@link VSample.drop}; set on subquery output. */
  drop?: boolean;
}

export type EvalValue =
  | { type: 'vector'; samples: VSample[] }
  | { type: 'scalar'; v: number }
  | { type: 'string'; s: string }
  | { type: 'matrix'; series: MSeries[] };

/** A selected series loaded for the whole query: values in a Float64Array so staleness-marker bits survive. */
export interface LoadedSeries {
  metric: Labels;
  ts: Float64Array;
  vs: Float64Array;
  /** Only when the series holds native histograms: the histogram per sample, undefined for floats. */
  hs?: (FloatHistogram | undefined)[];
}
