import type { Labels, Matcher } from '@vigil/core';
import { MemSeries, SeriesTable } from './series.ts';
import { LabelInterner, hashLabels, labelsEqual } from './intern.ts';
import { Postings } from './postings.ts';

/**
 * Every series the storage knows (head and blocks), by id and by label hash
 * (collisions kept in a list and told apart by comparing labels), with the
 * inverted index over them. Labels are interned.
 */
export class SeriesCatalog {
  /** Indexed by id (ids are dense: handed out in order). */
  private byId: Array<MemSeries | undefined> = [];
  private count = 0;
  private readonly byHash = new Map<number, MemSeries | MemSeries[]>();
  readonly postings = new Postings();
  readonly interner = new LabelInterner();
  /** The series' numeric state, by id. */
  readonly table = new SeriesTable();
  private nextId = 1;

  get size(): number {
    return this.count;
  }

  get(id: number): MemSeries | undefined {
    return this.byId[id];
  }

  *values(): IterableIterator<MemSeries> {
    const a = this.byId;
    for (let i = 0; i < a.length; i++) {
      const s = a[i];
      if (s !== undefined) yield s;
    }
  }

  lookup(labels: Labels, hash = hashLabels(labels)): MemSeries | undefined {
    const e = this.byHash.get(hash);
    if (e === undefined) return undefined;
    if (!Array.isArray(e)) return labelsEqual(e.labels, labels) ? e : undefined;
    for (const s of e) if (labelsEqual(s.labels, labels)) return s;
    return undefined;
  }

  /** The series with these labels, created (with id `wantId` when free) if new. */
  getOrCreate(labels: Labels, wantId?: number): { series: MemSeries; created: boolean } {
    const hash = hashLabels(labels);
    const found = this.lookup(labels, hash);
    if (found) return { series: found, created: false };
    let id = wantId !== undefined && wantId > 0 && this.byId[wantId] === undefined ? wantId : this.nextId;
    if (id >= this.nextId) this.nextId = id + 1;
    if (this.byId[id] !== undefined) id = this.nextId++;
    const s = new MemSeries(id, this.interner.labels(labels), this.table);
    this.byId[id] = s;
    this.count++;
    const e = this.byHash.get(hash);
    if (e === undefined) this.byHash.set(hash, s);
    else if (Array.isArray(e)) e.push(s);
    else this.byHash.set(hash, [e, s]);
    this.postings.add(id, s.labels);
    return { series: s, created: true };
  }

  remove(s: MemSeries): void {
    if (this.byId[s.id] !== s) return;
    this.byId[s.id] = undefined;
    this.count--;
    const hash = hashLabels(s.labels);
    const e = this.byHash.get(hash);
    if (Array.isArray(e)) {
      const rest = e.filter((x) => x !== s);
      if (rest.length === 1) this.byHash.set(hash, rest[0]!);
      else this.byHash.set(hash, rest);
    } else if (e === s) this.byHash.delete(hash);
    this.postings.delete(s.id);
  }

  /** Ids of the series matching every matcher, ascending. */
  select(matchers: readonly Matcher[]): number[] {
    return this.postings.select(matchers);
  }

  /** Reclaims index space of removed series and forgets unused label pairs. */
  compactIndex(): void {
    this.postings.compact();
    const used = new Set<unknown>();
    for (const s of this.values()) for (const l of s.labels) used.add(l);
    this.interner.sweep((l) => used.has(l));
  }
}
