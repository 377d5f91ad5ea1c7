import { randomUUID } from 'node:crypto';
import { Matcher } from '@vigil/core';
import { VigilError } from '@vigil/core';
import { SnapshotFile } from '../snapshot.ts';
import type { Clock, LabelSet } from '../types.ts';

/** A silence matcher as the v2 API spells it. */
export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  /** Absent means true (older clients). */
  isEqual?: boolean;
}

/** A silence; times are Unix ms. */
export interface Silence {
  id: string;
  matchers: SilenceMatcher[];
  startsAt: number;
  endsAt: number;
  updatedAt: number;
  createdBy: string;
  comment: string;
}

export type SilenceState = 'active' | 'pending' | 'expired';

/** Raised for a malformed silence; `message` is the reason shown to the client. */
export class SilenceError extends VigilError {
  constructor(
    message: string,
    readonly notFound = false,
  ) {
    super(notFound ? 'VIGIL_ERR_SILENCE_NOT_FOUND' : 'VIGIL_ERR_SILENCE_INVALID', message);
  }
}

/** Builds core Matchers from API matchers. @throws SilenceError on a bad regex. */
export function compileSilenceMatchers(ms: readonly SilenceMatcher[]): Matcher[] {
  return ms.map((m) => {
    const eq = m.isEqual !== false;
    const type = m.isRegex ? (eq ? '=~' : '!~') : eq ? '=' : '!=';
    try {
      return new Matcher(type, m.name, m.value);
    } catch (err) {
      throw new SilenceError(`invalid silence: invalid label matcher ${m.name}: ${(err as Error).message}`);
    }
  });
}

/**
 * The silence store and its Muter (Alertmanager's silence.Silences +
 * Silencer). Every change rewrites the snapshot before returning, so a
 * created silence survives `kill -9`. Expired silences are kept for
 * `retention` ms (Alertmanager's --data.retention, 120h) so they can be listed.
 */
export class Silences {
  private readonly silences = new Map<string, { s: Silence; ms: Matcher[] }>();
  private readonly file: SnapshotFile<Silence>;
  /** Bumped on every change; lets callers cache mute results per version. */
  version = 0;

  constructor(
    private readonly clock: Clock,
    snapshotPath?: string,
    private readonly retention = 120 * 3600_000,
  ) {
    this.file = new SnapshotFile(snapshotPath);
    for (const s of this.file.read()) this.silences.set(s.id, { s, ms: compileSilenceMatchers(s.matchers) });
  }

  state(s: Silence, now = this.clock.now()): SilenceState {
    if (s.endsAt <= now) return 'expired';
    if (s.startsAt > now) return 'pending';
    return 'active';
  }

  /**
   * Creates a silence, or updates the one with `s.id`. As Alertmanager, an
   * update that changes matchers or moves an active silence's start
   * expires the old one and creates a new ID. Returns the resulting ID.
   * @throws SilenceError when the silence is invalid or the ID is unknown.
   */
  set(input: Omit<Silence, 'id' | 'updatedAt'> & { id?: string }): string {
    const now = this.clock.now();
    if (!input.matchers || input.matchers.length === 0) throw new SilenceError('invalid silence: at least one matcher required');
    for (const m of input.matchers) {
      if (!m.name) throw new SilenceError('invalid silence: invalid label matcher: invalid label name ""');
    }
    const ms = compileSilenceMatchers(input.matchers);
    if (ms.every((m) => m.matchesEmpty())) throw new SilenceError('invalid silence: at least one matcher must not match the empty string');
    if (!Number.isFinite(input.startsAt) || !Number.isFinite(input.endsAt)) throw new SilenceError('invalid silence: missing start or end time');
    if (input.endsAt < input.startsAt) throw new SilenceError('invalid silence: end time must not be before start time');
    if (input.endsAt <= now) throw new SilenceError("invalid silence: end time can't be in the past");
    if (!input.createdBy) throw new SilenceError('invalid silence: creator information missing');
    if (!input.comment) throw new SilenceError('invalid silence: comment missing');
    let startsAt = Math.max(input.startsAt, now);
    if (input.id) {
      const prev = this.silences.get(input.id);
      if (!prev) throw new SilenceError(`silence ${input.id} not found`, true);
      const sameMatchers = JSON.stringify(prev.s.matchers) === JSON.stringify(input.matchers);
      const st = this.state(prev.s, now);
      if (st !== 'expired' && sameMatchers && (st === 'pending' || prev.s.startsAt === input.startsAt || input.startsAt <= now)) {
        if (st === 'active') startsAt = prev.s.startsAt;
        const s: Silence = { ...prev.s, ...input, id: prev.s.id, startsAt, updatedAt: now };
        this.silences.set(s.id, { s, ms });
        this.changed();
        return s.id;
      }
      if (st !== 'expired') this.expireInternal(prev.s, now);
    }
    const s: Silence = {
      id: randomUUID(),
      matchers: input.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: !!m.isRegex, isEqual: m.isEqual !== false })),
      startsAt,
      endsAt: input.endsAt,
      updatedAt: now,
      createdBy: input.createdBy,
      comment: input.comment,
    };
    this.silences.set(s.id, { s, ms });
    this.changed();
    return s.id;
  }

  /** Expires a silence now. @throws SilenceError when unknown or already expired. */
  expire(id: string): void {
    const e = this.silences.get(id);
    if (!e) throw new SilenceError(`silence ${id} not found`, true);
    const now = this.clock.now();
    if (this.state(e.s, now) === 'expired') throw new SilenceError('silence already expired');
    this.expireInternal(e.s, now);
    this.changed();
  }

  private expireInternal(s: Silence, now: number): void {
    const pending = s.startsAt > now;
    const ns: Silence = { ...s, endsAt: now, startsAt: pending ? now : s.startsAt, updatedAt: now };
    this.silences.set(s.id, { s: ns, ms: this.silences.get(s.id)!.ms });
  }

  get(id: string): Silence | undefined {
    return this.silences.get(id)?.s;
  }

  list(): Silence[] {
    this.gc();
    return [...this.silences.values()].map((e) => e.s);
  }

  /** IDs of the active silences matching the label set. */
  mutedBy(ls: LabelSet): string[] {
    const now = this.clock.now();
    const out: string[] = [];
    for (const { s, ms } of this.silences.values()) {
      if (s.startsAt > now || s.endsAt <= now) continue;
      if (ms.every((m) => m.matches(ls[m.name] ?? ''))) out.push(s.id);
    }
    return out;
  }

  /** The Muter view: is this label set silenced now? */
  mutes(ls: LabelSet): boolean {
    return this.mutedBy(ls).length > 0;
  }

  private gc(): void {
    const now = this.clock.now();
    let dropped = false;
    for (const [id, e] of this.silences) if (e.s.endsAt + this.retention <= now) {
      this.silences.delete(id);
      dropped = true;
    }
    if (dropped) this.changed();
  }

  private changed(): void {
    this.version++;
    this.file.write([...this.silences.values()].map((e) => e.s));
  }
}
