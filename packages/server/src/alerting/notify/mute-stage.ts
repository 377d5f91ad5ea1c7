import type { TimeIntervalConfig } from '../config/index.ts';
import { inIntervals } from '../timeinterval/index.ts';
import type { Alert, LabelSet } from '../types.ts';
import type { NotifyContext } from './notifier.ts';
import type { Stage } from './stage.ts';

/** "Is this label set muted?": implemented by the inhibitor and the silences alike. */
export interface Muter {
  mutes(ls: LabelSet): boolean;
}

/** Drops muted alerts (Alertmanager notify.MuteStage). */
export class MuteStage implements Stage {
  constructor(
    private readonly muter: Muter,
    private readonly onMuted?: (a: Alert) => void,
  ) {}

  async exec(_ctx: NotifyContext, alerts: readonly Alert[]): Promise<readonly Alert[]> {
    return alerts.filter((a) => {
      if (!this.muter.mutes(a.labels)) return true;
      this.onMuted?.(a);
      return false;
    });
  }
}

/** Drops the whole notification while now is inside one of the route's mute_time_intervals. */
export class TimeMuteStage implements Stage {
  constructor(private readonly intervals: ReadonlyMap<string, TimeIntervalConfig>) {}

  async exec(ctx: NotifyContext, alerts: readonly Alert[]): Promise<readonly Alert[]> {
    return inIntervals(ctx.muteTimeIntervals, this.intervals, ctx.now) ? [] : alerts;
  }
}

/** Drops the whole notification while now is outside all of the route's active_time_intervals (if any). */
export class TimeActiveStage implements Stage {
  constructor(private readonly intervals: ReadonlyMap<string, TimeIntervalConfig>) {}

  async exec(ctx: NotifyContext, alerts: readonly Alert[]): Promise<readonly Alert[]> {
    if (ctx.activeTimeIntervals.length === 0) return alerts;
    return inIntervals(ctx.activeTimeIntervals, this.intervals, ctx.now) ? alerts : [];
  }
}
