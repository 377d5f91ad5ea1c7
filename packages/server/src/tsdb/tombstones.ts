import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Labels } from '@vigil/core';
import { writeFileAndSync } from './block/writer.ts';

export interface Interval {
  mint: number;
  maxt: number;
}

interface Entry {
  labels: Labels;
  intervals: Interval[];
}

/**
 * Deleted time ranges per series (from /api/v1/admin/tsdb/delete_series).
 * Kept in `tombstones.json` next to the blocks (rewritten atomically), so
 * a deletion survives a restart; samples inside an interval are filtered
 * from every read and dropped for good when a block is rewritten
 * (clean_tombstones, compaction) or the head window is persisted.
 */
export class Tombstones {
  private readonly byId = new Map<number, Entry>();
  private readonly file: string;

  constructor(dir: string) {
    this.file = join(dir, 'tombstones.json');
  }

  get size(): number {
    return this.byId.size;
  }

  load(resolve: (labels: Labels) => number | undefined): void {
    if (!existsSync(this.file)) return;
    const list = JSON.parse(readFileSync(this.file, 'utf8')) as Entry[];
    for (const e of list) {
      const id = resolve(e.labels);
      if (id !== undefined) this.byId.set(id, e);
    }
  }

  save(): void {
    const tmp = `${this.file}.tmp`;
    writeFileAndSync(tmp, Buffer.from(JSON.stringify([...this.byId.values()])));
    renameSync(tmp, this.file);
  }

  add(id: number, labels: Labels, iv: Interval): void {
    const e = this.byId.get(id);
    if (e) e.intervals.push(iv);
    else this.byId.set(id, { labels: labels.map((l) => ({ name: l.name, value: l.value })), intervals: [iv] });
  }

  /** Whether any of `ids` has a deletion overlapping [mint, maxt]. */
  touches(ids: Iterable<number>, mint: number, maxt: number): boolean {
    if (this.byId.size === 0) return false;
    for (const id of ids) {
      const e = this.byId.get(id);
      if (e && e.intervals.some((iv) => iv.mint <= maxt && iv.maxt >= mint)) return true;
    }
    return false;
  }

  filter(id: number, d: { ts: Float64Array; vs: Float64Array }): { ts: Float64Array; vs: Float64Array } {
    const e = this.byId.get(id);
    if (!e || d.ts.length === 0) return d;
    const keep = (t: number) => !e.intervals.some((iv) => t >= iv.mint && t <= iv.maxt);
    let n = 0;
    for (let i = 0; i < d.ts.length; i++) if (keep(d.ts[i]!)) n++;
    if (n === d.ts.length) return d;
    const ts = new Float64Array(n);
    const vs = new Float64Array(n);
    let k = 0;
    for (let i = 0; i < d.ts.length; i++) {
      if (!keep(d.ts[i]!)) continue;
      ts[k] = d.ts[i]!;
      vs[k++] = d.vs[i]!;
    }
    return { ts, vs };
  }

  /** After the head window ending at `before` was persisted (filtered): intervals wholly before it no longer matter to the head. */
  forgetHeadBefore(_before: number): void {
    // Blocks may still hold older data written before the deletion; intervals stay until clean_tombstones.
  }

  /** After every block was rewritten: drop intervals that end before the head, for series not in the head. */
  forgetBlocksBefore(headStart: number, inHead: (id: number) => boolean): void {
    for (const [id, e] of this.byId) {
      e.intervals = e.intervals.filter((iv) => iv.maxt >= headStart || inHead(id));
      if (e.intervals.length === 0) this.byId.delete(id);
    }
  }
}
