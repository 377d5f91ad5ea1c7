import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What the metrics read from the storage when scraped. */
export interface TsdbStatsSource {
  headSeriesCount(): number;
  diskBytes(): { blocks: number; wal: number };
  readonly blocks: readonly unknown[];
  readonly head: { bytes(): number; samples: number };
}

/** The TSDB's self-metrics (`vigil_tsdb_*`), registered on the registry it is given. */
export class TsdbMetrics {
  readonly headSeries: Gauge;
  readonly headSamples: Gauge;
  readonly headBytes: Gauge;
  readonly samplesAppended: Counter;
  readonly rejected: Counter<'reason'>;
  readonly walCorruptions: Counter;
  readonly blockCorruptions: Counter;
  readonly walBytes: Gauge;
  readonly blockBytes: Gauge;
  readonly blocks: Gauge;
  readonly compactions: Counter<'kind'>;
  readonly compactionDuration: Histogram;
  readonly retentionDeleted: Counter<'reason'>;
  readonly headSnapshots: Counter<'result'>;
  readonly headSnapshotPause: Histogram;

  constructor(registry: Registry, db?: TsdbStatsSource) {
    const registers = [registry];
    const disk = () => db?.diskBytes() ?? { blocks: 0, wal: 0 };
    this.headSeries = new Gauge({
      name: 'vigil_tsdb_head_series',
      help: 'Series in the head block.',
      registers,
      collect() {
        if (db) this.set(db.headSeriesCount());
      },
    });
    this.headSamples = new Gauge({
      name: 'vigil_tsdb_head_samples',
      help: 'Samples held in the head.',
      registers,
      collect() {
        if (db) this.set(db.head.samples);
      },
    });
    this.headBytes = new Gauge({
      name: 'vigil_tsdb_head_chunks_bytes',
      help: 'Bytes of memory holding the head samples (open rows and encoded groups).',
      registers,
      collect() {
        if (db) this.set(db.head.bytes());
      },
    });
    this.samplesAppended = new Counter({ name: 'vigil_tsdb_head_samples_appended_total', help: 'Samples committed to the head.', registers });
    this.rejected = new Counter({
      name: 'vigil_tsdb_rejected_samples_total',
      help: 'Samples refused by the storage, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.walCorruptions = new Counter({ name: 'vigil_tsdb_wal_corruptions_total', help: 'WAL corruptions found and cut off at start-up.', registers });
    this.blockCorruptions = new Counter({ name: 'vigil_tsdb_block_corruptions_total', help: 'Corrupt blocks moved aside at start-up and corrupt chunks skipped while reading.', registers });
    this.walBytes = new Gauge({
      name: 'vigil_tsdb_wal_storage_size_bytes',
      help: 'Size of the write-ahead log on disk.',
      registers,
      collect() {
        this.set(disk().wal);
      },
    });
    this.blockBytes = new Gauge({
      name: 'vigil_tsdb_storage_blocks_bytes',
      help: 'Bytes the persisted blocks take on disk.',
      registers,
      collect() {
        this.set(disk().blocks);
      },
    });
    this.blocks = new Gauge({
      name: 'vigil_tsdb_blocks_loaded',
      help: 'Persisted blocks loaded.',
      registers,
      collect() {
        if (db) this.set(db.blocks.length);
      },
    });
    this.compactions = new Counter({
      name: 'vigil_tsdb_compactions_total',
      help: 'Compactions run: head (a head window written to a block), level, overlap, tombstones.',
      labelNames: ['kind'],
      registers,
    });
    this.compactionDuration = new Histogram({
      name: 'vigil_tsdb_compaction_duration_seconds',
      help: 'Duration of compactions (head windows written to blocks included).',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.retentionDeleted = new Counter({
      name: 'vigil_tsdb_retention_deleted_blocks_total',
      help: 'Blocks deleted by retention, by reason (time, size).',
      labelNames: ['reason'],
      registers,
    });
    this.headSnapshots = new Counter({
      name: 'vigil_tsdb_head_snapshots_total',
      help: 'Head snapshots by result: written, failed, or dropped (made stale by a checkpoint, block cut or shutdown while being written).',
      labelNames: ['result'],
      registers,
    });
    this.headSnapshotPause = new Histogram({
      name: 'vigil_tsdb_head_snapshot_capture_seconds',
      help: 'Time ingestion waits while a running head snapshot captures the head state (the file is then written in the background).',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
  }

  /** Nothing to push: gauges are read at collection. */
  update(): void {}
}
