import type { QueryEngine } from '../../promql/types.ts';
import type { Queryable } from '../../storage/index.ts';
import type { Matcher } from '@vigil/core';

/** Build facts served by `/api/v1/status/buildinfo`. */
export interface BuildInfo {
  version: string;
  revision: string;
  branch: string;
  buildUser: string;
  buildDate: string;
  goVersion: string;
}

/** One entry of `/api/v1/targets`' `activeTargets`, in Prometheus's shape. */
export interface ActiveTargetView {
  discoveredLabels: Record<string, string>;
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl: string;
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  health: 'up' | 'down' | 'unknown';
  scrapeInterval: string;
  scrapeTimeout: string;
}

export interface DroppedTargetView {
  discoveredLabels: Record<string, string>;
  scrapePool?: string;
}

/** Metric metadata as scraped (`# TYPE`, `# HELP`, `# UNIT`). */
export interface MetricMetadataView {
  target?: Record<string, string>;
  metric?: string;
  type: string;
  help: string;
  unit: string;
}

/**
 * What the Prometheus API needs from the rest of the server. Narrow
 * functions rather than subsystems, so `api/` depends on no concrete class.
 */
export interface ApiV1Deps {
  engine: QueryEngine;
  queryable: Queryable;
  /** Parses a series selector (`up{job="x"}`) into matchers; throws a PromQLParseError. */
  parseSelector: (s: string) => Matcher[];
  /** Parses and pretty-prints an expression (`/api/v1/format_query`); throws a PromQLParseError. */
  formatQuery: (s: string) => string;
  /** Parses an expression into the JSON tree of `/api/v1/parse_query`; throws a PromQLParseError. */
  parseQuery: (s: string) => unknown;
  /** Current time in ms (injected for tests). */
  now: () => number;
  lookbackDelta: number;
  targets: () => { activeTargets: ActiveTargetView[]; droppedTargets: DroppedTargetView[] };
  /** Per-target metadata (for `/api/v1/targets/metadata`) — empty when unknown. */
  targetMetadata: () => MetricMetadataView[];
  /** The loaded configuration's YAML text. */
  configYAML: () => string;
  flags: () => Record<string, string>;
  buildInfo: BuildInfo;
  runtimeInfo: () => Record<string, unknown>;
  /** The embedded storage's status and admin surface; absent for other storages. */
  tsdb?: TsdbApi;
  /** Alertmanagers the notifier sends to (for `/api/v1/alertmanagers`). */
  alertmanagers: () => { activeAlertmanagers: Array<{ url: string }>; droppedAlertmanagers: Array<{ url: string }> };
}

/** What `/api/v1/status/tsdb`, `/status/walreplay` and `/admin/tsdb/*` need from the storage. */
export interface TsdbApi {
  /** `--web.enable-admin-api`. */
  adminEnabled: boolean;
  status(limit: number): unknown;
  walReplay(): { min: number; max: number; current: number };
  deleteSeries(matcherSets: Matcher[][], mint: number, maxt: number): void;
  cleanTombstones(): void;
  /** Writes a snapshot and returns its name. */
  snapshot(skipHead: boolean): string;
}
