import type { Registry } from 'prom-client';
import { defaultsAdder, seriesSamples, type MetricJSON, type SampleJSON } from './metric-json.ts';
import { escapeLabel } from './render.ts';
import { seriesKeys } from './series-keys.ts';
import { seriesSource } from './series-source.ts';
import { TimeSlice } from './time-slice.ts';

/**
 * One part of a metric family as text: what a `cluster` worker sends its
 * primary. `lines` holds one sample per line, its name and its labels
 * formatted as in the text format with the labels in name order (so the
 * same series formats the same in every worker and the line is its key);
 * `values` the samples' values in the same order (JSON has no NaN or
 * infinities: those travel as `'NaN'`, `'+Inf'`, `'-Inf'`).
 */
export interface LinePart {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  lines: string;
  values: Array<number | string>;
}

/** Options of {@link metricsAsLineParts}. */
export interface LinePartsOptions {
  /** Most samples in one part (default 250). */
  maxValues?: number;
  /** Longest stretch of synchronous work, in milliseconds, before yielding to the event loop (default 1). */
  sliceMs?: number;
}

type Labels = Record<string, string | number>;

/** `name{a="1",b="2"}` with the labels in name order; `name` alone when there are none. */
export function sampleLine(name: string, labels: Labels): string {
  const names = Object.keys(labels);
  if (names.length === 0) return name;
  if (names.length > 1) names.sort();
  let s = `${name}{`;
  for (let i = 0; i < names.length; i++) s += `${i === 0 ? '' : ','}${names[i]}="${escapeLabel(String(labels[names[i]!]))}"`;
  return `${s}}`;
}

/** A value as {@link LinePart} carries it. */
export function encodeValue(v: number): number | string {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

/** The value {@link encodeValue} encoded (anything unknown reads as NaN). */
export function decodeValue(v: number | string | null): number {
  if (typeof v === 'number') return v;
  return v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : NaN;
}

/**
 * A registry's metrics as {@link LinePart}s of at most `maxValues` samples,
 * produced a slice at a time, with the registry's default labels added as
 * prom-client adds them (a default fills a missing or empty value).
 * Counters, Gauges and Histograms are read straight from their series maps
 * (see {@link seriesSource}); other metrics through `get()`. A family with
 * no series still yields one empty part, so its HELP and TYPE reach the
 * primary as prom-client's reply carries them.
 */
export async function* metricsAsLineParts(registry: Registry, opts: LinePartsOptions = {}): AsyncGenerator<LinePart> {
  const maxValues = opts.maxValues ?? 250;
  const slice = new TimeSlice(opts.sliceMs ?? 1);
  const withDefaults = defaultsAdder(registry);
  for (const metric of registry.getMetricsAsArray()) {
    const src = seriesSource(metric);
    let head: Omit<LinePart, 'lines' | 'values'>;
    let count: number;
    let samplesOf: (i: number, out: Sink) => void;
    if (src === undefined) {
      const m = await (metric as unknown as { get(): Promise<MetricJSON> }).get();
      const values: SampleJSON[] = m.values ?? [];
      head = { name: m.name, help: m.help, type: m.type, aggregator: m.aggregator ?? 'sum' };
      count = values.length;
      samplesOf = (i, out) => out.add(sampleLine(values[i]!.metricName ?? m.name, withDefaults(values[i]!.labels ?? {})), values[i]!.value);
    } else {
      if (src.collect) await src.collect();
      head = { name: src.name, help: src.help, type: src.type, aggregator: src.aggregator ?? 'sum' };
      const { keys, map } = seriesKeys(src);
      count = keys.length;
      samplesOf = (i, out) => {
        const e = map[keys[i]!];
        if (e !== undefined) seriesSamples(src, e, withDefaults, (labels, value, metricName) => out.add(sampleLine(metricName ?? src.name, labels), value));
      };
    }
    const sink = new Sink();
    let emitted = false;
    for (let i = 0; i < count; i++) {
      samplesOf(i, sink);
      if (sink.size >= maxValues) {
        yield { ...head, ...sink.take() };
        emitted = true;
        // What the consumer did with the part (a worker serialises it for
        // IPC) counts in this slice.
        await slice.pause();
      }
      if ((i & 63) === 63) await slice.pause();
    }
    if (sink.size > 0 || !emitted) yield { ...head, ...sink.take() };
    await slice.pause();
  }
}

/** Collects sample lines and values for one part. */
class Sink {
  private lines = '';
  private values: Array<number | string> = [];

  get size(): number {
    return this.values.length;
  }

  add(line: string, value: number): void {
    this.lines += this.values.length === 0 ? line : `\n${line}`;
    this.values.push(encodeValue(value));
  }

  take(): { lines: string; values: Array<number | string> } {
    const out = { lines: this.lines, values: this.values };
    this.lines = '';
    this.values = [];
    return out;
  }
}
