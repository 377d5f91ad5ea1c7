import type { Logger } from '@vigil/core';

/** Everything `vigil start` can be told; durations in ms, sizes in bytes. */
export interface VigilOptions {
  /** Prometheus configuration file; when absent the built-in config is used. */
  configFile?: string;
  /** `host:port`; port 0 picks a free port (tests). */
  listenAddress: string;
  externalUrl?: string;
  storagePath: string;
  retentionTime: number;
  retentionSize: number;
  outOfOrderWindow: number;
  /** WAL bytes between running head snapshots (at least the last snapshot's size); 0: only at shutdown. */
  headSnapshotWalSize: number;
  /** Time range of the blocks the head is cut into (Prometheus's hidden `--storage.tsdb.min-block-duration`). */
  minBlockDuration: number;
  enableLifecycle: boolean;
  enableAdminApi: boolean;
  enableRemoteWriteReceiver: boolean;
  lookbackDelta: number;
  queryTimeout: number;
  queryMaxSamples: number;
  queryMaxConcurrency: number;
  forOutageTolerance: number;
  forGracePeriod: number;
  resendDelay: number;
  alertmanagerConfigFile?: string;
  alertmanagerStoragePath?: string;
  /** Run the bundled demo service (only without `configFile`). */
  demo: boolean;
  logger: Logger;
  /** Flag values as typed, for `/api/v1/status/flags`. */
  flags: Record<string, string>;
  /** Built UI directory; defaults to the @vigil/ui package's `dist`. */
  uiDir?: string;
}

/** Defaults equal to the CLI's; tests override what they need. */
export function defaultOptions(logger: Logger, overrides: Partial<VigilOptions> = {}): VigilOptions {
  return {
    listenAddress: '0.0.0.0:9090',
    storagePath: 'data/',
    retentionTime: 15 * 24 * 3600_000,
    retentionSize: 0,
    outOfOrderWindow: 0,
    headSnapshotWalSize: 128 * 1024 * 1024,
    minBlockDuration: 2 * 3600_000,
    enableLifecycle: false,
    enableAdminApi: false,
    enableRemoteWriteReceiver: false,
    lookbackDelta: 5 * 60_000,
    queryTimeout: 2 * 60_000,
    queryMaxSamples: 50_000_000,
    queryMaxConcurrency: 20,
    forOutageTolerance: 3600_000,
    forGracePeriod: 10 * 60_000,
    resendDelay: 60_000,
    demo: false,
    logger,
    flags: {},
    ...overrides,
  };
}

/** Splits `host:port` / `[::1]:port` / `:port`. */
export function splitHostPort(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  if (!m) throw new Error(`invalid listen address ${JSON.stringify(addr)}: want host:port`);
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port: Number(m[3]) };
}
