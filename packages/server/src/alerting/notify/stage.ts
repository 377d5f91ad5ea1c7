import type { Alert } from '../types.ts';
import type { NotifyContext } from './notifier.ts';

/**
 * One step of the notification pipeline (Alertmanager notify.Stage): takes
 * alerts, returns the ones to pass on (maybe none). May update `ctx`.
 * Rejects to abort the notification; the dispatcher logs and retries at the
 * next group_interval.
 */
export interface Stage {
  exec(ctx: NotifyContext, alerts: readonly Alert[]): Promise<readonly Alert[]>;
}

/** Runs stages in order, stopping when one returns no alerts. */
export class MultiStage implements Stage {
  constructor(private readonly stages: readonly Stage[]) {}

  async exec(ctx: NotifyContext, alerts: readonly Alert[]): Promise<readonly Alert[]> {
    let cur = alerts;
    for (const s of this.stages) {
      if (cur.length === 0) return cur;
      cur = await s.exec(ctx, cur);
    }
    return cur;
  }
}

/**
 * Runs stages concurrently, each on its own copy of the context; rejects
 * with the first error after all have finished (so one failing integration
 * does not stop the others).
 */
export class FanoutStage implements Stage {
  constructor(private readonly stages: readonly Stage[]) {}

  async exec(ctx: NotifyContext, alerts: readonly Alert[]): Promise<readonly Alert[]> {
    const rs = await Promise.allSettled(this.stages.map((s) => s.exec({ ...ctx }, alerts)));
    const bad = rs.find((r) => r.status === 'rejected');
    if (bad) throw (bad as PromiseRejectedResult).reason;
    return alerts;
  }
}

/** Picks the per-receiver stage by `ctx.receiver`. */
export class RoutingStage implements Stage {
  constructor(private readonly byReceiver: ReadonlyMap<string, Stage>) {}

  async exec(ctx: NotifyContext, alerts: readonly Alert[]): Promise<readonly Alert[]> {
    const s = this.byReceiver.get(ctx.receiver);
    if (!s) throw new Error(`stage for receiver missing: ${ctx.receiver}`);
    return s.exec(ctx, alerts);
  }
}
