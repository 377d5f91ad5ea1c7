import { labelsKey, type Labels, type Logger, type Matcher, silentLogger, compareLabels } from '@vigil/core';
import { Registry } from 'prom-client';
import type { Appender, Querier, Series, SeriesSet, Storage, SelectHints } from '../storage/index.ts';
import { StorageRejection } from '../storage/index.ts';
import { MemSeries } from './mem-series.ts';
import { Postings } from './postings.ts';
import { WAL, type ReplayStats, type WalSeries } from './wal.ts';
import { TsdbMetrics } from './metrics.ts';
import { DirLock } from './lock.ts';

export interface DBOptions {
  /** Storage directory; created when missing. */
  dir: string;
  /** Samples older than newest-sample − retentionMs are dropped; 0 keeps everything. */
  retentionMs?: number;
  /** Not enforced by the in-memory head yet (no blocks); accepted for flag compatibility. */
  retentionBytes?: number;
  /** Samples up to this much older than a series' newest sample are accepted out of order. */
  outOfOrderWindowMs?: number;
  logger?: Logger;
  registry?: Registry;
  now?: () => number;
}

/** How far behind the newest sample a new sample may be (Prometheus: half the 2 h head chunk range). */
const APPENDABLE_WINDOW = 3600_000;
const RETENTION_INTERVAL = 60_000;
/** The WAL is checkpointed once it is this large and much larger than what the head holds. */
const CHECKPOINT_MIN_BYTES = 64 * 1024 * 1024;

function sameBits(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b && Object.is(a, b)) || bitsEqual(a, b);
}
const bitsA = new Float64Array(1);
const bitsB = new Float64Array(1);
const wordsA = new Uint32Array(bitsA.buffer);
const wordsB = new Uint32Array(bitsB.buffer);
function bitsEqual(a: number, b: number): boolean {
  bitsA[0] = a;
  bitsB[0] = b;
  return wordsA[0] === wordsB[0] && wordsA[1] === wordsB[1];
}

/**
 * Vigil's embedded storage: an in-memory head of every series with a
 * write-ahead log replayed on open. Implements {@link Storage}.
 */
export class DB implements Storage {
  private readonly series = new Map<number, MemSeries>();
  private readonly byKey = new Map<string, MemSeries>();
  private readonly postings = new Postings();
  private nextRef = 1;
  private maxT = -Infinity;
  private readonly wal: WAL;
  private readonly logger: Logger;
  readonly metrics: TsdbMetrics;
  private retentionTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** What the last WAL replay found. */
  replayStats: ReplayStats | undefined;
  replayDurationMs = 0;

  constructor(private readonly opts: DBOptions) {
    this.logger = opts.logger ?? silentLogger();
    this.metrics = new TsdbMetrics(opts.registry ?? new Registry());
    this.wal = new WAL(opts.dir, this.logger);
    this.lock = new DirLock(opts.dir);
  }

  private readonly lock: DirLock;

  /** Takes the directory lock, replays the WAL and opens it for writing. */
  open(): void {
    this.lock.acquire();
    const started = performance.now();
    const stats = this.wal.replay({
      series: (s) => this.createSeries(s.labels, s.ref),
      samples: (refs, ts, vs, n) => {
        for (let i = 0; i < n; i++) {
          const s = this.series.get(refs[i]!);
          if (!s) continue;
          const t = ts[i]!;
          if (t > s.maxTime()) s.push(t, vs[i]!);
          else if (t < s.maxTime() && !this.hasSampleAt(s, t)) s.insert(t, vs[i]!);
          if (t > this.maxT) this.maxT = t;
        }
      },
    });
    this.replayDurationMs = performance.now() - started;
    this.replayStats = stats;
    this.metrics.walCorruptions.inc(stats.corruptions.length);
    this.wal.openForWrite();
    this.metrics.headSeries.set(this.series.size);
    this.applyRetention();
    this.logger.info(
      { segments: stats.segments, records: stats.records, series: this.series.size, durationMs: Math.round(this.replayDurationMs) },
      'WAL replay completed',
    );
    this.retentionTimer = setInterval(() => {
      this.applyRetention();
      this.maybeCheckpoint();
    }, RETENTION_INTERVAL);
    this.retentionTimer.unref();
  }

  private hasSampleAt(s: MemSeries, t: number): boolean {
    const i = s.search(t);
    return i < s.n && s.ts[i] === t;
  }

  private createSeries(labels: Labels, ref?: number): MemSeries {
    const r = ref ?? this.nextRef;
    if (r >= this.nextRef) this.nextRef = r + 1;
    const s = new MemSeries(r, labels);
    this.series.set(r, s);
    this.byKey.set(labelsKey(labels), s);
    this.postings.add(r, labels);
    return s;
  }

