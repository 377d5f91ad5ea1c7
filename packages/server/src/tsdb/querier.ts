import { compareLabels, type Labels, type Matcher } from '@vigil/core';
import type { Querier, SampleIterator, Series, SeriesSet, SelectHints } from '../storage/index.ts';
import type { DB } from './db.ts';
import type { Block } from './block/reader.ts';
import { clip, mergeSorted } from './head.ts';
import type { MemSeries } from './series.ts';

/**
 * Reads over [mint, maxt] across the blocks that overlap it (as they were
 * when the querier was made) and the head. A series' samples are decoded on
 * its first iteration, once, and merged in time order (an overlap between
 * blocks, e.g. after a backfill, is de-duplicated by timestamp).
 */
export class DBQuerier implements Querier {
  private readonly blocks: Block[];

  constructor(
    private readonly db: DB,
    private readonly mint: number,
    private readonly maxt: number,
  ) {
    this.blocks = db.blocks.filter((b) => b.meta.maxTime > mint && b.meta.minTime <= maxt);
  }

  private ids(matchers: readonly Matcher[]): number[] {
    return this.db.catalog.select(matchers);
  }

  async select(sortSeries: boolean, hints: SelectHints | undefined, ...matchers: Matcher[]): Promise<SeriesSet> {
    const mint = Math.max(this.mint, hints?.start ?? -Infinity);
    const maxt = Math.min(this.maxt, hints?.end ?? Infinity);
    const blocks = this.blocks.filter((b) => b.meta.maxTime > mint && b.meta.minTime <= maxt);
    const out: Series[] = [];
    const warnings: string[] = [];
    for (const id of this.ids(matchers)) {
      const s = this.db.catalog.get(id);
      if (!s) continue;
      const inHead = s.inHead() && s.headMinT <= maxt && (s.lastT >= mint || s.ooo !== null);
      const from = blocks.filter((b) => b.has(id));
      if (!inHead && from.length === 0) continue;
      out.push(new LazySeries(this.db, s, from, inHead, mint, maxt, warnings));
    }
    if (sortSeries) out.sort((a, b) => compareLabels(a.labels, b.labels));
    return { series: out, warnings };
  }

  async labelNames(...matchers: Matcher[]): Promise<string[]> {
    const names = new Set<string>();
    for (const s of await this.liveSeries(matchers)) for (const l of s.labels) names.add(l.name);
    return [...names].sort();
  }

  async labelValues(name: string, ...matchers: Matcher[]): Promise<string[]> {
    const values = new Set<string>();
    for (const s of await this.liveSeries(matchers)) for (const l of s.labels) if (l.name === name) values.add(l.value);
    return [...values].sort();
  }

  /** Series with data in the querier's range matching the matchers (all series when none). */
  private async liveSeries(matchers: Matcher[]): Promise<MemSeries[]> {
    const ids = matchers.length ? this.ids(matchers) : [...this.db.catalog.values()].map((s) => s.id);
    const out: MemSeries[] = [];
    for (const id of ids) {
      const s = this.db.catalog.get(id);
      if (!s) continue;
      if (s.inHead() && s.headMinT <= this.maxt && (s.lastT >= this.mint || s.ooo !== null)) out.push(s);
      else if (this.blocks.some((b) => b.has(id))) out.push(s);
    }
    return out;
  }

  close(): void {}
}

class LazySeries implements Series {
  private ts: Float64Array | undefined;
  private vs: Float64Array | undefined;

  constructor(
    private readonly db: DB,
    private readonly s: MemSeries,
    private readonly blocks: Block[],
    private readonly inHead: boolean,
    private readonly mint: number,
    private readonly maxt: number,
    private readonly warnings: string[],
  ) {}

  get labels(): Labels {
    return this.s.labels;
  }

  private load(): void {
    let acc: { ts: Float64Array; vs: Float64Array } = { ts: new Float64Array(0), vs: new Float64Array(0) };
    for (const b of this.blocks) {
      let d;
      try {
        d = b.read(this.s.id);
      } catch (e) {
        const msg = `block ${b.ulid}: ${(e as Error).message}`;
        if (!this.warnings.includes(msg)) this.warnings.push(msg);
        this.db.metrics.blockCorruptions.inc();
        continue;
      }
      if (d) acc = mergeSorted(acc.ts, acc.vs, clip(d.ts, d.vs, this.mint, this.maxt));
    }
    if (this.inHead) acc = mergeSorted(acc.ts, acc.vs, this.db.head.read(this.s, this.mint, this.maxt));
    acc = this.db.tombstones.filter(this.s.id, acc);
    this.ts = acc.ts;
    this.vs = acc.vs;
  }

  iterator(): SampleIterator {
    if (!this.ts) this.load();
    return new ArrayIterator(this.ts!, this.vs!);
  }

  floats(): { ts: Float64Array; vs: Float64Array } {
    if (!this.ts) this.load();
    return { ts: this.ts!, vs: this.vs! };
  }
}

export class ArrayIterator implements SampleIterator {
  t = 0;
  v = 0;
  private i = -1;

  constructor(
    private readonly ts: Float64Array,
    private readonly vs: Float64Array,
  ) {}

  next(): boolean {
    if (this.i + 1 >= this.ts.length) {
      this.i = this.ts.length;
      return false;
    }
    this.i++;
    this.t = this.ts[this.i]!;
    this.v = this.vs[this.i]!;
    return true;
  }

  seek(t: number): boolean {
    if (this.i >= 0 && this.i < this.ts.length && this.t >= t) return true;
    let lo = Math.max(this.i, 0);
    let hi = this.ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    this.i = lo - 1;
    return this.next();
  }
}
