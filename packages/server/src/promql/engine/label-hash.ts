import type { Labels } from '@vigil/core';

/**
 * 64-bit xxHash (XXH64, seed 0) of a label set serialised as Prometheus's
 * `Labels.Hash` does it: every name and value as UTF-8, each followed by a
 * 0xff byte. `limit_ratio` uses it to pick a stable subset of series.
 */
const M = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;

const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & M;
const round = (acc: bigint, lane: bigint): bigint => (rotl((acc + lane * P2) & M, 31n) * P1) & M;
const merge = (acc: bigint, v: bigint): bigint => (((acc ^ round(0n, v)) * P1) & M) + P4 & M;

function xxh64(b: Uint8Array): bigint {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = b.length;
  let i = 0;
  let h: bigint;
  if (n >= 32) {
    let v1 = (P1 + P2) & M;
    let v2 = P2;
    let v3 = 0n;
    let v4 = (M + 1n - P1) & M;
    for (; i + 32 <= n; i += 32) {
      v1 = round(v1, dv.getBigUint64(i, true));
      v2 = round(v2, dv.getBigUint64(i + 8, true));
      v3 = round(v3, dv.getBigUint64(i + 16, true));
      v4 = round(v4, dv.getBigUint64(i + 24, true));
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & M;
    h = merge(h, v1);
    h = merge(h, v2);
    h = merge(h, v3);
    h = merge(h, v4);
  } else h = P5;
  h = (h + BigInt(n)) & M;
  for (; i + 8 <= n; i += 8) {
    h ^= round(0n, dv.getBigUint64(i, true));
    h = (rotl(h, 27n) * P1 + P4) & M;
  }
  if (i + 4 <= n) {
    h ^= (BigInt(dv.getUint32(i, true)) * P1) & M;
    h = (rotl(h, 23n) * P2 + P3) & M;
    i += 4;
  }
  for (; i < n; i++) {
    h ^= (BigInt(b[i]!) * P5) & M;
    h = (rotl(h, 11n) * P1) & M;
  }
  h ^= h >> 33n;
  h = (h * P2) & M;
  h ^= h >> 29n;
  h = (h * P3) & M;
  h ^= h >> 32n;
  return h;
}

const enc = new TextEncoder();

export function labelsHash(ls: Labels): bigint {
  const parts: number[] = [];
  for (const l of ls) {
    parts.push(...enc.encode(l.name), 0xff, ...enc.encode(l.value), 0xff);
  }
  return xxh64(Uint8Array.from(parts));
}

/** The series' position in [0, 1) for `limit_ratio`. */
export function ratioOffset(ls: Labels): number {
  return Number(labelsHash(ls)) / 18446744073709551615;
}
