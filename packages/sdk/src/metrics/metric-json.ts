import type { Registry } from 'prom-client';
import { seriesKeys } from './series-keys.ts';
import { seriesSource, type SeriesSource } from './series-source.ts';
import { TimeSlice } from './time-slice.ts';

/** One sample as `registry.getMetricsAsJSON()` gives it. */
export interface SampleJSON {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** One metric family (or part of one) as `registry.getMetricsAsJSON()` gives it. */
export interface MetricJSON {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: SampleJSON[];
}

/** Options of {@link metricsAsJSONParts}. */
export interface JSONPartsOptions {
  /** Most samples in one part (default 250: about 19 KB of JSON for a two-label counter). */
  maxValues?: number;
  /** Longest stretch of synchronous work, in milliseconds, before yielding to the event loop (default 1). */
  sliceMs?: number;
}

/**
 * A registry's metrics in the shape of prom-client's
 * `registry.getMetricsAsJSON()` (default labels added the same way), cut
 * into parts of at most `maxValues` samples and produced a slice at a time:
 * what a `cluster` worker sends its primary. prom-client's own worker reply
 * builds every family with `metric.get()` and sends all of them as one IPC
 * message, two synchronous steps that each grow with the series count. Here
 * Counters, Gauges and Histograms are read straight from their series maps
 * (see {@link seriesSource}); other metrics still go through `get()`.
 * Several parts of one family have the same name; concatenate their values.
 */
export async function* metricsAsJSONParts(registry: Registry, opts: JSONPartsOptions = {}): AsyncGenerator<MetricJSON> {
  const maxValues = opts.maxValues ?? 250;
  const slice = new TimeSlice(opts.sliceMs ?? 1);
  const withDefaults = defaultsAdder(registry);
  for (const metric of registry.getMetricsAsArray()) {
    const src = seriesSource(metric);
    if (src === undefined) {
      const m = await (metric as unknown as { get(): Promise<MetricJSON> }).get();
      const values = (m.values ?? []).map((v) => ({ ...v, labels: withDefaults(v.labels ?? {}) }));
      for (let i = 0; i === 0 || i < values.length; i += maxValues) {
        yield { ...m, values: values.slice(i, i + maxValues) };
        await slice.pause();
      }
      continue;
    }
    if (src.collect) await src.collect();
    const head = { name: src.name, help: src.help, type: src.type, aggregator: src.aggregator ?? 'sum' };
    const { keys, map } = seriesKeys(src);
    let values: SampleJSON[] = [];
    let emitted = false;
    for (let i = 0; i < keys.length; i++) {
      const e = map[keys[i]!];
      if (e !== undefined) seriesSamples(src, e, withDefaults, (labels, value, metricName) => values.push(metricName === undefined ? { value, labels } : { labels, value, metricName }));
      if (values.length >= maxValues) {
        yield { ...head, values };
        emitted = true;
        values = [];
        // What the consumer did with the part (a worker serialises it for
        // IPC) counts in this slice.
        await slice.pause();
      }
      if ((i & 63) === 63) await slice.pause();
    }
    if (values.length > 0 || !emitted) yield { ...head, values };
  }
}

type Labels = Record<string, string | number>;

/**
 * Adds a registry's default labels to a label set as prom-client's
 * `getMetricsAsJSON()` does (a default replaces a missing or empty value);
 * returns the set itself when the registry has none.
 */
export function defaultsAdder(registry: Registry): (labels: Labels) => Labels {
  const defaults = Object.entries((registry as unknown as { _defaultLabels?: Record<string, string> })._defaultLabels ?? {});
  return (labels) => {
    if (defaults.length === 0) return labels;
    const out: Labels = { ...labels };
    for (const [k, v] of defaults) out[k] = out[k] || v;
    return out;
  };
}

/** The samples of one series, as prom-client's `get()` shapes them (a histogram's cumulative buckets, sum and count), each passed to `emit`. */
export function seriesSamples(src: SeriesSource, e: SeriesSource['hashMap'][string], withDefaults: (l: Labels) => Labels, emit: (labels: Labels, value: number, metricName?: string) => void): void {
  if (src.type !== 'histogram') return emit(withDefaults(e.labels), e.value ?? 0);
  const bucket = `${src.name}_bucket`;
  let acc = 0;
  for (const ub of src.upperBounds!) {
    acc += e.bucketValues?.[ub] ?? 0;
    emit(withDefaults({ le: ub, ...e.labels }), acc, bucket);
  }
  emit(withDefaults({ le: '+Inf', ...e.labels }), e.count ?? 0, bucket);
  emit(withDefaults({ ...e.labels }), e.sum ?? 0, `${src.name}_sum`);
  emit(withDefaults({ ...e.labels }), e.count ?? 0, `${src.name}_count`);
}
