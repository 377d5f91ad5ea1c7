import type { Logger } from '@vigil/core';
import { compareAlerts, isResolved, type Alert, type Clock, type LabelSet } from '../types.ts';
import type { Route } from './route.ts';

/** Sends one flush of a group; resolves true when every integration delivered. */
export type FlushFn = (group: AggrGroup, alerts: readonly Alert[], signal: AbortSignal) => Promise<boolean>;

/**
 * The alerts of one route sharing the same group labels, with
 * Alertmanager's timers: the first flush group_wait after creation (or at
 * once for an alert older than group_wait), then every group_interval.
 * Resolved alerts leave the group after a successful flush that carried them.
 */
export class AggrGroup {
  readonly alerts = new Map<string, Alert>();
  private timer: unknown;
  private hasFlushed = false;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    readonly route: Route,
    readonly labels: LabelSet,
    readonly groupKey: string,
    private readonly clock: Clock,
    private readonly flushFn: FlushFn,
    private readonly logger: Logger,
  ) {}

  /** Starts the group_wait timer. */
  run(): void {
    this.schedule(this.route.opts.group_wait);
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
  }

  insert(a: Alert): void {
    this.alerts.set(a.fingerprint, a);
    // An alert that has already waited group_wait is flushed right away.
    if (!this.hasFlushed && a.startsAt + this.route.opts.group_wait <= this.clock.now()) this.schedule(0);
  }

  empty(): boolean {
    return this.alerts.size === 0;
  }

  private schedule(ms: number): void {
    this.clock.clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => this.tick(), ms);
  }

  private tick(): void {
    // The next tick is scheduled before flushing, as Alertmanager's run loop
    // does; a tick arriving during a slow flush waits for it.
    this.schedule(this.route.opts.group_interval);
    this.hasFlushed = true;
    this.running = this.running.then(() => this.flush()).catch((err) => this.logger.error({ err: String(err), groupKey: this.groupKey }, 'flush failed'));
  }

  private async flush(): Promise<void> {
    if (this.stopped || this.alerts.size === 0) return;
    const now = this.clock.now();
    const out: Alert[] = [];
    const resolved: Alert[] = [];
    for (const a of this.alerts.values()) {
      if (isResolved(a, now)) {
        resolved.push(a);
        out.push(a);
      } else out.push({ ...a, endsAt: 0 }); // firing alerts carry no end time in notifications
    }
    out.sort(compareAlerts);
    const ac = new AbortController();
    const deadline = this.clock.setTimeout(() => ac.abort(), this.route.opts.group_interval);
    let ok = false;
    try {
      ok = await this.flushFn(this, out, ac.signal);
    } finally {
      this.clock.clearTimeout(deadline);
    }
    if (!ok) return;
    for (const r of resolved) if (this.alerts.get(r.fingerprint) === r) this.alerts.delete(r.fingerprint);
  }
}
