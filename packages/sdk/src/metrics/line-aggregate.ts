import { Registry } from 'prom-client';
import { BUILT_IN, byFamilyName, customAggregator, type Combiner } from './cluster-aggregate.ts';
import { COMPACT, eachLine, parseSampleLine, type CompactFamily } from './compact-family.ts';
import { LineIndex } from './line-index.ts';
import { decodeValue, type LinePart } from './line-parts.ts';
import type { MetricJSON, SampleJSON } from './metric-json.ts';
import { TimeSlice } from './time-slice.ts';

/**
 * One worker's family: its {@link LinePart}s' lines as they arrived, their
 * values decoded into typed arrays (kept off the JavaScript heap, so the
 * collector neither copies nor scans them while the other workers answer).
 */
export interface LineFamily {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  blocks: string[];
  values: Float64Array[];
}

/** Adds a part to one worker's families (parts of a family are kept in order; empty ones add nothing). */
export function addLinePart(families: Map<string, LineFamily>, part: LinePart): void {
  let f = families.get(part.name);
  if (f === undefined) {
    f = { name: part.name, help: part.help, type: part.type, aggregator: part.aggregator, blocks: [], values: [] };
    families.set(part.name, f);
  }
  if (part.values.length === 0) return;
  f.blocks.push(part.lines);
  const values = new Float64Array(part.values.length);
  for (let i = 0; i < values.length; i++) values[i] = decodeValue(part.values[i]!);
  f.values.push(values);
}

/** Lines per block of a family combined by key. */
const BLOCK = 256;

/**
 * What prom-client's `AggregatorRegistry.aggregate` computes, from each
 * worker's families as text ({@link LineFamily}), a slice at a time: each
 * family's series combined by its aggregator (sum, first, min, max,
 * average or omit). The result keeps each family as text too (a
 * {@link CompactFamily}: a few hundred strings and number arrays for 100k
 * series), which the SDK's renderer writes as it is; `get()` on its
 * metrics still returns prom-client's JSON shape. Series keep the order in
 * which the workers first listed them; labels are in name order. When every
 * worker listed a family's series in the same order (the same lines in the
 * same blocks), values are combined position by position and no key is
 * made. An aggregator added to prom-client's `aggregators` table runs as
 * prom-client runs it, in one step for its family.
 */
export async function aggregateLineFamilies(workers: ReadonlyArray<Iterable<LineFamily>>, opts: { sliceMs?: number } = {}): Promise<Registry> {
  const slice = new TimeSlice(opts.sliceMs ?? 1);
  const registry = new Registry();
  for (const group of byFamilyName(workers).values()) {
    const head = group[0]!;
    const how = BUILT_IN[head.aggregator];
    const desc = { name: head.name, help: head.help, type: head.type, aggregator: head.aggregator };
    if (how === undefined) {
      const result = customAggregator(head.aggregator)(group.map(asMetricJSON));
      if (result !== undefined) registry.registerMetric(Object.assign({ get: () => result }, result) as never);
    } else if (how !== null) {
      const compact = await combineLines(group, how, slice);
      registry.registerMetric(Object.assign({ get: async () => asMetricJSON({ ...desc, ...compact }), [COMPACT]: compact }, desc) as never);
    }
    await slice.pause();
  }
  return registry;
}

async function combineLines(group: LineFamily[], how: Combiner, slice: TimeSlice): Promise<CompactFamily> {
  const finish = (acc: number, n: number) => (how.end ? how.end(acc, n) : acc);
  const blocks: string[] = [];
  const values: Float64Array[] = [];
  if (await sameLayout(group, slice)) {
    const first = group[0]!;
    for (let b = 0; b < first.blocks.length; b++) {
      const n = first.values[b]!.length;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let acc = how.start(first.values[b]![i]!);
        for (let w = 1; w < group.length; w++) acc = how.add(acc, group[w]!.values[b]![i]!);
        out[i] = finish(acc, group.length);
      }
      blocks.push(first.blocks[b]!);
      values.push(out);
      await slice.pause();
    }
    return { blocks, values };
  }
  // The series' lines are their keys (labels in name order).
  const index = new LineIndex();
  for (const f of group) {
    for (let b = 0; b < f.blocks.length; b++) {
      index.addBlock(f.blocks[b]!, f.values[b]!, how.start, how.add);
      await slice.pause();
    }
  }
  for (let s = 0; s < index.size; s += BLOCK) {
    const e = Math.min(index.size, s + BLOCK);
    const lines: string[] = [];
    const out = new Float64Array(e - s);
    for (let k = s; k < e; k++) {
      lines.push(index.line(k));
      out[k - s] = finish(index.value(k), index.count(k));
    }
    blocks.push(lines.join('\n'));
    values.push(out);
    await slice.pause();
  }
  return { blocks, values };
}

/** Whether every worker sent the family's series in the same blocks, line for line. */
async function sameLayout(group: LineFamily[], slice: TimeSlice): Promise<boolean> {
  const first = group[0]!;
  for (let w = 1; w < group.length; w++) {
    const f = group[w]!;
    if (f.blocks.length !== first.blocks.length) return false;
    for (let b = 0; b < f.blocks.length; b++) {
      if (f.blocks[b] !== first.blocks[b]) return false;
      await slice.pause();
    }
  }
  return true;
}

/** A family as text (a worker's, or the combined one), in the shape of prom-client's `get()`. */
function asMetricJSON(f: LineFamily): MetricJSON {
  const values: SampleJSON[] = [];
  for (let b = 0; b < f.blocks.length; b++) {
    const vals = f.values[b]!;
    eachLine(f.blocks[b]!, (line, i) => {
      const { name, labels } = parseSampleLine(line);
      const sample: SampleJSON = { labels, value: vals[i]! };
      if (name !== f.name) sample.metricName = name;
      values.push(sample);
    });
  }
  return { name: f.name, help: f.help, type: f.type, aggregator: f.aggregator, values };
}
