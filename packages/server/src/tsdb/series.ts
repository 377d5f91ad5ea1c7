import type { Labels } from '@vigil/core';

/**
 * The numeric state of every series of a catalog, column by column in typed
 * arrays indexed by series id: a double field of a JS object is a separate
 * heap number (16 bytes plus the 8-byte pointer), here it is 8 bytes.
 */
export class SeriesTable {
  slot = new Int32Array(0);
  openN = new Uint8Array(0);
  nblocks = new Int32Array(0);
  openWin = new Float64Array(0);
  lastT = new Float64Array(0);
  headMinT = new Float64Array(0);
  pendT = new Float64Array(0);
  pendBy = new Float64Array(0);

  /** Makes room for `id` and resets its row to a new series' state. */
  init(id: number): void {
    if (id >= this.slot.length) this.grow(id + 1);
    this.slot[id] = -1;
    this.openN[id] = 0;
    this.nblocks[id] = 0;
    this.openWin[id] = 0;
    this.lastT[id] = -Infinity;
    this.headMinT[id] = Infinity;
    this.pendT[id] = -Infinity;
    this.pendBy[id] = 0;
  }

  private grow(need: number): void {
    const cap = Math.max(need, 1024, Math.ceil(this.slot.length * 1.25));
    const g = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: new (n: number) => T): T => {
      const b = new make(cap);
      b.set(a as never);
      return b;
    };
    this.slot = g(this.slot, Int32Array);
    this.openN = g(this.openN, Uint8Array);
    this.nblocks = g(this.nblocks, Int32Array);
    this.openWin = g(this.openWin, Float64Array);
    this.lastT = g(this.lastT, Float64Array);
    this.headMinT = g(this.headMinT, Float64Array);
    this.pendT = g(this.pendT, Float64Array);
    this.pendBy = g(this.pendBy, Float64Array);
  }

  /** Bytes the columns take. */
  bytes(): number {
    return this.slot.length * (4 + 1 + 4 + 8 * 5);
  }
}

/**
 * One series known to the storage, in the head, in blocks or both. The
 * head's part is a handful of numbers: encoded chunk groups live in the
 * window arenas (addresses in `wins`), the newest few samples in the open
 * slab row `slot`, late samples inside the out-of-order window in `ooo`.
 * The numbers live in the catalog's {@link SeriesTable} (row `id`); the
 * object holds only references, 64 bytes.
 */
export class MemSeries {
  /** Triples [windowStart, firstGroupAddr, lastGroupAddr] of encoded groups in the head, oldest window first. */
  wins: number[] | null = null;
  /** Out-of-order samples waiting to be merged (time-ordered). */
  ooo: OooBuffer | null = null;

  constructor(
    readonly id: number,
    readonly labels: Labels,
    private readonly tab: SeriesTable,
  ) {
    tab.init(id);
  }

  /** Row in the head's open slab, or -1 when the series holds no open samples' row. */
  get slot(): number {
    return this.tab.slot[this.id]!;
  }
  set slot(v: number) {
    this.tab.slot[this.id] = v;
  }

  /** Samples in the open row. */
  get openN(): number {
    return this.tab.openN[this.id]!;
  }
  set openN(v: number) {
    this.tab.openN[this.id] = v;
  }

  /** Window start (ms) of the open samples. */
  get openWin(): number {
    return this.tab.openWin[this.id]!;
  }
  set openWin(v: number) {
    this.tab.openWin[this.id] = v;
  }

  /** Newest in-order timestamp appended to the head. */
  get lastT(): number {
    return this.tab.lastT[this.id]!;
  }
  set lastT(v: number) {
    this.tab.lastT[this.id] = v;
  }

  /** Oldest timestamp held in the head. */
  get headMinT(): number {
    return this.tab.headMinT[this.id]!;
  }
  set headMinT(v: number) {
    this.tab.headMinT[this.id] = v;
  }

  /** How many persisted blocks hold this series. */
  get nblocks(): number {
    return this.tab.nblocks[this.id]!;
  }
  set nblocks(v: number) {
    this.tab.nblocks[this.id] = v;
  }

  /** Newest timestamp appended by the uncommitted appender `pendBy` (ordering checks inside one batch). */
  get pendT(): number {
    return this.tab.pendT[this.id]!;
  }
  set pendT(v: number) {
    this.tab.pendT[this.id] = v;
  }

  get pendBy(): number {
    return this.tab.pendBy[this.id]!;
  }
  set pendBy(v: number) {
    this.tab.pendBy[this.id] = v;
  }

  inHead(): boolean {
    return this.tab.openN[this.id]! > 0 || this.wins !== null || this.ooo !== null;
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
