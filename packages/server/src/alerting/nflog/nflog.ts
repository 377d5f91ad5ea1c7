import { SnapshotFile } from '../snapshot.ts';
import type { Clock } from '../types.ts';

/** What was last sent for one (receiver integration, group). Times in ms. */
export interface NflogEntry {
  receiver: string;
  groupKey: string;
  firing: string[];
  resolved: string[];
  timestamp: number;
  expiresAt: number;
}

/**
 * The notification log (Alertmanager's nflog): the last notification per
 * receiver integration and group key, consulted by the dedup stage so that
 * nothing is re-sent inside repeat_interval. Every `log` call rewrites the
 * snapshot, so a restart (even after `kill -9`) remembers what was sent.
 */
export class NotificationLog {
  private readonly entries = new Map<string, NflogEntry>();
  private readonly file: SnapshotFile<NflogEntry>;

  constructor(
    private readonly clock: Clock,
    snapshotPath?: string,
  ) {
    this.file = new SnapshotFile(snapshotPath);
    const now = clock.now();
    for (const e of this.file.read()) if (e.expiresAt > now) this.entries.set(key(e.receiver, e.groupKey), e);
  }

  query(receiver: string, groupKey: string): NflogEntry | undefined {
    return this.entries.get(key(receiver, groupKey));
  }

  /** Records a sent notification; `retention` ms later the entry may be dropped. */
  log(receiver: string, groupKey: string, firing: string[], resolved: string[], retention: number): void {
    const now = this.clock.now();
    this.entries.set(key(receiver, groupKey), { receiver, groupKey, firing, resolved, timestamp: now, expiresAt: now + retention });
    this.gc();
    this.file.write([...this.entries.values()]);
  }

  /** Drops expired entries. */
  gc(): void {
    const now = this.clock.now();
    for (const [k, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(k);
  }

  get size(): number {
    return this.entries.size;
  }
}

function key(receiver: string, groupKey: string): string {
  return `${receiver}\u0000${groupKey}`;
}
