import type { NflogEntry, NotificationLog } from '../nflog/index.ts';
import { isResolved, type Alert } from '../types.ts';
import type { NotifyContext } from './notifier.ts';
import type { Stage } from './stage.ts';

/**
 * Passes the alerts on only when the receiver integration has not been told
 * this already (Alertmanager notify.DedupStage): new firing alerts, newly
 * resolved ones (with send_resolved), everything resolved, or repeat_interval
 * elapsed since the last notification.
 */
export class DedupStage implements Stage {
  constructor(
    private readonly nflog: NotificationLog,
    private readonly receiverKey: string,
    private readonly sendResolved: boolean,
  ) {}

  async exec(ctx: NotifyContext, alerts: readonly Alert[]): Promise<readonly Alert[]> {
    const firing: string[] = [];
    const resolved: string[] = [];
    for (const a of alerts) (isResolved(a, ctx.now) ? resolved : firing).push(a.fingerprint);
    ctx.firing = firing;
    ctx.resolved = resolved;
    const entry = this.nflog.query(this.receiverKey, ctx.groupKey);
    return this.needsUpdate(entry, firing, resolved, ctx) ? alerts : [];
  }

  private needsUpdate(entry: NflogEntry | undefined, firing: string[], resolved: string[], ctx: NotifyContext): boolean {
    if (!entry) return firing.length > 0;
    const prevFiring = new Set(entry.firing);
    if (!firing.every((f) => prevFiring.has(f))) return true;
    // All resolved: notify (even without send_resolved) so the log forgets the
    // firing set, unless the receiver never heard of any of them.
    if (firing.length === 0) return entry.firing.length > 0;
    const prevResolved = new Set(entry.resolved);
    if (this.sendResolved && !resolved.every((r) => prevResolved.has(r))) return true;
    return entry.timestamp < ctx.now - ctx.repeatInterval;
  }
}
