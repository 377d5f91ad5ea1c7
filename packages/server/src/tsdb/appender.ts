import type { Labels } from '@vigil/core';
import type { Appender } from '../storage/index.ts';
import { StorageRejection } from '../storage/index.ts';
import { hashLabels, labelsEqual } from './intern.ts';
import type { DB } from './db.ts';
import type { MemSeries } from './series.ts';

/** Refs at or above this are temporary ones handed out for series created inside an uncommitted appender. */
export const TMP_BASE = 0x80000000;

let appenders = 0;
const pool: Array<{ refs: Uint32Array; ts: Float64Array; vs: Float64Array }> = [];
const POOL_MAX = 8;
const POOL_MAX_LEN = 1 << 20;
const bitsA = new Float64Array(1);
const bitsB = new Float64Array(1);
const wordsA = new Uint32Array(bitsA.buffer);
const wordsB = new Uint32Array(bitsB.buffer);
function sameBits(a: number, b: number): boolean {
  bitsA[0] = a;
  bitsB[0] = b;
  return wordsA[0] === wordsB[0] && wordsA[1] === wordsB[1];
}

/**
 * Collects one transaction's samples, checking Prometheus's ingestion rules
 * as they come (out of bounds, out of order, duplicates), and hands them to
 * the DB on commit, which logs them to the WAL before they become visible.
 */
export class HeadAppender implements Appender {
  private refs: Uint32Array;
  private ts: Float64Array;
  private vs: Float64Array;
  private n = 0;
  private readonly newSeries: Array<{ labels: Labels; tmpRef: number }> = [];
  private readonly newByHash = new Map<number, number[]>();
  /** Newest timestamp appended in this batch per ref, for ordering checks. */
  private readonly pendingMax = new Map<number, number>();
  private done = false;
  private readonly serial = ++appenders;

  constructor(private readonly db: DB) {
    const b = pool.pop();
    this.refs = b?.refs ?? new Uint32Array(64);
    this.ts = b?.ts ?? new Float64Array(64);
    this.vs = b?.vs ?? new Float64Array(64);
  }

  /** Hands the arrays back for the next appender (a busy server reuses them instead of making garbage per commit). */
  private release(): void {
    if (pool.length < POOL_MAX && this.refs.length <= POOL_MAX_LEN) pool.push({ refs: this.refs, ts: this.ts, vs: this.vs });
  }

  private resolveNew(labels: Labels): number {
    if (labels.length === 0) throw new StorageRejection('invalid_labels', 'empty label set');
    const h = hashLabels(labels);
    const cands = this.newByHash.get(h);
    if (cands) for (const r of cands) if (labelsEqual(this.newSeries[r - TMP_BASE]!.labels, labels)) return r;
    const r = TMP_BASE + this.newSeries.length;
    this.newSeries.push({ labels, tmpRef: r });
    if (cands) cands.push(r);
    else this.newByHash.set(h, [r]);
    return r;
  }

  append(ref: number, labels: Labels, t: number, v: number): number {
    if (this.done) throw new Error('appender already committed or rolled back');
    let r = 0;
    let s: MemSeries | undefined;
    if (ref > 0 && ref < TMP_BASE) {
      // A committed ref is a series id, and ids are never given to another
      // label set while the process runs (new series take fresh ids; a
      // removed series' id stays unused), so a ref that still resolves names
      // these labels: no comparison (it was a tenth of a scrape's CPU time).
      // A stale ref (series removed) resolves to nothing and falls back to the labels.
      s = this.db.catalog.get(ref);
    } else if (ref >= TMP_BASE && this.newSeries[ref - TMP_BASE] && labelsEqual(this.newSeries[ref - TMP_BASE]!.labels, labels)) {
      r = ref;
    }
    if (!r) {
      s ??= this.db.catalog.lookup(labels);
      r = s ? s.id : this.resolveNew(labels);
    }
    if (t < this.db.minValidTime()) {
      this.db.metrics.rejected.inc({ reason: 'out_of_bounds' });
      throw new StorageRejection('out_of_bounds');
    }
    const committedMax = s ? s.lastT : -Infinity;
    const pending = s ? (s.pendBy === this.serial ? s.pendT : -Infinity) : (this.pendingMax.get(r) ?? -Infinity);
    const newest = committedMax > pending ? committedMax : pending;
    if (t <= newest) {
      if (t === committedMax && s && t > pending) {
        const last = this.db.head.lastValue(s);
        if (last !== undefined && sameBits(last, v)) return r; // equal duplicate: accepted, nothing to store
        this.db.metrics.rejected.inc({ reason: 'duplicate_sample' });
        throw new StorageRejection('duplicate_sample');
      }
      if (t === newest) {
        this.db.metrics.rejected.inc({ reason: 'duplicate_sample' });
        throw new StorageRejection('duplicate_sample');
      }
      const oooWin = this.db.outOfOrderWindow();
      if (!(oooWin > 0 && t >= newest - oooWin)) {
        this.db.metrics.rejected.inc({ reason: 'out_of_order' });
        throw new StorageRejection('out_of_order');
      }
    } else if (s) {
      s.pendT = t;
      s.pendBy = this.serial;
    } else {
      this.pendingMax.set(r, t);
    }
    if (this.n === this.refs.length) this.grow();
    this.refs[this.n] = r;
    this.ts[this.n] = t;
    this.vs[this.n] = v;
    this.n++;
    return r;
  }

  private grow(): void {
    const cap = this.refs.length * 2;
    const refs = new Uint32Array(cap);
    refs.set(this.refs);
    const ts = new Float64Array(cap);
    ts.set(this.ts);
    const vs = new Float64Array(cap);
    vs.set(this.vs);
    this.refs = refs;
    this.ts = ts;
    this.vs = vs;
  }

  async commit(): Promise<void> {
    if (this.done) throw new Error('appender already committed or rolled back');
    this.done = true;
    if (this.n === 0 && this.newSeries.length === 0) {
      this.release();
      return;
    }
    try {
      this.db.commitBatch(this.newSeries, this.refs, this.ts, this.vs, this.n);
    } finally {
      this.release();
    }
  }

  async rollback(): Promise<void> {
    if (!this.done) this.release();
    this.done = true;
    this.n = 0;
  }
}