  /** Drops samples outside the retention window and series left empty. */
  applyRetention(): void {
    const ret = this.opts.retentionMs ?? 0;
    if (!ret || this.maxT === -Infinity) return;
    const mint = this.maxT - ret;
    let dropped = 0;
    for (const s of this.series.values()) {
      if (s.minTime() >= mint) continue;
      dropped += s.truncateBefore(mint);
      if (s.n === 0) {
        this.series.delete(s.ref);
        this.byKey.delete(labelsKey(s.labels));
        this.postings.delete(s.ref, s.labels);
      }
    }
    if (dropped) this.metrics.retentionDropped.inc(dropped);
    this.metrics.headSeries.set(this.series.size);
  }

  /**
   * Checkpoints the WAL when it has grown past {@link CHECKPOINT_MIN_BYTES}
   * and to more than twice the head's own size (retention dropped data or
   * series churned): start-up replay then reads the head once, not its history.
   */
  maybeCheckpoint(): void {
    const walBytes = this.wal.bytes();
    this.metrics.walBytes.set(walBytes);
    if (walBytes < CHECKPOINT_MIN_BYTES) return;
    let samples = 0;
    for (const s of this.series.values()) samples += s.n;
    if (walBytes < 2 * (samples * 20 + this.series.size * 200)) return;
    this.checkpoint();
  }

  /** Writes a WAL checkpoint of the head now and drops the segments it covers; returns its size in bytes. */
  checkpoint(): number {
    const started = performance.now();
    const bytes = this.wal.writeCheckpoint((emit) => {
      const BATCH = 65_536;
      let series: WalSeries[] = [];
      const refs = new Uint32Array(BATCH);
      const ts = new Float64Array(BATCH);
      const vs = new Float64Array(BATCH);
      let n = 0;
      const flush = () => {
        emit(series, refs, ts, vs, n);
        series = [];
        n = 0;
      };
      for (const s of this.series.values()) {
        series.push({ ref: s.ref, labels: s.labels as WalSeries['labels'] });
        for (let i = 0; i < s.n; i++) {
          if (n === BATCH) flush();
          refs[n] = s.ref;
          ts[n] = s.ts[i]!;
          vs[n] = s.vs[i]!;
          n++;
        }
        if (series.length >= 1000) flush();
      }
      if (series.length || n) flush();
    });
    this.metrics.walBytes.set(this.wal.bytes());
    this.logger.info({ bytes, series: this.series.size, durationMs: Math.round(performance.now() - started) }, 'WAL checkpoint written');
    return bytes;
  }

  appender(): Appender {
    return new HeadAppender(this);
  }

  /** @internal used by the appender */
  lookup(labels: Labels): MemSeries | undefined {
    return this.byKey.get(labelsKey(labels));
  }

  /** @internal */
  getRef(ref: number): MemSeries | undefined {
    return this.series.get(ref);
  }

  /** @internal */
  minValidTime(): number {
    return this.maxT === -Infinity ? -Infinity : this.maxT - APPENDABLE_WINDOW;
  }

  /** @internal */
  outOfOrderWindow(): number {
    return this.opts.outOfOrderWindowMs ?? 0;
  }

  /** @internal writes the commit to the WAL, then makes it visible. */
  commitBatch(newSeries: Array<{ labels: Labels; tmpRef: number }>, refs: Uint32Array, ts: Float64Array, vs: Float64Array, n: number, tmpToSeries: Map<number, MemSeries>): void {
    if (this.closed) throw new Error('storage is closed');
    const walSeries: WalSeries[] = [];
    for (const ns of newSeries) {
      let s = this.lookup(ns.labels);
      if (!s) {
        s = this.createSeries(ns.labels);
        walSeries.push({ ref: s.ref, labels: ns.labels as WalSeries['labels'] });
      }
      tmpToSeries.set(ns.tmpRef, s);
    }
    // Resolve temporary refs, then log and apply.
    const finalRefs = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const r = refs[i]!;
      const s = r >= TMP_BASE ? tmpToSeries.get(r)! : this.series.get(r)!;
      finalRefs[i] = s.ref;
    }
    this.wal.logRaw(walSeries, finalRefs, ts, vs, n);
    for (let i = 0; i < n; i++) {
      const s = this.series.get(finalRefs[i]!)!;
      const t = ts[i]!;
      if (t > s.maxTime()) s.push(t, vs[i]!);
      else if (!this.hasSampleAt(s, t)) s.insert(t, vs[i]!);
      if (t > this.maxT) this.maxT = t;
    }
    this.metrics.samplesAppended.inc(n);
    this.metrics.headSeries.set(this.series.size);
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    return new HeadQuerier(this, mint, maxt);
  }

  /** @internal */
  selectRefs(matchers: readonly Matcher[]): Set<number> {
    return this.postings.select(matchers);
  }

  /** @internal */
  labelNamesAll(): string[] {
    return this.postings.labelNames();
  }

  /** @internal */
  labelValuesAll(name: string): string[] {
    return this.postings.labelValues(name);
  }

  async startTime(): Promise<number> {
    let min = Infinity;
    for (const s of this.series.values()) if (s.minTime() < min) min = s.minTime();
    return min;
  }

  /** Number of series in the head. */
  headSeriesCount(): number {
    return this.series.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.wal.close();
    this.lock.release();
  }
}

