import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Matcher } from '@vigil/core';
import type { DB } from './db.ts';

/** One entry of a `/api/v1/status/tsdb` top list. */
export interface Stat {
  name: string;
  value: number;
}

/** `/api/v1/status/tsdb`'s `data`, in Prometheus's shape. */
export interface TsdbStatus {
  headStats: { numSeries: number; numLabelPairs: number; chunkCount: number; minTime: number; maxTime: number };
  seriesCountByMetricName: Stat[];
  labelValueCountByLabelName: Stat[];
  memoryInBytesByLabelName: Stat[];
  seriesCountByLabelValuePair: Stat[];
}

function top(m: Map<string, number>, limit: number): Stat[] {
  return [...m.entries()]
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => b.value - a.value || (a.name < b.name ? -1 : 1))
    .slice(0, limit);
}

/** Cardinality statistics over the head's series, as Prometheus computes them for its head block. */
export function tsdbStatus(db: DB, limit = 10): TsdbStatus {
  const byMetric = new Map<string, number>();
  const byPair = new Map<string, number>();
  const values = new Map<string, Set<string>>();
  for (const s of db.catalog.values()) {
    if (!s.inHead()) continue;
    for (const l of s.labels) {
      if (l.name === '__name__') byMetric.set(l.value, (byMetric.get(l.value) ?? 0) + 1);
      const pair = `${l.name}=${l.value}`;
      byPair.set(pair, (byPair.get(pair) ?? 0) + 1);
      let vs = values.get(l.name);
      if (!vs) values.set(l.name, (vs = new Set()));
      vs.add(l.value);
    }
  }
  const valueCount = new Map<string, number>();
  const memory = new Map<string, number>();
  for (const [name, vs] of values) {
    valueCount.set(name, vs.size);
    let bytes = 0;
    for (const v of vs) bytes += Buffer.byteLength(v);
    memory.set(name, bytes);
  }
  const h = db.headStats();
  const finite = (x: number) => (Number.isFinite(x) ? x : 0);
  return {
    headStats: { numSeries: h.numSeries, numLabelPairs: h.numLabelPairs, chunkCount: h.chunkCount, minTime: finite(h.minTime), maxTime: finite(h.maxTime) },
    seriesCountByMetricName: top(byMetric, limit),
    labelValueCountByLabelName: top(valueCount, limit),
    memoryInBytesByLabelName: top(memory, limit),
    seriesCountByLabelValuePair: top(byPair, limit),
  };
}

/** Deletes [mint, maxt] of the series matching any of the matcher sets. */
export function deleteSeries(db: DB, matcherSets: Matcher[][], mint: number, maxt: number): number {
  let n = 0;
  for (const ms of matcherSets) n += db.deleteSeries(ms, mint, maxt);
  return n;
}

/** Prometheus's snapshot name: UTC time and 8 random bytes, `20171210T211224Z-2be650b6d019eb54`. */
export function snapshotName(now = new Date()): string {
  const iso = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `${iso}-${randomBytes(8).toString('hex')}`;
}

/** Writes a snapshot under `<dir>/snapshots/<name>` and returns the name. */
export function snapshot(db: DB, skipHead: boolean): string {
  const name = snapshotName();
  db.snapshot(join(db.dir, 'snapshots', name), !skipHead);
  return name;
}
