import type { Registry } from 'prom-client';

/** A sample as prom-client's `metric.get()` returns it. */
export interface SampleValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** What a registry reads from a metric: prom-client's `MetricObject` shape. */
export interface MetricSnapshot {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  values: SampleValue[];
  aggregator: 'sum';
}

/** One label set's state: a count, a sum and non-cumulative bucket counts. */
export interface Series {
  readonly labels: Record<string, string>;
  count: number;
  sum: number;
  readonly buckets: Float64Array;
}

/**
 * Histogram storage for the HTTP hot path, registered on a prom-client
 * registry as a plain metric object (a registry only calls `get()`).
 *
 * prom-client's `labels()` children still validate and hash the label object
 * on every observation; here a caller keeps the {@link Series} it got once
 * and an observation is two additions and a short bucket scan. Cumulative
 * bucket counts are computed at scrape time, the cold path.
 */
export class HistogramStore {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly byKey = new Map<string, Series>();
  /** Called before every read and reset: lets a writer that batches observations (see HttpMetrics) apply the ones still waiting. */
  beforeRead: (() => void) | undefined = undefined;
  /** Called after a reset: lets a writer that keeps series it found (see HttpMetrics) forget them. */
  afterReset: (() => void) | undefined = undefined;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly bounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** The series for `key`, created with `labels` on first use. */
  seriesFor(key: string, labels: Record<string, string>): Series {
    let s = this.byKey.get(key);
    if (s === undefined) {
      s = { labels, count: 0, sum: 0, buckets: new Float64Array(this.bounds.length) };
      this.byKey.set(key, s);
    }
    return s;
  }

  /** Records one observation of `v` (same unit as the bounds) in `s`. */
  observe(s: Series, v: number): void {
    s.count++;
    s.sum += v;
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]!) {
        s.buckets[i]!++;
        return;
      }
    }
  }

  /** Every series (for the matching counter view). */
  all(): IterableIterator<Series> {
    this.beforeRead?.();
    return this.byKey.values();
  }

  /** prom-client's metric contract: cumulative buckets, `+Inf`, sum, count. */
  async get(): Promise<MetricSnapshot> {
    this.beforeRead?.();
    const values: SampleValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const s of this.byKey.values()) {
      let acc = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        acc += s.buckets[i]!;
        values.push({ labels: { le: this.bounds[i]!, ...s.labels }, value: acc, metricName: bucket });
      }
      values.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: bucket });
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** Forgets every series (observations still waiting in a batch included). */
  reset(): void {
    this.beforeRead?.();
    this.byKey.clear();
    this.afterReset?.();
  }
}

/**
 * A counter whose values are the observation counts of a histogram's series:
 * `http_requests_total` is exactly `http_request_duration_seconds_count`, so
 * it costs nothing extra per request.
 */
export class CountView {
  readonly type = 'counter';
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly source: HistogramStore,
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  async get(): Promise<MetricSnapshot> {
    const values: SampleValue[] = [];
    for (const s of this.source.all()) values.push({ labels: { ...s.labels }, value: s.count });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {}
}

/** An unlabelled gauge kept as a plain number. */
export class NumberGauge {
  readonly type = 'gauge';
  readonly aggregator = 'sum';
  value = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  async get(): Promise<MetricSnapshot> {
    return { name: this.name, help: this.help, type: this.type, values: [{ labels: {}, value: this.value }], aggregator: this.aggregator };
  }

  reset(): void {
    this.value = 0;
  }
}
