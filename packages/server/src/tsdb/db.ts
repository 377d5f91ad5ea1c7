import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Labels, Logger, Matcher } from '@vigil/core';
import { silentLogger } from '@vigil/core';
import { Registry } from 'prom-client';
import type { Appender, Querier, Storage } from '../storage/index.ts';
import { SeriesCatalog } from './catalog.ts';
import { Head, mergeSorted } from './head.ts';
import type { MemSeries } from './series.ts';
import { WAL, type ReplayStats, type WalPosition, type WalSeries } from './wal.ts';
import { captureHeadSnapshot, deleteHeadSnapshot, readHeadSnapshot, removeHeadSnapshot, removeSnapshotLeftovers, writeHeadSnapshot, writeHeadSnapshotInBackground } from './head-snapshot.ts';
import { TsdbMetrics } from './metrics.ts';
import { DirLock } from './lock.ts';
import { Block, BlockCorruption, readIndex, readMeta } from './block/reader.ts';
import { BlockWriter } from './block/writer.ts';
import { isULID } from './block/ulid.ts';
import { HeadAppender, TMP_BASE } from './appender.ts';
import { DBQuerier } from './querier.ts';
import { planCompaction, type CompactionPlan } from './compact.ts';
import { Tombstones, type Interval } from './tombstones.ts';

export interface DBOptions {
  /** Storage directory; created when missing. */
  dir: string;
  /** Blocks entirely older than newest-sample − retentionMs are deleted; 0 keeps everything. */
  retentionMs?: number;
  /** Oldest blocks are deleted while blocks + WAL take more bytes than this; 0 means no limit. */
  retentionBytes?: number;
  /** Samples up to this much older than a series' newest sample are accepted out of order. */
  outOfOrderWindowMs?: number;
  /** Time range of a level-1 block (the head is cut into blocks of this size); default 2 h. */
  blockRangeMs?: number;
  /** Write the head to `head.snapshot` on close so the next start skips most of the WAL replay; default true. */
  headSnapshotOnShutdown?: boolean;
  /**
   * While running, write the head to `head.snapshot` in the background once
   * this many bytes of WAL (and at least as many as the last snapshot's size)
   * were written since the last one, so a crash replays at most about that
   * much WAL; 0 turns it off. Default 128 MiB.
   */
  headSnapshotWalBytes?: number;
  /** How often the head is checked for a block to cut, blocks for compaction and retention; default 15 s. */
  maintenanceIntervalMs?: number;
  logger?: Logger;
  registry?: Registry;
  now?: () => number;
}

export const DEFAULT_BLOCK_RANGE = 2 * 3600_000;
/** The WAL is checkpointed once it is this large and much larger than what the head holds. */
const CHECKPOINT_MIN_BYTES = 64 * 1024 * 1024;
/** Default of {@link DBOptions.headSnapshotWalBytes}. */
const HEAD_SNAPSHOT_WAL_BYTES = 128 * 1024 * 1024;
/** How long a deleted block's file stays open for queries that started before (ms). */
const CLOSE_GRACE = 60_000;

export interface HeadStats {
  numSeries: number;
  chunkCount: number;
  minTime: number;
  maxTime: number;
  numLabelPairs: number;
}

/**
 * Vigil's embedded storage: a compressed in-memory head of recent samples
 * protected by a write-ahead log, cut every block range into immutable
 * on-disk blocks that are compacted into larger ones and deleted by
 * retention. Implements {@link Storage}. Formats: docs/format/.
 */
export class DB implements Storage {
  /** @internal */ catalog = new SeriesCatalog();
  /** @internal */ head: Head;
  /** @internal */ blocks: Block[] = [];
  /** @internal */ readonly tombstones: Tombstones;
  private maxT = -Infinity;
  /** Oldest sample time the head may still hold (a window start after a cut). */
  private headMinT = Infinity;
  private lastBlockMaxT = -Infinity;
  private readonly wal: WAL;
  private readonly logger: Logger;
  readonly metrics: TsdbMetrics;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly lock: DirLock;
  readonly blockRange: number;
  /** What the last WAL replay found. */
  replayStats: ReplayStats | undefined;
  replayDurationMs = 0;
  /** Progress of the WAL replay (segments), for /api/v1/status/walreplay. */
  walReplay = { min: 0, max: 0, current: 0 };
  /** Whether the last open loaded a head snapshot (and replayed only the WAL after it). */
  headSnapshotLoaded = false;
  /** Bumped whenever a snapshot being written becomes stale (checkpoint, block cut, shutdown, a newer one). */
  private snapGen = 0;
  /** The running snapshot's background write. */
  private snapWriting: Promise<void> | undefined;
  /** WAL bytes a crash would replay besides what this process wrote: `wal.written + walBase`. */
  private walBase = 0;
  private lastSnapshotBytes = 0;
  /** Blocks found corrupt at open (moved aside). */
  readonly corruptBlocks: Array<{ dir: string; reason: string }> = [];

