import type { NotificationLog } from '../nflog/index.ts';
import type { Alert } from '../types.ts';
import type { NotifyContext } from './notifier.ts';
import type { Stage } from './stage.ts';

/** Records a delivered notification in the nflog (Alertmanager notify.SetNotifiesStage). */
export class SetNotifiesStage implements Stage {
  constructor(
    private readonly nflog: NotificationLog,
    private readonly receiverKey: string,
  ) {}

  async exec(ctx: NotifyContext, alerts: readonly Alert[]): Promise<readonly Alert[]> {
    // Kept twice the repeat interval, as Alertmanager's retention for the entry.
    this.nflog.log(this.receiverKey, ctx.groupKey, ctx.firing ?? [], ctx.resolved ?? [], Math.max(ctx.repeatInterval * 2, 3600_000));
    return alerts;
  }
}
