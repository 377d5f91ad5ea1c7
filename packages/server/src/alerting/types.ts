/** A label set as Alertmanager keeps it: a plain name → value map. */
export type LabelSet = Readonly<Record<string, string>>;

/**
 * An alert as the router holds it. Times are Unix milliseconds; `endsAt`
 * of 0 means "no end known" (only in notifications, after the aggregation
 * group clears it for firing alerts). Instances are replaced, never mutated,
 * once stored.
 */
export interface Alert {
  readonly labels: LabelSet;
  readonly annotations: LabelSet;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly generatorURL: string;
  /** When the router last received this alert. */
  readonly updatedAt: number;
  /** True when `endsAt` was set by the router (resolve_timeout), not by the sender. */
  readonly timeout: boolean;
  readonly fingerprint: string;
}

/** True when the alert has ended at `now` (endsAt set and not in the future). */
export function isResolved(a: Alert, now: number): boolean {
  return a.endsAt !== 0 && a.endsAt <= now;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

/**
 * Prometheus' model.LabelSet.Fingerprint: FNV-1a 64 over sorted names and
 * values, each followed by 0xff; 16 lowercase hex digits. Matching it keeps
 * fingerprints in API responses and webhooks identical to Alertmanager's.
 */
export function fingerprint(ls: LabelSet): string {
  const names = Object.keys(ls).sort();
  if (names.length === 0) return '0000000000000000';
  let h = FNV_OFFSET;
  const enc = new TextEncoder();
  for (const n of names) {
    for (const part of [n, ls[n]!]) {
      for (const b of enc.encode(part)) h = ((h ^ BigInt(b)) * FNV_PRIME) & MASK;
      h = ((h ^ 0xffn) * FNV_PRIME) & MASK;
    }
  }
  return h.toString(16).padStart(16, '0');
}

/** Go's LabelSet.Before: fewer labels first, then by sorted names/values. */
export function labelSetBefore(a: LabelSet, b: LabelSet): boolean {
  const na = Object.keys(a).length;
  const nb = Object.keys(b).length;
  if (na !== nb) return na < nb;
  const names = [...Object.keys(a), ...Object.keys(b)].sort();
  for (const n of names) {
    const x = a[n];
    if (x === undefined) return true;
    const y = b[n];
    if (y === undefined) return false;
    if (x < y) return true;
    if (x > y) return false;
  }
  return false;
}

/** Alertmanager's AlertSlice order: by `job`, then `instance`, then label set. */
export function compareAlerts(a: Alert, b: Alert): number {
  for (const k of ['job', 'instance']) {
    const x = a.labels[k];
    const y = b.labels[k];
    if (x === undefined && y === undefined) continue;
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    if (x !== y) return x < y ? -1 : 1;
  }
  if (labelSetBefore(a.labels, b.labels)) return -1;
  if (labelSetBefore(b.labels, a.labels)) return 1;
  return 0;
}

/**
 * Alertmanager's Alert.Merge: `b` is the newer copy of `a`'s alert (same
 * fingerprint). Keeps the earliest start; an explicit later end wins over a
 * timeout-derived one.
 */
export function mergeAlerts(a: Alert, b: Alert, now: number): Alert {
  if (b.updatedAt < a.updatedAt) return mergeAlerts(b, a, now);
  let startsAt = b.startsAt;
  let endsAt = b.endsAt;
  if (a.startsAt < b.startsAt) startsAt = a.startsAt;
  if (isResolved(b, now)) {
    if (isResolved(a, now) && a.endsAt > b.endsAt) endsAt = a.endsAt;
  } else if (a.endsAt > b.endsAt && !a.timeout) endsAt = a.endsAt;
  return { ...b, startsAt, endsAt };
}

/** Timer source; injected so tests drive time by hand. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The wall clock and Node timers. */
export function systemClock(): Clock {
  return {
    now: () => Date.now(),
    setTimeout: (fn, ms) => {
      const t = setTimeout(fn, Math.max(0, ms));
      t.unref?.();
      return t;
    },
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  };
}

/**
 * A clock tests advance by hand: `advance(ms)` runs due timers in time
 * order, awaiting microtasks between them so async callbacks settle.
 */
export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = Date.UTC(2024, 0, 1)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(h: unknown): void {
    this.timers.delete(h as number);
  }

  /** Moves time forward by `ms`, firing every timer that falls due. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[0] < next[0]))) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = end;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}