  /** @internal samples WAL replay collects before applying them series by series (tests make it small). */
  static replayBatchSamples = 1 << 21;

  constructor(private readonly opts: DBOptions) {
    this.logger = opts.logger ?? silentLogger();
    this.metrics = new TsdbMetrics(opts.registry ?? new Registry(), this);
    this.blockRange = opts.blockRangeMs ?? DEFAULT_BLOCK_RANGE;
    this.head = new Head(this.blockRange);
    this.wal = new WAL(opts.dir, this.logger);
    this.lock = new DirLock(opts.dir);
    this.tombstones = new Tombstones(opts.dir);
  }

  get dir(): string {
    return this.opts.dir;
  }

  /** Takes the directory lock, opens the blocks, replays the WAL and opens it for writing. */
  open(): void {
    this.lock.acquire();
    const started = performance.now();
    const metas = this.scanBlocks();
    for (const m of metas) if (m.maxTime > this.lastBlockMaxT) this.lastBlockMaxT = m.maxTime;
    // WAL refs become series ids first, so ids logged before stay valid; blocks' series get ids after.
    const refMap: Array<MemSeries | undefined> = [];
    const segs = this.wal.segments();
    this.walReplay = { min: segs[0] ?? 0, max: segs[segs.length - 1] ?? 0, current: segs[0] ?? 0 };
    removeSnapshotLeftovers(this.dir);
    const from = this.loadHeadSnapshot();
    for (const s of this.catalog.values()) refMap[s.id] = s;
    const stats = this.replayWAL(refMap, from);
    this.replayStats = stats;
    this.metrics.walCorruptions.inc(stats.corruptions.length);
    for (const m of metas) this.attachBlock(join(this.dir, m.ulid));
    this.blocks.sort((a, b) => a.meta.minTime - b.meta.minTime);
    if (this.lastBlockMaxT > -Infinity && this.maxT < this.lastBlockMaxT - 1) this.maxT = this.lastBlockMaxT - 1;
    this.replayDurationMs = performance.now() - started;
    this.wal.openForWrite();
    // A loaded snapshot stays: with the WAL after it, it remains what a crash would restart from.
    this.headSnapshotLoaded = from !== undefined;
    this.walBase = stats.bytes;
    this.tombstones.load((labels) => this.catalog.lookup(labels)?.id);
    this.logger.info(
      {
        blocks: this.blocks.length,
        segments: stats.segments,
        records: stats.records,
        series: this.catalog.size,
        durationMs: Math.round(this.replayDurationMs),
      },
      from ? 'storage opened: blocks loaded, head snapshot loaded, WAL replayed after it' : 'storage opened: blocks loaded and WAL replayed',
    );
    const every = this.opts.maintenanceIntervalMs ?? 15_000;
    this.timer = setInterval(() => {
      try {
        this.maintain();
      } catch (e) {
        this.logger.error({ err: e }, 'storage maintenance failed');
      }
    }, every);
    this.timer.unref();
  }

