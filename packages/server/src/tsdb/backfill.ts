import { readFileSync } from 'node:fs';
import { compareLabels, type Labels } from '@vigil/core';
import { ExpositionParseError, parseExposition } from '../model/textparse/index.ts';
import { BlockWriter } from './block/writer.ts';
import type { BlockMeta } from './block/meta.ts';
import { DEFAULT_BLOCK_RANGE } from './db.ts';

/** A backfill input problem, naming the file and line. */
export class BackfillError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackfillError';
  }
}

/**
 * `vigil tsdb create-blocks-from openmetrics FILE DIR`, like promtool's: the
 * OpenMetrics file (`# EOF` required, every sample with a timestamp) becomes
 * blocks in DIR, one per `blockRange`-aligned window (2 h by default).
 * Vigil loads such blocks from its storage directory at start; blocks that
 * overlap existing ones are merged by compaction.
 */
export function createBlocksFromOpenMetrics(file: string, outDir: string, blockRange = DEFAULT_BLOCK_RANGE): BlockMeta[] {
  const text = readFileSync(file, 'utf8');
  let parsed;
  try {
    parsed = parseExposition(text, true);
  } catch (e) {
    if (e instanceof ExpositionParseError) throw new BackfillError(`${file}:${e.line}: ${e.detail}`);
    throw e;
  }
  // window → series key → samples
  const windows = new Map<number, Map<string, { labels: Labels; ts: number[]; vs: number[] }>>();
  for (const s of parsed.samples) {
    if (s.timestamp === undefined) throw new BackfillError(`${file}: sample ${s.series} has no timestamp; backfilling needs one on every sample`);
    const ws = Math.floor(s.timestamp / blockRange) * blockRange;
    let w = windows.get(ws);
    if (!w) windows.set(ws, (w = new Map()));
    let e = w.get(s.series);
    if (!e) w.set(s.series, (e = { labels: s.labels, ts: [], vs: [] }));
    e.ts.push(s.timestamp);
    e.vs.push(s.value);
  }
  const out: BlockMeta[] = [];
  for (const ws of [...windows.keys()].sort((a, b) => a - b)) {
    const series = [...windows.get(ws)!.values()].sort((a, b) => compareLabels(a.labels, b.labels));
    const w = new BlockWriter(outDir, ws, ws + blockRange);
    try {
      for (const s of series) {
        const order = s.ts.map((_, i) => i).sort((a, b) => s.ts[a]! - s.ts[b]! || a - b);
        const ts = new Float64Array(order.length);
        const vs = new Float64Array(order.length);
        let n = 0;
        for (const i of order) {
          const t = s.ts[i]!;
          if (n > 0 && ts[n - 1] === t) {
            if (!Object.is(vs[n - 1], s.vs[i]) && !(Number.isNaN(vs[n - 1]!) && Number.isNaN(s.vs[i]!))) {
              throw new BackfillError(`${file}: series ${labelsText(s.labels)} has two different values at ${new Date(t).toISOString()}`);
            }
            continue;
          }
          ts[n] = t;
          vs[n++] = s.vs[i]!;
        }
        w.add(s.labels, ts, vs, n);
      }
    } catch (e) {
      w.abort();
      throw e;
    }
    const meta = w.finish();
    if (meta) out.push(meta);
  }
  return out;
}

function labelsText(ls: Labels): string {
  return `{${ls.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;
}
