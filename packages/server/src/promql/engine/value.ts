import type { Labels } from '@vigil/core';

/** One element of an instant vector during evaluation. `t` is set where timestamp() needs the sample's own time. */
export interface VSample {
  metric: Labels;
  v: number;
  t?: number;
}

/** One series of a range vector during evaluation; stale markers are already removed. */
export interface MSeries {
  metric: Labels;
  ts: number[];
  vs: number[];
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
}