  /**
   * Replays the WAL (after `from`, a head snapshot's position) into the head.
   * Its own method so the 2-million-sample batch's arrays die with it (a
   * closure of open() would keep them alive).
   */
  private replayWAL(refMap: Array<MemSeries | undefined>, from: WalPosition | undefined): ReplayStats {
    const batch = new ReplayBatch(DB.replayBatchSamples);
    const stats = this.wal.replay({
      series: (s) => {
        const { series } = this.catalog.getOrCreate(s.labels, s.ref);
        // Batched samples name their series by ref: apply them before a ref changes meaning.
        const had = refMap[s.ref];
        if (had !== undefined && had !== series) this.applyReplayBatch(batch, refMap);
        refMap[s.ref] = series;
      },
      samples: (refs, ts, vs, n) => {
        // Samples of unknown refs are dropped now; the rest are applied
        // series by series when the batch is full.
        const minT = this.lastBlockMaxT;
        for (let i = 0; i < n; i++) {
          const ref = refs[i]!;
          const t = ts[i]!;
          if (refMap[ref] === undefined || t < minT) continue;
          if (batch.n === batch.cap) this.applyReplayBatch(batch, refMap);
          batch.add(ref, t, vs[i]!);
          if (t > this.maxT) this.maxT = t;
          if (t < this.headMinT) this.headMinT = t;
        }
      },
      progress: (seg) => {
        this.walReplay.current = seg;
      },
    }, from);
    this.applyReplayBatch(batch, refMap);
    return stats;
  }

  /**
   * Appends a batch of replayed samples to the head series by series (each
   * series' samples in log order): a series' state and open row are touched
   * once per batch instead of once per sample, which is most of what replay
   * costs with many series (one samples record holds one sample of each of
   * thousands of series).
   */
  private applyReplayBatch(b: ReplayBatch, refMap: Array<MemSeries | undefined>): void {
    const n = b.n;
    if (n === 0) return;
    const refs = b.refs;
    let maxRef = 0;
    for (let i = 0; i < n; i++) if (refs[i]! > maxRef) maxRef = refs[i]!;
    if (b.counts.length < maxRef + 2) b.counts = new Uint32Array(maxRef + 2);
    const counts = b.counts;
    counts.fill(0, 0, maxRef + 2);
    for (let i = 0; i < n; i++) counts[refs[i]! + 1]!++;
    for (let ref = 1; ref <= maxRef + 1; ref++) counts[ref]! += counts[ref - 1]!;
    // Stable counting sort by ref: counts[ref] ends as the end of ref's run.
    const sT = b.sortedT;
    const sV = b.sortedV;
    const ts = b.ts;
    const vs = b.vs;
    for (let i = 0; i < n; i++) {
      const k = counts[refs[i]!]!++;
      sT[k] = ts[i]!;
      sV[k] = vs[i]!;
    }
    const head = this.head;
    let k = 0;
    for (let ref = 0; ref <= maxRef; ref++) {
      const end = counts[ref]!;
      if (k === end) continue;
      const s = refMap[ref]!;
      while (k < end) {
        k = head.appendRun(s, sT, sV, k, end);
        if (k === end) break;
        // Not newer than the series' last sample: out of order, or a repeat (dropped).
        const t = sT[k]!;
        if (t < s.lastT) head.appendOOO(s, t, sV[k]!);
        k++;
      }
    }
    b.n = 0;
  }

