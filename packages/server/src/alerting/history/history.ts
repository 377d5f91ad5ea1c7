import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Matcher } from '@vigil/core';
import { matchesLabelSet } from '../config/index.ts';
import type { Clock, LabelSet } from '../types.ts';

export type HistoryKind = 'firing' | 'resolved' | 'silenced' | 'inhibited' | 'unmuted' | 'notified' | 'acknowledged' | 'unacknowledged';

/** One state change; `ts` in Unix ms. Fields beyond `ts`/`kind` depend on the kind. */
export interface HistoryEvent {
  ts: number;
  kind: HistoryKind;
  fingerprint?: string;
  labels?: LabelSet;
  groupKey?: string;
  receiver?: string;
  integration?: string;
  /** Fingerprints a notification carried. */
  alerts?: string[];
  by?: string;
  comment?: string;
}

export interface HistoryQuery {
  kinds?: readonly HistoryKind[];
  /** Matchers on the alert labels (events without labels never match a non-empty list). */
  matchers?: readonly Matcher[];
  fingerprint?: string;
  groupKey?: string;
  receiver?: string;
  /** Inclusive bounds, Unix ms. */
  from?: number;
  to?: number;
  /** Newest first, at most this many (default 1000). */
  limit?: number;
}

/**
 * The append-only alert history (beyond Alertmanager): every state change
 * of every alert, every notification and acknowledgement. Persisted as one
 * JSON object per line (`history.jsonl`), appended synchronously, so a
 * `kill -9` loses at most a torn last line, which is skipped on load.
 * Events older than `retention` are not loaded on restart.
 */
export class AlertHistory {
  private readonly events: HistoryEvent[] = [];
  /** Last alert state recorded per fingerprint, to log changes only. */
  private readonly lastState = new Map<string, HistoryKind>();

  constructor(
    private readonly clock: Clock,
    private readonly path?: string,
    private readonly retention = 7 * 24 * 3600_000,
  ) {
    if (!path) return;
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const min = clock.now() - retention;
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const e = JSON.parse(line) as HistoryEvent;
        if (e.ts < min) continue;
        this.events.push(e);
        if (e.fingerprint && isAlertState(e.kind)) this.lastState.set(e.fingerprint, e.kind);
      } catch {
        // a torn last line after a crash
      }
    }
    mkdirSync(dirname(path), { recursive: true });
  }

  /** Appends an event, stamping `ts` when absent. */
  record(e: Omit<HistoryEvent, 'ts'> & { ts?: number }): void {
    const ev: HistoryEvent = { ...e, ts: e.ts ?? this.clock.now() };
    this.events.push(ev);
    if (this.path) appendFileSync(this.path, JSON.stringify(ev) + '\n');
  }

  /** Records an alert state only when it differs from the last one recorded for it. */
  recordState(kind: 'firing' | 'resolved' | 'silenced' | 'inhibited' | 'unmuted', fingerprint: string, labels: LabelSet): void {
    const prev = this.lastState.get(fingerprint);
    if (prev === kind) return;
    // "unmuted" after a plain firing state is noise; keep it only after a mute.
    if (kind === 'unmuted' && prev !== 'silenced' && prev !== 'inhibited') return;
    this.lastState.set(fingerprint, kind === 'unmuted' ? 'firing' : kind);
    this.record({ kind, fingerprint, labels });
  }

  query(q: HistoryQuery = {}): HistoryEvent[] {
    const out: HistoryEvent[] = [];
    const limit = q.limit ?? 1000;
    for (let i = this.events.length - 1; i >= 0 && out.length < limit; i--) {
      const e = this.events[i]!;
      if (q.from !== undefined && e.ts < q.from) break;
      if (q.to !== undefined && e.ts > q.to) continue;
      if (q.kinds?.length && !q.kinds.includes(e.kind)) continue;
      if (q.fingerprint && e.fingerprint !== q.fingerprint && !e.alerts?.includes(q.fingerprint)) continue;
      if (q.groupKey && e.groupKey !== q.groupKey) continue;
      if (q.receiver && e.receiver !== q.receiver) continue;
      if (q.matchers?.length && (!e.labels || !matchesLabelSet(q.matchers, e.labels))) continue;
      out.push(e);
    }
    return out;
  }
}

function isAlertState(k: HistoryKind): boolean {
  return k === 'firing' || k === 'resolved' || k === 'silenced' || k === 'inhibited';
}
