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
  /** Longest stretch of synchronous work, in milliseconds, before yielding to the event loop (default 2). */
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
  const slice = new TimeSlice(opts.sliceMs ?? 2);
  const defaults = Object.entries((registry as unknown as { _defaultLabels?: Record<string, string> })._defaultLabels ?? {});
  const withDefaults = (labels: Record<string, string | number>): Record<string, string | number> => {
    if (defaults.length === 0) return labels;
    const out: Record<string, string | number> = { ...labels };
    // As prom-client does: a default replaces a missing or empty value.
    for (const [k, v] of defaults) out[k] = out[k] || v;
    return out;
  };
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
      if (e !== undefined) pushSamples(src, e, withDefaults, values);
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

/** The samples of one series, as prom-client's `get()` shapes them. */
function pushSamples(src: SeriesSource, e: SeriesSource['hashMap'][string], withDefaults: (l: Record<string, string | number>) => Record<string, string | number>, out: SampleJSON[]): void {
  if (src.type !== 'histogram') {
    out.push({ value: e.value ?? 0, labels: withDefaults(e.labels) });
    return;
  }
  const bucket = `${src.name}_bucket`;
  let acc = 0;
  for (const ub of src.upperBounds!) {
    acc += e.bucketValues?.[ub] ?? 0;
    out.push({ labels: withDefaults({ le: ub, ...e.labels }), value: acc, metricName: bucket });
  }
  out.push({ labels: withDefaults({ le: '+Inf', ...e.labels }), value: e.count ?? 0, metricName: bucket });
  out.push({ labels: withDefaults({ ...e.labels }), value: e.sum ?? 0, metricName: `${src.name}_sum` });
  out.push({ labels: withDefaults({ ...e.labels }), value: e.count ?? 0, metricName: `${src.name}_count` });
}
