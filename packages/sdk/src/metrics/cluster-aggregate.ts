import * as promClient from 'prom-client';
import { Registry } from 'prom-client';
import type { MetricJSON, SampleJSON } from './metric-json.ts';
import { TimeSlice } from './time-slice.ts';

/** How prom-client's built-in aggregators combine one series' values from several workers (null: the family is left out). */
export const BUILT_IN: Record<string, { start(v: number): number; add(acc: number, v: number): number; end?(acc: number, n: number): number } | null> = {
  sum: { start: (v) => 0 + v, add: (acc, v) => acc + v },
  first: { start: (v) => v, add: (acc) => acc },
  min: { start: (v) => Math.min(Infinity, v), add: (acc, v) => Math.min(acc, v) },
  max: { start: (v) => Math.max(-Infinity, v), add: (acc, v) => Math.max(acc, v) },
  average: { start: (v) => 0 + v, add: (acc, v) => acc + v, end: (acc, n) => acc / n },
  omit: null,
};

/**
 * prom-client's table of aggregators (exported by its JavaScript, not by its
 * types), where a user may have added one of their own.
 */
export function promAggregators(): Record<string, ((metrics: MetricJSON[]) => MetricJSON | undefined) | undefined> {
  return (promClient as unknown as { aggregators?: Record<string, (metrics: MetricJSON[]) => MetricJSON | undefined> }).aggregators ?? {};
}

/** An aggregator a user added to prom-client's `aggregators` table; throws, as prom-client does, for a name it does not have. */
export function customAggregator(name: string): (metrics: MetricJSON[]) => MetricJSON | undefined {
  const fn = promAggregators()[name];
  if (typeof fn !== 'function') throw new Error(`'${name}' is not a defined aggregator.`);
  return fn;
}

/** Every worker's families grouped by family name, in the order the names first appear. */
export function byFamilyName<T extends { name: string }>(workers: ReadonlyArray<Iterable<T>>): Map<string, T[]> {
  const byName = new Map<string, T[]>();
  for (const families of workers) {
    for (const m of families) {
      const same = byName.get(m.name);
      if (same === undefined) byName.set(m.name, [m]);
      else same.push(m);
    }
  }
  return byName;
}

/** One built-in aggregator: a series' first value, each further one, and the result from the total and the number of workers. */
export type Combiner = NonNullable<(typeof BUILT_IN)[string]>;

/**
 * One family's series from every worker that has it, combined. The first
 * sample of each series becomes the result (its value replaced), so the
 * aggregate allocates little beyond its keys: with 100k series the
 * primary's longest stalls are garbage collections of what it holds. With
 * one worker there is nothing to match, and no keys are made.
 */
async function combine(metrics: MetricJSON[], how: Combiner, slice: TimeSlice): Promise<SampleJSON[]> {
  const finish = (v: SampleJSON, acc: number, n: number) => {
    v.value = how.end ? how.end(acc, n) : acc;
    // As prom-client's: no metricName key unless it has one.
    if ('metricName' in v && !v.metricName) delete v.metricName;
  };
  if (metrics.length === 1) {
    const values = metrics[0]!.values;
    for (let i = 0; i < values.length; i++) {
      finish(values[i]!, how.start(values[i]!.value), 1);
      if ((i & 1023) === 1023) await slice.pause();
    }
    return values;
  }
  const series = new Map<string, SampleJSON>();
  const counts = how.end ? new Map<SampleJSON, number>() : undefined;
  let done = 0;
  for (const m of metrics) {
    for (const v of m.values) {
      const key = seriesKey(v);
      const first = series.get(key);
      if (first === undefined) {
        v.value = how.start(v.value);
        series.set(key, v);
        counts?.set(v, 1);
      } else {
        first.value = how.add(first.value, v.value);
        counts?.set(first, counts.get(first)! + 1);
      }
      if ((++done & 255) === 0) await slice.pause();
    }
  }
  const values: SampleJSON[] = [];
  for (const v of series.values()) {
    finish(v, v.value, counts?.get(v) ?? 1);
    values.push(v);
    if ((values.length & 1023) === 0) await slice.pause();
  }
  return values;
}

/**
 * A series' identity within a family: its sample name and its labels in
 * name order (prom-client's aggregators key by the same two things).
 */
function seriesKey(v: SampleJSON): string {
  const names = Object.keys(v.labels);
  if (names.length > 1) names.sort();
  let key = v.metricName ?? '';
  for (const n of names) key += `\u0000${n}\u0001${v.labels[n]}`;
  return key;
}

/** Options of {@link aggregateFamilies}. */
export interface AggregateOptions {
  /** Longest stretch of synchronous work, in milliseconds, before yielding to the event loop (default 1). */
  sliceMs?: number;
}

/**
 * What prom-client's `AggregatorRegistry.aggregate` returns for the same
 * input (each worker's families; a registry of one metric per family name,
 * its series combined by the family's `aggregator`: sum, first, min, max,
 * average or omit, in the order prom-client gives them), built a slice at
 * a time: `aggregate` does it in one synchronous step, which for 100k
 * series from each of a few workers blocks the primary for hundreds of
 * milliseconds. An aggregator that is not built in (added to prom-client's
 * `aggregators`) runs as prom-client runs it, in one step for its family.
 * The workers' sample objects are reused in the result: pass families the
 * caller no longer needs.
 */
export async function aggregateFamilies(workers: ReadonlyArray<Iterable<MetricJSON>>, opts: AggregateOptions = {}): Promise<Registry> {
  const slice = new TimeSlice(opts.sliceMs ?? 1);
  const registry = new Registry();
  for (const metrics of byFamilyName(workers).values()) {
    const head = metrics[0]!;
    const how = BUILT_IN[head.aggregator];
    let result: MetricJSON | undefined;
    if (how === undefined) {
      result = customAggregator(head.aggregator)(metrics);
    } else if (how !== null) {
      result = { help: head.help, name: head.name, type: head.type, values: await combine(metrics, how, slice), aggregator: head.aggregator };
    }
    if (result !== undefined) {
      const aggregated = result;
      registry.registerMetric(Object.assign({ get: () => aggregated }, aggregated) as never);
    }
    await slice.pause();
  }
  return registry;
}
