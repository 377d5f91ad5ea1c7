/** An alert in Alertmanager API v2's `postableAlert` JSON shape (times RFC 3339). */
export interface PostableAlertJSON {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

/**
 * The in-process alert router as the notifier sees it (the alerting
 * subsystem's `put`). Structural, so `notifier/` does not import `alerting/`.
 */
export interface LocalAlertReceiver {
  put(alerts: readonly PostableAlertJSON[]): unknown;
}

import type { CompiledRelabel } from '../model/relabel/index.ts';

/** One external Alertmanager endpoint. */
export interface AlertmanagerTarget {
  /** That Alertmanager's own `alert_relabel_configs`. */
  relabel?: CompiledRelabel[];
  /** Full URL of the v2 alerts endpoint, e.g. `http://am:9093/prefix/api/v2/alerts`. */
  url: string;
  /** Per-request timeout, ms. */
  timeout: number;
  headers: Record<string, string>;
}
