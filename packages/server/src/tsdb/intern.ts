import { ownString, type Label, type Labels } from '@vigil/core';

/**
 * Shares label objects between series: every distinct name="value" pair is
 * one frozen object, so 100k series with `job="api"` hold 100k pointers to
 * one pair rather than 100k copies of two strings.
 */
export class LabelInterner {
  private readonly pairs = new Map<string, Map<string, Label>>();

  pair(name: string, value: string): Label {
    let byValue = this.pairs.get(name);
    if (!byValue) this.pairs.set(name, (byValue = new Map()));
    let p = byValue.get(value);
    if (!p) {
      // Flatten strings that came out of a larger buffer (sliced strings keep the whole buffer alive).
      p = Object.freeze({ name: ownString(name), value: ownString(value) });
      byValue.set(p.value, p);
    }
    return p;
  }

  labels(ls: Labels): Labels {
    const out = new Array<Label>(ls.length);
    for (let i = 0; i < ls.length; i++) out[i] = this.pair(ls[i]!.name, ls[i]!.value);
    return out;
  }

  /** Forgets pairs no live series uses; `inUse` says which are. */
  sweep(inUse: (l: Label) => boolean): void {
    for (const [name, byValue] of this.pairs) {
      for (const [v, p] of byValue) if (!inUse(p)) byValue.delete(v);
      if (byValue.size === 0) this.pairs.delete(name);
    }
  }
}

/**
 * 30-bit hash of a label set (FNV-1a mixed with a murmur-style lane), small
 * enough to stay an unboxed integer in V8. Equal label sets hash equal;
 * collisions are expected at scale and handled by the caller by comparing
 * labels.
 */
export function hashLabels(ls: Labels): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    for (const s of [l.name, l.value]) {
      for (let k = 0; k < s.length; k++) {
        const c = s.charCodeAt(k);
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = Math.imul(h2 ^ c, 0x5bd1e995);
        h2 ^= h2 >>> 13;
      }
      h1 = Math.imul(h1 ^ 0xff, 0x01000193);
      h2 = Math.imul(h2 ^ 0xfe, 0x5bd1e995);
    }
  }
  return ((h1 ^ (h2 >>> 7)) >>> 0) & 0x3fffffff;
}

export function labelsEqual(a: Labels, b: Labels): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y && (x.name !== y.name || x.value !== y.value)) return false;
  }
  return true;
}
