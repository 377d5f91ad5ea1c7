import { Counter, Gauge, type Registry } from 'prom-client';

/** The TSDB's self-metrics, registered on the registry it is given. */
export class TsdbMetrics {
  readonly headSeries: Gauge;
  readonly samplesAppended: Counter;
  readonly rejected: Counter<'reason'>;
  readonly walCorruptions: Counter;
  readonly walBytes: Gauge;
  readonly retentionDropped: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.headSeries = new Gauge({ name: 'vigil_tsdb_head_series', help: 'Series in the head block.', registers });
    this.samplesAppended = new Counter({ name: 'vigil_tsdb_head_samples_appended_total', help: 'Samples committed to the head.', registers });
    this.rejected = new Counter({
      name: 'vigil_tsdb_rejected_samples_total',
      help: 'Samples refused by the storage, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.walCorruptions = new Counter({ name: 'vigil_tsdb_wal_corruptions_total', help: 'WAL corruptions found and cut off at start-up.', registers });
    this.walBytes = new Gauge({ name: 'vigil_tsdb_wal_storage_size_bytes', help: 'Size of the write-ahead log on disk.', registers });
    this.retentionDropped = new Counter({
      name: 'vigil_tsdb_retention_dropped_samples_total',
      help: 'Samples dropped because they fell out of the retention window.',
      registers,
    });
  }
}
