import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * Seeded damage to storage files, for the fuzz tests (WAL segments and
 * checkpoints now; block `meta.json`, `index` and `chunks` files take the
 * same treatment). Each kind models something a crash, a full disk or a bad
 * sector leaves behind.
 */
export const DAMAGE_KINDS = ['flip', 'truncate', 'zero', 'garbage', 'delete'] as const;
export type DamageKind = (typeof DAMAGE_KINDS)[number];

export interface Damage {
  kind: DamageKind;
  file: string;
  /** Size of the file before the damage. */
  size: number;
  /** Where the damage was aimed (byte offset). */
  at: number;
  /**
   * The first byte that no longer reads as it did: `size` when only bytes
   * were appended or nothing changed (zeroing zeros), 0 for a deleted file.
   */
  firstChanged: number;
  /** `kind at <at> of <size>`, for assertion messages. */
  label: string;
}

/** An element of `xs` picked with `r`. */
export function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

/**
 * Damages `file` in place, choosing offsets and lengths with `r` (a seeded
 * PRNG, so a failing case reproduces from its seed):
 * - flip: one byte XORed with a non-zero mask;
 * - truncate: cut at a random offset (possibly 0);
 * - zero: 1–64 bytes set to zero;
 * - garbage: 1–64 random bytes appended (a torn or foreign tail);
 * - delete: the file removed.
 */
export function damageFile(file: string, kind: DamageKind, r: () => number): Damage {
  const orig = readFileSync(file);
  const size = orig.length;
  const at = Math.min(size, Math.floor(r() * size));
  const buf = Buffer.from(orig);
  let firstChanged = at;
  switch (kind) {
    case 'flip':
      if (size === 0) firstChanged = 0;
      else buf[at] = buf[at]! ^ (1 + Math.floor(r() * 255));
      writeFileSync(file, buf);
      break;
    case 'truncate':
      writeFileSync(file, buf.subarray(0, at));
      break;
    case 'zero': {
      buf.fill(0, at, Math.min(size, at + 1 + Math.floor(r() * 64)));
      writeFileSync(file, buf);
      firstChanged = firstDifference(orig, buf);
      break;
    }
    case 'garbage': {
      const junk = Buffer.alloc(1 + Math.floor(r() * 64));
      for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(r() * 256);
      writeFileSync(file, Buffer.concat([buf, junk]));
      firstChanged = size;
      break;
    }
    case 'delete':
      if (existsSync(file)) unlinkSync(file);
      firstChanged = 0;
      break;
  }
  return { kind, file, size, at, firstChanged, label: `${kind} at ${at} of ${size}` };
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? a.length : n;
}
