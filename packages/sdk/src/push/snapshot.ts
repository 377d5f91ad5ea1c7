import type { Registry } from 'prom-client';

/** One sample read from a registry for push exporters. */
export interface PushSample {
  /** Metric name as exposed (`x_total`, `x_sum`, `x_count`). */
  name: string;
  type: 'counter' | 'gauge';
  labels: Record<string, string>;
  value: number;
}

/**
 * Flattens a registry into counter and gauge samples for push exporters:
 * histograms and summaries become their `_sum` and `_count` counters (push
 * targets have their own aggregation; buckets would only multiply series).
 * Default labels are included.
 */
export async function snapshot(registry: Registry): Promise<PushSample[]> {
  const out: PushSample[] = [];
  for (const m of await registry.getMetricsAsJSON()) {
    const type = String(m.type);
    for (const v of m.values) {
      const name = (v as { metricName?: string }).metricName ?? m.name;
      const labels: Record<string, string> = {};
      for (const [k, val] of Object.entries(v.labels)) if (val !== undefined) labels[k] = String(val);
      if (type === 'counter') out.push({ name, type: 'counter', labels, value: v.value });
      else if (type === 'gauge') out.push({ name, type: 'gauge', labels, value: v.value });
      else if (name.endsWith('_sum') || name.endsWith('_count')) out.push({ name, type: 'counter', labels, value: v.value });
    }
  }
  return out;
}

/** Stable key of a sample's series. */
export function seriesKey(s: PushSample): string {
  return `${s.name}{${Object.entries(s.labels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(',')}}`;
}

/**
 * Turns cumulative counters into per-interval deltas, remembering the last
 * value of each series (per instance). A counter that went down (process
 * restart, reset) restarts from its new value.
 */
export class DeltaTracker {
  private readonly last = new Map<string, number>();

  delta(s: PushSample): number {
    const key = seriesKey(s);
    const prev = this.last.get(key);
    this.last.set(key, s.value);
    if (prev === undefined || s.value < prev) return s.value;
    return s.value - prev;
  }
}
