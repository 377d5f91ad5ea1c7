import type { Labels } from '@vigil/core';

/**
 * One series known to the storage, in the head, in blocks or both. The
 * head's part is a handful of numbers: encoded chunk groups live in the
 * window arenas (addresses in `wins`), the newest few samples in the open
 * slab row `slot`, late samples inside the out-of-order window in `ooo`.
 */
export class MemSeries {
  /** Row in the head's open slab, or -1 when the series holds no open samples' row. */
  slot = -1;
  /** Samples in the open row. */
  openN = 0;
  /** Window start (ms) of the open samples. */
  openWin = 0;
  /** Triples [windowStart, firstGroupAddr, lastGroupAddr] of encoded groups in the head, oldest window first. */
  wins: number[] | null = null;
  /** Out-of-order samples waiting to be merged (time-ordered). */
  ooo: OooBuffer | null = null;
  /** Newest in-order timestamp appended to the head. */
  lastT = -Infinity;
  /** Oldest timestamp held in the head. */
  headMinT = Infinity;
  /** How many persisted blocks hold this series. */
  nblocks = 0;
  /** Newest timestamp appended by the uncommitted appender `pendBy` (ordering checks inside one batch). */
  pendT = -Infinity;
  pendBy = 0;

  constructor(
    readonly id: number,
    readonly labels: Labels,
    readonly hash: number,
  ) {}

  inHead(): boolean {
    return this.openN > 0 || this.wins !== null || this.ooo !== null;
  }
}

/** Growable time-ordered float samples; typed arrays so NaN payloads survive. */
export class OooBuffer {
  ts = new Float64Array(4);
  vs = new Float64Array(4);
  n = 0;

  insert(t: number, v: number): boolean {
    let i = this.n;
    while (i > 0 && this.ts[i - 1]! > t) i--;
    if (i > 0 && this.ts[i - 1] === t) return false;
    if (this.n === this.ts.length) {
      const ts = new Float64Array(this.n * 2);
      ts.set(this.ts);
      const vs = new Float64Array(this.n * 2);
      vs.set(this.vs);
      this.ts = ts;
      this.vs = vs;
    }
    this.ts.copyWithin(i + 1, i, this.n);
    this.vs.copyWithin(i + 1, i, this.n);
    this.ts[i] = t;
    this.vs[i] = v;
    this.n++;
    return true;
  }

  has(t: number): boolean {
    for (let i = 0; i < this.n; i++) if (this.ts[i] === t) return true;
    return false;
  }

  /** Removes samples with t in [mint, maxt); returns whether anything is left. */
  removeRange(mint: number, maxt: number): boolean {
    let k = 0;
    for (let i = 0; i < this.n; i++) {
      const t = this.ts[i]!;
      if (t >= mint && t < maxt) continue;
      this.ts[k] = t;
      this.vs[k] = this.vs[i]!;
      k++;
    }
    this.n = k;
    return k > 0;
  }
}
