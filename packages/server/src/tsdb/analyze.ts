import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readIndex, readMeta, dirBytes } from './block/reader.ts';
import { isULID } from './block/ulid.ts';

/**
 * `vigil tsdb analyze DIR [BLOCK]`, like promtool's: cardinality of one
 * block (the newest unless named) — series, label names, postings, the
 * label pairs, names and metric names with the most series or values — plus
 * Vigil's bytes per sample for the block.
 */
export function analyzeBlock(dir: string, blockId: string | undefined, limit: number, print: (line: string) => void): void {
  if (!existsSync(dir)) throw new Error(`${dir}: no such directory`);
  const blocks = readdirSync(dir)
    .filter((f) => isULID(f) && statSync(join(dir, f)).isDirectory())
    .map((f) => readMeta(join(dir, f)));
  if (blocks.length === 0) throw new Error(`${dir}: no blocks`);
  const meta = blockId ? blocks.find((b) => b.ulid === blockId) : blocks.sort((a, b) => b.maxTime - a.maxTime)[0];
  if (!meta) throw new Error(`${dir}: no block ${blockId}`);
  const bdir = join(dir, meta.ulid);
  const series = readIndex(bdir, meta.minTime, meta.maxTime);
  const pairs = new Map<string, number>();
  const values = new Map<string, Set<string>>();
  const metrics = new Map<string, number>();
  let entries = 0;
  for (const s of series) {
    for (const l of s.labels) {
      entries++;
      const p = `${l.name}=${l.value}`;
      pairs.set(p, (pairs.get(p) ?? 0) + 1);
      let vs = values.get(l.name);
      if (!vs) values.set(l.name, (vs = new Set()));
      vs.add(l.value);
      if (l.name === '__name__') metrics.set(l.value, (metrics.get(l.value) ?? 0) + 1);
    }
  }
  const bytes = dirBytes(bdir);
  const hours = (meta.maxTime - meta.minTime) / 3600_000;
  print(`Block ID: ${meta.ulid}`);
  print(`Duration: ${hours % 1 === 0 ? `${hours}h0m0s` : `${(meta.maxTime - meta.minTime) / 1000}s`}`);
  print(`Total Series: ${series.length}`);
  print(`Label names: ${values.size}`);
  print(`Postings (unique label pairs): ${pairs.size}`);
  print(`Postings entries (total label pairs): ${entries}`);
  print(`Samples: ${meta.stats.numSamples}; bytes on disk: ${bytes} (${(bytes / Math.max(1, meta.stats.numSamples)).toFixed(2)} bytes/sample)`);
  const topN = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, limit);
  print('\nMost common label pairs:');
  for (const [p, n] of topN(pairs)) print(`${n} ${p}`);
  const length = new Map<string, number>();
  for (const [name, vs] of values) {
    let total = 0;
    for (const v of vs) total += v.length;
    length.set(name, total);
  }
  print('\nLabel names with highest cumulative label value length:');
  for (const [name, n] of topN(length)) print(`${n} ${name}`);
  print('\nHighest cardinality labels:');
  for (const [name, n] of topN(new Map([...values].map(([k, v]) => [k, v.size])))) print(`${n} ${name}`);
  print('\nHighest cardinality metric names:');
  for (const [name, n] of topN(metrics)) print(`${n} ${name}`);
}
