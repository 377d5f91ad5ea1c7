import { SnapshotFile } from '../snapshot.ts';
import { isResolved, type Alert, type Clock } from '../types.ts';
import type { NotifyContext } from '../notify/index.ts';
import type { Stage } from '../notify/index.ts';

/** An acknowledgement of an alert group; `firing` is the group's firing set when acknowledged. */
export interface Ack {
  groupKey: string;
  by: string;
  comment: string;
  at: number;
  firing: string[];
}

/**
 * Acknowledgements (beyond Alertmanager): an acknowledged group gets no
 * repeat notifications while its firing alerts stay a subset of those
 * acknowledged. A new firing alert clears the ack and notifies; resolutions
 * still notify. Persisted as a snapshot (`acks.json`) on every change.
 */
export class Acks {
  private readonly acks = new Map<string, Ack>();
  private readonly file: SnapshotFile<Ack>;

  constructor(
    private readonly clock: Clock,
    path?: string,
    private readonly onClear?: (a: Ack, reason: string) => void,
  ) {
    this.file = new SnapshotFile(path);
    for (const a of this.file.read()) this.acks.set(a.groupKey, a);
  }

  ack(groupKey: string, firing: string[], by: string, comment: string): Ack {
    const a: Ack = { groupKey, by, comment, at: this.clock.now(), firing: [...firing].sort() };
    this.acks.set(groupKey, a);
    this.save();
    return a;
  }

  /** Removes an ack; false when there was none. */
  clear(groupKey: string, reason = 'removed'): boolean {
    const a = this.acks.get(groupKey);
    if (!a) return false;
    this.acks.delete(groupKey);
    this.save();
    this.onClear?.(a, reason);
    return true;
  }

  get(groupKey: string): Ack | undefined {
    return this.acks.get(groupKey);
  }

  list(): Ack[] {
    return [...this.acks.values()];
  }

  private save(): void {
    this.file.write([...this.acks.values()]);
  }
}

/** The pipeline stage applying {@link Acks}; runs after the silence stage. */
export class AckStage implements Stage {
  constructor(private readonly acks: Acks) {}

  async exec(ctx: NotifyContext, alerts: readonly Alert[]): Promise<readonly Alert[]> {
    const a = this.acks.get(ctx.groupKey);
    if (!a) return alerts;
    const acked = new Set(a.firing);
    const firing = alerts.filter((x) => !isResolved(x, ctx.now));
    if (firing.length === 0) {
      this.acks.clear(ctx.groupKey, 'resolved');
      return alerts;
    }
    if (firing.some((x) => !acked.has(x.fingerprint))) {
      this.acks.clear(ctx.groupKey, 'group changed');
      return alerts;
    }
    // Still only acknowledged alerts firing: pass resolutions on, hold repeats back.
    return alerts.length > firing.length ? alerts : [];
  }
}
