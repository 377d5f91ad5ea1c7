import { isResolved, mergeAlerts, type Alert, type Clock } from '../types.ts';

/** Receives every alert stored, after merging; called synchronously within `put`. */
export type AlertListener = (a: Alert) => void;

/**
 * The alert store the API and rules write to and the dispatcher and
 * inhibitor read from (Alertmanager's provider.Alerts). Safe to use from
 * any callback: everything is synchronous within one event-loop turn.
 */
export interface AlertStore {
  /** Stores alerts, merging with a stored copy of the same fingerprint when they overlap. */
  put(...alerts: Alert[]): void;
  get(fingerprint: string): Alert | undefined;
  /** Every stored alert, in no particular order. */
  list(): Alert[];
  /** Calls `fn` with every stored alert now and every later put; returns an unsubscribe function. */
  subscribe(fn: AlertListener): () => void;
  readonly size: number;
}

/**
 * In-memory {@link AlertStore}. Resolved alerts are dropped by
 * {@link MemAlertStore.gc}, which the owner calls periodically (Alertmanager
 * runs it every 30 minutes).
 */
export class MemAlertStore implements AlertStore {
  private readonly alerts = new Map<string, Alert>();
  private readonly listeners = new Set<AlertListener>();

  constructor(private readonly clock: Clock) {}

  put(...alerts: Alert[]): void {
    const now = this.clock.now();
    for (let a of alerts) {
      const old = this.alerts.get(a.fingerprint);
      // Merge only when the two overlap in time (provider/mem/mem.go Put).
      if (old && ((a.endsAt >= old.startsAt && a.endsAt <= old.endsAt) || (a.startsAt >= old.startsAt && a.startsAt <= old.endsAt))) {
        a = mergeAlerts(old, a, now);
      }
      this.alerts.set(a.fingerprint, a);
      for (const l of this.listeners) l(a);
    }
  }

  get(fp: string): Alert | undefined {
    return this.alerts.get(fp);
  }

  list(): Alert[] {
    return [...this.alerts.values()];
  }

  get size(): number {
    return this.alerts.size;
  }

  subscribe(fn: AlertListener): () => void {
    for (const a of this.alerts.values()) fn(a);
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Drops resolved alerts; returns those removed. */
  gc(): Alert[] {
    const now = this.clock.now();
    const gone: Alert[] = [];
    for (const [fp, a] of this.alerts) if (isResolved(a, now)) {
      this.alerts.delete(fp);
      gone.push(a);
    }
    return gone;
  }
}
