import type { FlagSpec } from './flags.ts';

/** Flags of `vigil start`, spelled as Prometheus's server flags where one exists. */
export const START_FLAGS: readonly FlagSpec[] = [
  { name: 'config.file', kind: 'string', default: '', help: 'Prometheus configuration file path; without it Vigil scrapes itself and a built-in demo service' },
  { name: 'web.listen-address', kind: 'string', default: '0.0.0.0:9090', help: 'Address to listen on for UI, API, and telemetry' },
  { name: 'web.external-url', kind: 'string', default: '', help: 'The URL under which Vigil is externally reachable' },
  { name: 'web.enable-lifecycle', kind: 'bool', default: 'false', help: 'Enable shutdown and reload via HTTP request' },
  { name: 'web.enable-admin-api', kind: 'bool', default: 'false', help: 'Enable API endpoints for admin control actions' },
  { name: 'web.enable-remote-write-receiver', kind: 'bool', default: 'false', help: 'Enable API endpoint accepting remote write requests' },
  { name: 'storage.tsdb.path', kind: 'string', default: 'data/', help: 'Base path for metrics storage' },
  { name: 'storage.tsdb.retention.time', kind: 'duration', default: '15d', help: 'How long to retain samples in storage' },
  { name: 'storage.tsdb.retention.size', kind: 'bytes', default: '0B', help: 'Maximum number of bytes that can be stored for blocks (0 = no limit)' },
  { name: 'storage.tsdb.min-block-duration', kind: 'duration', default: '2h', help: 'Time range of the blocks the in-memory head is cut into (larger blocks come from compaction)' },
  { name: 'storage.tsdb.head-snapshot-wal-size', kind: 'bytes', default: '128MB', help: 'Write the head to head.snapshot in the background each time this much WAL (and at least the last snapshot\'s size) was written since the last one, so a crash replays at most about that much WAL (0 = only at shutdown)' },
  { name: 'storage.tsdb.out-of-order-window', kind: 'duration', default: '0s', help: 'How far back out-of-order samples are accepted' },
  { name: 'query.lookback-delta', kind: 'duration', default: '5m', help: 'The maximum lookback duration for retrieving metrics during expression evaluations' },
  { name: 'query.timeout', kind: 'duration', default: '2m', help: 'Maximum time a query may take before being aborted' },
  { name: 'query.max-concurrency', kind: 'int', default: '20', help: 'Maximum number of queries executed concurrently' },
  { name: 'query.max-samples', kind: 'int', default: '50000000', help: 'Maximum number of samples a single query can load into memory' },
  { name: 'rules.alert.for-outage-tolerance', kind: 'duration', default: '1h', help: "Max time to tolerate Vigil outage for restoring 'for' state of alert" },
  { name: 'rules.alert.for-grace-period', kind: 'duration', default: '10m', help: "Minimum duration between alert and restored 'for' state" },
  { name: 'rules.alert.resend-delay', kind: 'duration', default: '1m', help: 'Minimum amount of time to wait before resending an alert to Alertmanager' },
  { name: 'alertmanager.config.file', kind: 'string', default: '', help: 'Run the built-in alert router with this alertmanager.yml' },
  { name: 'alertmanager.storage.path', kind: 'string', default: '', help: 'Where the built-in alert router keeps silences and its notification log (default: <storage.tsdb.path>/alertmanager)' },
  { name: 'demo', kind: 'bool', default: 'true', help: 'Run the built-in demo service when no --config.file is given' },
  { name: 'log.level', kind: 'string', default: 'info', help: 'Only log messages with the given severity or above: debug, info, warn, error' },
  { name: 'log.format', kind: 'string', default: 'json', help: 'Output format of log messages: json' },
];