  /** Loads `head.snapshot` when there is a usable one; returns the WAL position to replay from. */
  private loadHeadSnapshot(): WalPosition | undefined {
    try {
      const st = readHeadSnapshot(this.dir, this.head, this.catalog);
      if (!st) return undefined;
      if (this.wal.checkpointUpTo() >= st.pos.segment) throw new Error('the WAL was checkpointed after the snapshot was written');
      this.maxT = st.maxT;
      this.headMinT = st.headMinT;
      this.lastSnapshotBytes = st.bytes;
      this.logger.info({ series: this.catalog.size, walSegment: st.pos.segment, walOffset: st.pos.offset }, 'head snapshot loaded');
      return st.pos;
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, 'head snapshot not used; replaying the whole WAL');
      this.catalog = new SeriesCatalog();
      this.head = new Head(this.blockRange);
      this.maxT = -Infinity;
      this.headMinT = Infinity;
      removeHeadSnapshot(this.dir);
      return undefined;
    }
  }

  /** Reads every block's meta, moving aside corrupt blocks and deleting leftovers of interrupted writes and compactions. */
  private scanBlocks(): Array<{ ulid: string; minTime: number; maxTime: number; parents: string[] }> {
    const out: Array<{ ulid: string; minTime: number; maxTime: number; parents: string[] }> = [];
    for (const f of readdirSync(this.dir)) {
      const p = join(this.dir, f);
      if (f.endsWith('.tmp') && isULID(f.slice(0, -4))) {
        rmSync(p, { recursive: true, force: true });
        continue;
      }
      if (!isULID(f)) continue;
      try {
        const m = readMeta(p);
        out.push({ ulid: f, minTime: m.minTime, maxTime: m.maxTime, parents: (m.compaction.parents ?? []).map((x) => x.ulid) });
      } catch (e) {
        this.quarantine(p, (e as Error).message);
      }
    }
    // A compaction that crashed after writing its result but before deleting its sources.
    const replaced = new Set(out.flatMap((m) => m.parents));
    for (const m of out.filter((x) => replaced.has(x.ulid))) {
      this.logger.info({ block: m.ulid }, 'deleting block already compacted into a newer one');
      rmSync(join(this.dir, m.ulid), { recursive: true, force: true });
    }
    return out.filter((x) => !replaced.has(x.ulid)).sort((a, b) => a.minTime - b.minTime);
  }

  private quarantine(dir: string, reason: string): void {
    this.logger.warn({ block: dir, reason }, 'corrupt block moved aside; its samples are not served');
    this.corruptBlocks.push({ dir, reason });
    this.metrics.blockCorruptions.inc();
    try {
      renameSync(dir, `${dir}.corrupt`);
    } catch {
      // leave it; it is skipped anyway
    }
  }

  /** Opens a block directory and maps its series into the catalog. */
  private attachBlock(dir: string): Block | undefined {
    let block: Block;
    let entries;
    try {
      block = new Block(dir);
      entries = readIndex(dir, block.meta.minTime, block.meta.maxTime, (n, v) => this.catalog.interner.pair(n, v));
    } catch (e) {
      if (e instanceof BlockCorruption) {
        this.quarantine(dir, e.message);
        return undefined;
      }
      throw e;
    }
    const ids = new Array<number>(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const { series } = this.catalog.getOrCreate(entries[i]!.labels);
      series.nblocks++;
      ids[i] = series.id;
    }
    block.setSeries(ids, entries);
    this.blocks.push(block);
    return block;
  }

  private detachBlock(b: Block): void {
    for (const id of b.ids) {
      const s = this.catalog.get(id);
      if (!s) continue;
      s.nblocks--;
      if (s.nblocks <= 0 && !s.inHead()) this.catalog.remove(s);
    }
    this.blocks = this.blocks.filter((x) => x !== b);
    setTimeout(() => b.close(), CLOSE_GRACE).unref();
    rmSync(b.dir, { recursive: true, force: true });
  }

  /** Periodic work: cut head blocks, compact, apply retention, checkpoint the WAL. */
  maintain(): void {
    if (this.closed) return;
    const cut = this.cutHeadBlocks();
    this.compact();
    this.applyRetention();
    if (cut) this.checkpoint();
    else this.maybeCheckpoint();
    this.maybeHeadSnapshot();
    this.metrics.update();
  }

  /**
   * Persists the oldest head window as a block while the head spans more
   * than 1.5 block ranges (so a window is only cut once samples for it have
   * stopped arriving); with `all`, persists every window (shutdown, tests).
   * Returns how many blocks were written.
   */
  cutHeadBlocks(all = false): number {
    let n = 0;
    while (this.headMinT !== Infinity && (all ? this.headMinT <= this.maxT : this.maxT - this.headMinT > this.blockRange * 1.5)) {
      const ws = this.head.windowOf(this.headMinT);
      this.persistWindow(ws);
      n++;
    }
    if (n) this.catalog.compactIndex();
    return n;
  }

  private persistWindow(ws: number): void {
    // The head snapshot still holds this window: it must not outlive the block.
    this.dropHeadSnapshot();
    const we = ws + this.blockRange;
    const started = performance.now();
    const w = new BlockWriter(this.dir, ws, we);
    try {
      for (const s of this.catalog.values()) {
        if (!s.inHead() || s.headMinT >= we) continue;
        const d = this.tombstones.filter(s.id, this.head.readWindow(s, ws));
        w.add(s.labels, d.ts, d.vs);
      }
    } catch (e) {
      w.abort();
      throw e;
    }
    const meta = w.finish();
    if (meta) this.attachBlock(join(this.dir, meta.ulid));
    this.blocks.sort((a, b) => a.meta.minTime - b.meta.minTime);
    for (const s of [...this.catalog.values()]) {
      if (!s.inHead() || s.headMinT >= we) continue;
      this.head.dropBefore(s, we);
      if (!s.inHead() && s.nblocks === 0) this.catalog.remove(s);
    }
    this.head.dropArenasBefore(we);
    this.headMinT = we;
    if (we > this.lastBlockMaxT) this.lastBlockMaxT = we;
    this.tombstones.forgetHeadBefore(we);
    const ms = performance.now() - started;
    this.metrics.compactions.inc({ kind: 'head' });
    this.metrics.compactionDuration.observe(ms / 1000);
    this.logger.info({ block: meta?.ulid, minTime: ws, maxTime: we, series: meta?.stats.numSeries ?? 0, samples: meta?.stats.numSamples ?? 0, durationMs: Math.round(ms) }, 'head window written to block');
  }

  /** Runs compaction plans until none is left; returns how many ran. */
  compact(): number {
    let n = 0;
    for (let guard = 0; guard < 100; guard++) {
      const plan = planCompaction(
        this.blocks.map((b) => b.meta),
        this.blockRange,
        this.opts.retentionMs ?? 0,
      );
      if (!plan) break;
      this.runCompaction(plan);
      n++;
    }
    return n;
  }

  private runCompaction(plan: CompactionPlan): void {
    const started = performance.now();
    const sources = this.blocks.filter((b) => plan.ulids.includes(b.ulid));
    const minTime = Math.min(...sources.map((b) => b.meta.minTime));
    const maxTime = Math.max(...sources.map((b) => b.meta.maxTime));
    const w = new BlockWriter(this.dir, minTime, maxTime, {
      level: Math.max(...sources.map((b) => b.meta.compaction.level)) + 1,
      sources: [...new Set(sources.flatMap((b) => b.meta.compaction.sources))],
      parents: sources.map((b) => ({ ulid: b.ulid, minTime: b.meta.minTime, maxTime: b.meta.maxTime })),
    });
    try {
      const ids = new Set<number>();
      for (const b of sources) for (const id of b.ids) ids.add(id);
      for (const id of [...ids].sort((a, b) => a - b)) {
        const s = this.catalog.get(id);
        if (!s) continue;
        let acc: { ts: Float64Array; vs: Float64Array } = { ts: new Float64Array(0), vs: new Float64Array(0) };
        for (const b of sources) {
          let d;
          try {
            d = b.read(id);
          } catch (e) {
            this.logger.warn({ block: b.ulid, series: id, err: (e as Error).message }, 'corrupt chunk skipped during compaction');
            this.metrics.blockCorruptions.inc();
            continue;
          }
          if (d) acc = mergeSorted(acc.ts, acc.vs, d);
        }
        acc = this.tombstones.filter(id, acc);
        w.add(s.labels, acc.ts, acc.vs);
      }
    } catch (e) {
      w.abort();
      throw e;
    }
    const meta = w.finish();
    if (meta) this.attachBlock(join(this.dir, meta.ulid));
    for (const b of sources) this.detachBlock(b);
    this.blocks.sort((a, b) => a.meta.minTime - b.meta.minTime);
    this.catalog.compactIndex();
    const ms = performance.now() - started;
    this.metrics.compactions.inc({ kind: plan.reason });
    this.metrics.compactionDuration.observe(ms / 1000);
    this.logger.info({ sources: plan.ulids, block: meta?.ulid, reason: plan.reason, durationMs: Math.round(ms) }, 'blocks compacted');
  }

  /** Deletes blocks past the time or size retention. */
  applyRetention(): void {
    const ret = this.opts.retentionMs ?? 0;
    if (ret > 0 && this.maxT > -Infinity) {
      for (const b of [...this.blocks]) {
        if (b.meta.maxTime <= this.maxT - ret) {
          this.logger.info({ block: b.ulid, reason: 'time' }, 'block deleted by retention');
          this.metrics.retentionDeleted.inc({ reason: 'time' });
          this.detachBlock(b);
        }
      }
    }
    const limit = this.opts.retentionBytes ?? 0;
    if (limit > 0) {
      let total = this.wal.bytes() + this.blocks.reduce((a, b) => a + b.bytes, 0);
      while (total > limit && this.blocks.length > 0) {
        const b = this.blocks[0]!;
        total -= b.bytes;
        this.logger.info({ block: b.ulid, reason: 'size' }, 'block deleted by retention');
        this.metrics.retentionDeleted.inc({ reason: 'size' });
        this.detachBlock(b);
      }
    }
  }

  /**
   * Checkpoints the WAL when it has grown past {@link CHECKPOINT_MIN_BYTES}
   * and to more than twice the head's own size.
   */
  maybeCheckpoint(): void {
    const walBytes = this.wal.bytes();
    if (walBytes < CHECKPOINT_MIN_BYTES) return;
    if (walBytes < 2 * (this.head.samples * 20 + this.catalog.size * 200)) return;
    this.checkpoint();
  }

  /** Writes a WAL checkpoint of the head now and drops the segments it covers; returns its size in bytes. */
  checkpoint(): number {
    // The snapshot names WAL segments the checkpoint deletes.
    this.dropHeadSnapshot();
    const started = performance.now();
    let samples = 0;
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
      for (const s of this.catalog.values()) {
        if (!s.inHead()) continue;
        series.push({ ref: s.id, labels: s.labels as WalSeries['labels'] });
        const d = this.head.read(s, -Infinity, Infinity);
        for (let i = 0; i < d.ts.length; i++) {
          if (n === BATCH) flush();
          refs[n] = s.id;
          ts[n] = d.ts[i]!;
          vs[n] = d.vs[i]!;
          n++;
        }
        samples += d.ts.length;
        if (series.length >= 1000) flush();
      }
      if (series.length || n) flush();
    });
    this.head.samples = samples;
    // A crash now replays the checkpoint: the next head snapshot is due by its size.
    this.walBase = bytes - this.wal.written;
    this.logger.info({ bytes, samples, durationMs: Math.round(performance.now() - started) }, 'WAL checkpoint written');
    return bytes;
  }

  private headSnapshotDue(): boolean {
    const every = this.opts.headSnapshotWalBytes ?? HEAD_SNAPSHOT_WAL_BYTES;
    return every > 0 && !this.snapWriting && this.wal.written + this.walBase >= Math.max(every, this.lastSnapshotBytes);
  }

  /**
   * Starts a head snapshot when enough WAL was written since the last one:
   * the head's state is captured now (series, open rows, group addresses;
   * ingestion waits for this part), its arena pages are written in the
   * background. A crash then replays the snapshot plus the WAL after its
   * position.
   */
  maybeHeadSnapshot(): void {
    if (this.closed || !this.headSnapshotDue()) return;
    const started = performance.now();
    const gen = ++this.snapGen;
    const pos = this.wal.position();
    const cap = captureHeadSnapshot(this.head, this.catalog, { pos, maxT: this.maxT, headMinT: this.headMinT });
    const captureMs = performance.now() - started;
    this.metrics.headSnapshotPause.observe(captureMs / 1000);
    this.walBase = -this.wal.written;
    // Earlier segments were fsynced when closed; the current one is before the snapshot is renamed into place.
    this.snapWriting = writeHeadSnapshotInBackground(this.dir, cap, () => gen === this.snapGen, this.wal.segmentPath(pos.segment))
      .then((bytes) => {
        if (bytes === undefined) {
          this.metrics.headSnapshots.inc({ result: 'dropped' });
          return;
        }
        this.lastSnapshotBytes = bytes;
        this.metrics.headSnapshots.inc({ result: 'written' });
        this.logger.info({ bytes, captureMs: Math.round(captureMs), durationMs: Math.round(performance.now() - started) }, 'head snapshot written');
      })
      .catch((e) => {
        this.metrics.headSnapshots.inc({ result: 'failed' });
        this.logger.warn({ err: (e as Error).message }, 'head snapshot failed; a crash now replays the WAL since the previous one');
      })
      .finally(() => {
        this.snapWriting = undefined;
      });
  }

  /** @internal resolves when no head snapshot is being written (tests). */
  async headSnapshotSettled(): Promise<void> {
    while (this.snapWriting) await this.snapWriting;
  }

  /** Makes the head snapshot (written or being written) unusable: before what it covers changes outside the WAL. */
  private dropHeadSnapshot(): void {
    this.snapGen++;
    deleteHeadSnapshot(this.dir);
    // The next one is due as soon as the WAL since this point is large enough.
    this.walBase = -this.wal.written;
    this.lastSnapshotBytes = 0;
  }

  appender(): Appender {
    return new HeadAppender(this);
  }

  seriesLabels(ref: number): Labels | undefined {
    return this.catalog.get(ref)?.labels;
  }

  /** @internal */
  minValidTime(): number {
    const byHead = this.maxT === -Infinity ? -Infinity : this.maxT - this.blockRange / 2;
    return Math.max(byHead, this.lastBlockMaxT);
  }

  /** @internal */
  outOfOrderWindow(): number {
    return this.opts.outOfOrderWindowMs ?? 0;
  }

  /** @internal writes the commit to the WAL, then makes it visible; `refs` is overwritten with the final ids. */
  commitBatch(newSeries: ReadonlyArray<{ labels: Labels; tmpRef: number }>, refs: Uint32Array, ts: Float64Array, vs: Float64Array, n: number): void {
    if (this.closed) throw new Error('storage is closed');
    const walSeries: WalSeries[] = [];
    const tmp = new Map<number, MemSeries>();
    for (const ns of newSeries) {
      const { series, created } = this.catalog.getOrCreate(ns.labels);
      if (created || !series.inHead()) walSeries.push({ ref: series.id, labels: series.labels as WalSeries['labels'] });
      tmp.set(ns.tmpRef, series);
    }
    const finalRefs = refs; // resolved in place: the appender is done with them
    for (let i = 0; i < n; i++) {
      const r = refs[i]!;
      const s = r >= TMP_BASE ? tmp.get(r)! : this.catalog.get(r)!;
      if (r < TMP_BASE && !s.inHead() && !tmp.has(-s.id)) {
        // A series known only from blocks comes back: log its labels first.
        walSeries.push({ ref: s.id, labels: s.labels as WalSeries['labels'] });
        tmp.set(-s.id, s);
      }
      finalRefs[i] = s.id;
    }
    this.wal.logRaw(walSeries, finalRefs, ts, vs, n);
    if (this.headSnapshotDue()) setImmediate(() => this.maybeHeadSnapshot());
    for (let i = 0; i < n; i++) {
      const s = this.catalog.get(finalRefs[i]!)!;
      const t = ts[i]!;
      if (t > s.lastT) this.head.append(s, t, vs[i]!);
      else this.head.appendOOO(s, t, vs[i]!);
      if (t > this.maxT) this.maxT = t;
      if (t < this.headMinT) this.headMinT = t;
    }
    this.metrics.samplesAppended.inc(n);
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    return new DBQuerier(this, mint, maxt);
  }

  /** @internal the newest sample's time. */
  maxTime(): number {
    return this.maxT;
  }

  async startTime(): Promise<number> {
    let min = Infinity;
    if (this.blocks.length) min = this.blocks[0]!.meta.minTime;
    for (const s of this.catalog.values()) if (s.inHead() && s.headMinT < min) min = s.headMinT;
    return min;
  }

  /** Number of series in the head. */
  headSeriesCount(): number {
    let n = 0;
    for (const s of this.catalog.values()) if (s.inHead()) n++;
    return n;
  }

  headStats(): HeadStats {
    let numSeries = 0;
    let minTime = Infinity;
    let chunks = 0;
    const pairs = new Set<unknown>();
    for (const s of this.catalog.values()) {
      if (!s.inHead()) continue;
      numSeries++;
      if (s.headMinT < minTime) minTime = s.headMinT;
      chunks += (s.wins?.length ?? 0) / 3 + (s.openN > 0 ? 1 : 0);
      for (const l of s.labels) pairs.add(l);
    }
    return { numSeries, chunkCount: chunks, minTime: numSeries ? minTime : this.maxT, maxTime: this.maxT, numLabelPairs: pairs.size };
  }

  /** Bytes on disk: blocks and WAL. */
  diskBytes(): { blocks: number; wal: number } {
    return { blocks: this.blocks.reduce((a, b) => a + b.bytes, 0), wal: this.wal.bytes() };
  }

  /**
   * Marks samples of matching series in [mint, maxt] deleted: they stop
   * being served at once; {@link cleanTombstones} rewrites the blocks.
   */
  deleteSeries(matchers: Matcher[], mint: number, maxt: number): number {
    const ids = this.catalog.select(matchers);
    const iv: Interval = { mint, maxt };
    for (const id of ids) this.tombstones.add(id, this.catalog.get(id)!.labels, iv);
    this.tombstones.save();
    return ids.length;
  }

  /** Rewrites the blocks that hold deleted samples without them. */
  cleanTombstones(): number {
    let rewritten = 0;
    for (const b of [...this.blocks]) {
      if (!this.tombstones.touches(b.ids, b.meta.minTime, b.meta.maxTime - 1)) continue;
      this.runCompaction({ ulids: [b.ulid], reason: 'tombstones' });
      rewritten++;
    }
    this.tombstones.forgetBlocksBefore(this.lastBlockMaxT, (id) => this.catalog.get(id)?.inHead() ?? false);
    this.tombstones.save();
    return rewritten;
  }

  /**
   * Writes a consistent copy of the storage to `dir`: every block, and
   * with `withHead` the head's samples as compacted blocks, like
   * Prometheus's snapshot. Runs synchronously, so no commit interleaves.
   */
  snapshot(dir: string, withHead: boolean): void {
    mkdirSync(dir, { recursive: true });
    for (const b of this.blocks) {
      const to = join(dir, b.ulid);
      mkdirSync(to, { recursive: true });
      for (const f of readdirSync(b.dir)) {
        try {
          linkSync(join(b.dir, f), join(to, f));
        } catch {
          copyFileSync(join(b.dir, f), join(to, f));
        }
      }
    }
    if (!withHead) return;
    for (const ws of this.headWindows()) {
      const w = new BlockWriter(dir, ws, ws + this.blockRange);
      for (const s of this.catalog.values()) {
        if (!s.inHead()) continue;
        const d = this.tombstones.filter(s.id, this.head.readWindow(s, ws));
        w.add(s.labels, d.ts, d.vs);
      }
      w.finish();
    }
  }

  private headWindows(): number[] {
    const out = new Set<number>();
    for (const s of this.catalog.values()) {
      if (!s.inHead()) continue;
      for (let ws = this.head.windowOf(s.headMinT); ws <= this.head.windowOf(Math.max(s.lastT, s.headMinT)); ws += this.blockRange) out.add(ws);
      if (s.ooo) for (let i = 0; i < s.ooo.n; i++) out.add(this.head.windowOf(s.ooo.ts[i]!));
    }
    return [...out].sort((a, b) => a - b);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.snapGen++;
    await this.snapWriting;
    const pos = this.wal.position();
    this.wal.close();
    if (this.opts.headSnapshotOnShutdown ?? true) {
      try {
        const started = performance.now();
        const bytes = writeHeadSnapshot(this.dir, this.head, this.catalog, { pos, maxT: this.maxT, headMinT: this.headMinT });
        this.logger.info({ bytes, durationMs: Math.round(performance.now() - started) }, 'head snapshot written');
      } catch (e) {
        this.logger.warn({ err: (e as Error).message }, 'head snapshot failed; the next start replays the whole WAL');
        removeHeadSnapshot(this.dir);
      }
    }
    for (const b of this.blocks) b.close();
    this.lock.release();
  }
}

export function blockDirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter(isULID);
}

/** Replayed samples waiting to be applied (WAL ref, time, value), with the sort's scratch arrays. */
class ReplayBatch {
  n = 0;
  readonly refs: Uint32Array;
  readonly ts: Float64Array;
  readonly vs: Float64Array;
  readonly sortedT: Float64Array;
  readonly sortedV: Float64Array;
  counts = new Uint32Array(1024);

  constructor(readonly cap: number) {
    this.refs = new Uint32Array(cap);
    this.ts = new Float64Array(cap);
    this.vs = new Float64Array(cap);
    this.sortedT = new Float64Array(cap);
    this.sortedV = new Float64Array(cap);
  }

  add(ref: number, t: number, v: number): void {
    const i = this.n++;
    this.refs[i] = ref;
    this.ts[i] = t;
    this.vs[i] = v;
  }
}
