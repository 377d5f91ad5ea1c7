import { isStaleNaN } from '../../storage/index.ts';
import type { LoadedSeries } from './value.ts';
import type { FloatHistogram } from '../histogram/float-histogram.ts';

/** Index of the first sample with t >= x. */
export function lowerBound(ts: Float64Array, x: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first sample with t > x. */
export function upperBound(ts: Float64Array, x: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The instant-selector value at `t`: the newest sample in (t − lookback, t],
 * unless that sample is a staleness marker (Prometheus 3 left-open lookback).
 */
export function sampleAt(s: LoadedSeries, t: number, lookback: number): { t: number; v: number; h?: FloatHistogram } | undefined {
  const i = upperBound(s.ts, t) - 1;
  if (i < 0) return undefined;
  const st = s.ts[i]!;
  if (st <= t - lookback) return undefined;
  const h = s.hs?.[i];
  if (h) return { t: st, v: 0, h };
  const v = s.vs[i]!;
  if (isStaleNaN(v)) return undefined;
  return { t: st, v };
}

/**
 * Index range [lo, hi) of the samples in (t − range, t]. Range-selector series are
 * loaded without staleness markers (engine.ts), so nothing is filtered here.
 */
export function samplesIn(s: LoadedSeries, t: number, range: number): { lo: number; hi: number } {
  return { lo: upperBound(s.ts, t - range), hi: upperBound(s.ts, t) };
}