/** Refs at or above this are temporary ones handed out for series created inside an uncommitted appender. */
const TMP_BASE = 0x80000000;

class HeadAppender implements Appender {
  private refs = new Uint32Array(64);
  private ts = new Float64Array(64);
  private vs = new Float64Array(64);
  private n = 0;
  private readonly newSeries: Array<{ labels: Labels; tmpRef: number }> = [];
  private readonly newByKey = new Map<string, number>();
  /** Newest timestamp (and its value) appended in this batch per ref, for ordering checks. */
  private readonly pendingMax = new Map<number, number>();
  private done = false;

  constructor(private readonly db: DB) {}

  append(ref: number, labels: Labels, t: number, v: number): number {
    if (this.done) throw new Error('appender already committed or rolled back');
    let r = 0;
    let s: MemSeries | undefined;
    if (ref > 0 && ref < TMP_BASE) {
      s = this.db.getRef(ref);
      if (s && s.labels !== labels && labelsKey(s.labels) !== labelsKey(labels)) s = undefined;
    } else if (ref >= TMP_BASE && this.newSeries[ref - TMP_BASE] && labelsKey(this.newSeries[ref - TMP_BASE]!.labels) === labelsKey(labels)) {
      r = ref;
    }
    if (!r) {
      s ??= this.db.lookup(labels);
      if (s) r = s.ref;
      else {
        if (labels.length === 0) throw new StorageRejection('invalid_labels', 'empty label set');
        const key = labelsKey(labels);
        const existing = this.newByKey.get(key);
        if (existing !== undefined) r = existing;
        else {
          r = TMP_BASE + this.newSeries.length;
          this.newSeries.push({ labels, tmpRef: r });
          this.newByKey.set(key, r);
        }
      }
    }
    // Ordering rules against committed data and this batch.
    if (t < this.db.minValidTime()) {
      this.db.metrics.rejected.inc({ reason: 'out_of_bounds' });
      throw new StorageRejection('out_of_bounds');
    }
    const committedMax = s ? s.maxTime() : -Infinity;
    const pending = this.pendingMax.get(r) ?? -Infinity;
    const newest = Math.max(committedMax, pending);
    if (t <= newest) {
      if (t === committedMax && s && t > pending) {
        if (sameBits(s.vs[s.n - 1]!, v)) return r < TMP_BASE ? r : r; // equal duplicate: accepted, nothing to store
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
    if (this.n === 0 && this.newSeries.length === 0) return;
    this.db.commitBatch(this.newSeries, this.refs, this.ts, this.vs, this.n, new Map());
  }

  async rollback(): Promise<void> {
    this.done = true;
    this.n = 0;
  }
}

class HeadQuerier implements Querier {
  constructor(
    private readonly db: DB,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  async select(sortSeries: boolean, hints: SelectHints | undefined, ...matchers: Matcher[]): Promise<SeriesSet> {
    const mint = Math.max(this.mint, hints?.start ?? -Infinity);
    const maxt = Math.min(this.maxt, hints?.end ?? Infinity);
    const out: Series[] = [];
    for (const ref of this.db.selectRefs(matchers)) {
      const s = this.db.getRef(ref);
      if (!s || s.n === 0 || s.maxTime() < mint || s.minTime() > maxt) continue;
      out.push({ labels: s.labels, iterator: () => s.iterator(mint, maxt) });
    }
    if (sortSeries) out.sort((a, b) => compareLabels(a.labels, b.labels));
    return { series: out };
  }

  async labelNames(...matchers: Matcher[]): Promise<string[]> {
    if (matchers.length === 0) return this.db.labelNamesAll();
    const names = new Set<string>();
    for (const ref of this.db.selectRefs(matchers)) for (const l of this.db.getRef(ref)?.labels ?? []) names.add(l.name);
    return [...names].sort();
  }

  async labelValues(name: string, ...matchers: Matcher[]): Promise<string[]> {
    if (matchers.length === 0) return this.db.labelValuesAll(name);
    const values = new Set<string>();
    for (const ref of this.db.selectRefs(matchers)) {
      for (const l of this.db.getRef(ref)?.labels ?? []) if (l.name === name) values.add(l.value);
    }
    return [...values].sort();
  }

  close(): void {}
}
