/** One series in prom-client's series map (Counter, Gauge, Histogram). */
export interface Series {
  value?: number;
  labels: Record<string, string | number>;
  bucketValues?: Record<string, number>;
  sum?: number;
  count?: number;
  exemplar?: unknown;
}

/** The prom-client 15 metric internals read directly (Counter, Gauge, Histogram). */
export interface SeriesSource {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  hashMap: Record<string, Series>;
  /** Histograms only. */
  upperBounds?: number[];
  aggregator?: string;
  enableExemplars?: boolean;
  collect?: () => unknown;
}

/**
 * The metric as a {@link SeriesSource} when its series can be read straight
 * from prom-client's series map: a Counter, Gauge or Histogram without
 * exemplars. Anything else (summaries, custom collectors, exemplars)
 * returns undefined and is read through `metric.get()`, which copies every
 * series in one synchronous step.
 */
export function seriesSource(metric: unknown): SeriesSource | undefined {
  const m = metric as Partial<SeriesSource>;
  if (typeof m.hashMap !== 'object' || m.hashMap === null || m.enableExemplars) return undefined;
  if (m.type === 'histogram') return Array.isArray(m.upperBounds) ? (m as SeriesSource) : undefined;
  return m.type === 'counter' || m.type === 'gauge' ? (m as SeriesSource) : undefined;
}
