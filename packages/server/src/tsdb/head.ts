import { ByteReader, ByteWriter } from './chunkenc/bytes.ts';
import { chunkSamples, decodeChunkInto, encodeChunk } from './chunkenc/codec.ts';
import { Arena, NIL, PAGE } from './arena.ts';
import { type MemSeries, OooBuffer } from './series.ts';

/** Samples a series collects in its open row before they are encoded into a group. */
export const OPEN_ROW = 16;
/** next:u32, len:u16, last sample's offset in its window:u32 (to skip groups without decoding them). */
const GROUP_HEADER = 10;

/**
 * The in-memory part of the storage: the newest samples of every active
 * series, compressed. New samples go to a fixed-size row of a shared slab
 * (offsets from their window start as u32, values as f64); a full row is
 * encoded with the chunk codec into a group appended to the window's arena
 * and linked after the series' previous group. Nothing here allocates per
 * sample or per group on the JS heap.
 */
export class Head {
  /** @internal */ slabT = new Uint32Array(OPEN_ROW * 1024);
  /** @internal */ slabV = new Float64Array(OPEN_ROW * 1024);
  /** @internal */ lastV = new Float64Array(1024);
  /** @internal */ rows = 0;
  /** @internal */ readonly freeRows: number[] = [];
  readonly arenas = new Map<number, Arena>();
  private readonly w = new ByteWriter(1024);
  private readonly tmpT = new Float64Array(OPEN_ROW);
  private readonly tmpV = new Float64Array(OPEN_ROW);
  /** Samples held (for statistics). */
  samples = 0;

  constructor(readonly blockRange: number) {}

  windowOf(t: number): number {
    return Math.floor(t / this.blockRange) * this.blockRange;
  }

  /** Value of the newest in-order sample of `s` (only meaningful when `s.lastT` is finite and s has a row). */
  lastValue(s: MemSeries): number | undefined {
    return s.slot >= 0 ? this.lastV[s.slot] : undefined;
  }

  /** Appends in order: the caller checked t > s.lastT. */
  append(s: MemSeries, t: number, v: number): void {
    const win = this.windowOf(t);
    if (s.slot < 0) s.slot = this.allocRow();
    if (s.openN > 0 && (win !== s.openWin || s.openN === OPEN_ROW)) this.flush(s);
    if (s.openN === 0) s.openWin = win;
    const i = s.slot * OPEN_ROW + s.openN;
    this.slabT[i] = t - win;
    this.slabV[i] = v;
    this.lastV[s.slot] = v;
    s.openN++;
    s.lastT = t;
    if (t < s.headMinT) s.headMinT = t;
    this.samples++;
  }

  /**
   * Appends samples [from, to) of `ts`/`vs` to `s` for as long as they are
   * in order (each newer than the one before and than `s.lastT`), exactly as
   * {@link append} one at a time would; returns the index of the first sample
   * not appended (`to` when all were). For bulk loads (WAL replay): the
   * series' state stays in locals for the whole run.
   */
  appendRun(s: MemSeries, ts: Float64Array, vs: Float64Array, from: number, to: number): number {
    if (from >= to || !(ts[from]! > s.lastT)) return from;
    if (s.slot < 0) s.slot = this.allocRow();
    const range = this.blockRange;
    const slabT = this.slabT;
    const slabV = this.slabV;
    const row = s.slot * OPEN_ROW;
    let n = s.openN;
    let win = s.openWin;
    let winEnd = n > 0 ? win + range : -Infinity;
    let lastT = s.lastT;
    let k = from;
    for (; k < to; k++) {
      const t = ts[k]!;
      if (!(t > lastT)) break;
      if (n === OPEN_ROW || t >= winEnd || t < win) {
        if (n > 0) {
          s.openN = n;
          this.flush(s);
          n = 0;
        }
        win = this.windowOf(t);
        winEnd = win + range;
        s.openWin = win;
      }
      slabT[row + n] = t - win;
      slabV[row + n] = vs[k]!;
      n++;
      lastT = t;
    }
    s.openN = n;
    s.lastT = lastT;
    this.lastV[s.slot] = vs[k - 1]!;
    if (ts[from]! < s.headMinT) s.headMinT = ts[from]!;
    this.samples += k - from;
    return k;
  }

  /** Keeps an out-of-order sample (within the window the caller allows); false when one exists at t. */
  appendOOO(s: MemSeries, t: number, v: number): boolean {
    if (this.hasInOrderSampleAt(s, t)) return false;
    s.ooo ??= new OooBuffer();
    if (!s.ooo.insert(t, v)) return false;
    if (t < s.headMinT) s.headMinT = t;
    this.samples++;
    return true;
  }

  private hasInOrderSampleAt(s: MemSeries, t: number): boolean {
    const { ts } = this.read(s, t, t, false);
    return ts.length > 0;
  }

  /** @internal */ allocRow(): number {
    const r = this.freeRows.pop();
    if (r !== undefined) return r;
    if (this.rows === this.lastV.length) {
      const cap = Math.ceil(this.rows * 1.5);
      const t = new Uint32Array(cap * OPEN_ROW);
      t.set(this.slabT);
      const v = new Float64Array(cap * OPEN_ROW);
      v.set(this.slabV);
      const l = new Float64Array(cap);
      l.set(this.lastV);
      this.slabT = t;
      this.slabV = v;
      this.lastV = l;
    }
    return this.rows++;
  }

  /**
   * Takes open rows as a head snapshot holds them: `rows` rows of the slab,
   * of which `used` are series' rows (the rest become free rows).
   */
  loadRows(rows: number, slabT: Uint32Array, slabV: Float64Array, lastV: Float64Array, used: number[]): void {
    const cap = Math.max(1024, rows);
    this.slabT = new Uint32Array(cap * OPEN_ROW);
    this.slabT.set(slabT.subarray(0, rows * OPEN_ROW));
    this.slabV = new Float64Array(cap * OPEN_ROW);
    this.slabV.set(slabV.subarray(0, rows * OPEN_ROW));
    this.lastV = new Float64Array(cap);
    this.lastV.set(lastV.subarray(0, rows));
    this.rows = rows;
    const taken = new Uint8Array(rows);
    for (const r of used) {
      if (r >= rows || taken[r]) throw new Error(`open row ${r} is out of range or taken twice`);
      taken[r] = 1;
    }
    this.freeRows.length = 0;
    for (let r = rows - 1; r >= 0; r--) if (!taken[r]) this.freeRows.push(r);
  }

  /** Encodes the open row into a group of its window. */
  private flush(s: MemSeries): void {
    const n = s.openN;
    const base = s.openWin;
    const off = s.slot * OPEN_ROW;
    for (let i = 0; i < n; i++) {
      this.tmpT[i] = base + this.slabT[off + i]!;
      this.tmpV[i] = this.slabV[off + i]!;
    }
    const w = this.w;
    w.len = 0;
    encodeChunk(w, this.tmpT, this.tmpV, 0, n, base);
    let arena = this.arenas.get(base);
    if (!arena) this.arenas.set(base, (arena = new Arena()));
    const len = w.len;
    const addr = arena.alloc(GROUP_HEADER + len);
    const page = arena.page(addr);
    const p = addr % PAGE;
    writeU32(page, p, NIL);
    page[p + 4] = len & 0xff;
    page[p + 5] = len >>> 8;
    writeU32(page, p + 6, this.slabT[off + n - 1]!);
    // A byte loop: groups are a few dozen bytes, and a subarray view per group
    // was the largest source of garbage while a WAL replay re-encodes the head.
    const src = w.buf;
    const at = p + GROUP_HEADER;
    for (let i = 0; i < len; i++) page[at + i] = src[i]!;
    s.openN = 0;
    const wins = s.wins;
    if (wins) {
      for (let k = 0; k < wins.length; k += 3) {
        if (wins[k] === base) {
          const last = wins[k + 2]!;
          writeU32(arena.page(last), last % PAGE, addr);
          wins[k + 2] = addr;
          return;
        }
      }
      // A new array of the exact size: push would leave room for 15 more numbers (120 bytes) that never come.
      let k = 0;
      while (k < wins.length && wins[k]! < base) k += 3;
      s.wins = k === wins.length ? wins.concat(base, addr, addr) : wins.slice(0, k).concat(base, addr, addr, wins.slice(k));
    } else s.wins = [base, addr, addr];
  }

  /**
   * The series' head samples with mint <= t <= maxt, time-ordered (in-order
   * and out-of-order merged; an in-order sample wins a tie), in fresh arrays.
   */
  read(s: MemSeries, mint: number, maxt: number, withOOO = true): { ts: Float64Array; vs: Float64Array } {
    // Groups are decoded straight into a shared scratch pair, then the part
    // within [mint, maxt] is copied out once at its exact size.
    let ts = scratchT;
    let vs = scratchV;
    let n = 0;
    const wins = s.wins;
    if (wins) {
      const r = this.reader;
      for (let k = 0; k < wins.length; k += 3) {
        const ws = wins[k]!;
        if (ws + this.blockRange <= mint || ws > maxt) continue;
        const arena = this.arenas.get(ws)!;
        let addr = wins[k + 1]!;
        for (;;) {
          const page = arena.page(addr);
          const p = addr % PAGE;
          const next = readU32(page, p);
          // Groups wholly before the range are skipped on their header; after it, the walk ends.
          if (ws + readU32(page, p + 6) >= mint) {
            const len = page[p + 4]! | (page[p + 5]! << 8);
            r.reset(page, p + GROUP_HEADER, p + GROUP_HEADER + len);
            const c = chunkSamples(r);
            if (n + c > ts.length) {
              ts = scratchT = grow(ts, n, n + c);
              vs = scratchV = grow(vs, n, n + c);
            }
            const first = n;
            n += decodeChunkInto(r, ws, ts, vs, n);
            if (ts[first]! > maxt) {
              n = first;
              break;
            }
          }
          if (addr === wins[k + 2]) break;
          addr = next;
        }
      }
    }
    if (s.openN > 0) {
      const c = s.openN;
      if (n + c > ts.length) {
        ts = scratchT = grow(ts, n, n + c);
        vs = scratchV = grow(vs, n, n + c);
      }
      const off = s.slot * OPEN_ROW;
      for (let i = 0; i < c; i++) ts[n + i] = s.openWin + this.slabT[off + i]!;
      vs.set(this.slabV.subarray(off, off + c), n);
      n += c;
    }
    let lo = 0;
    let hi = n;
    while (lo < hi && ts[lo]! < mint) lo++;
    while (hi > lo && ts[hi - 1]! > maxt) hi--;
    let out: { ts: Float64Array; vs: Float64Array } = { ts: ts.slice(lo, hi), vs: vs.slice(lo, hi) };
    if (withOOO && s.ooo && s.ooo.n > 0) {
      const o = s.ooo;
      out = mergeSorted(out.ts, out.vs, clip(o.ts.subarray(0, o.n), o.vs.subarray(0, o.n), mint, maxt));
    }
    return out;
  }

  private readonly reader = new ByteReader(new Uint8Array(0));

  /** Every sample of `s` in window `[ws, ws + blockRange)`. */
  readWindow(s: MemSeries, ws: number): { ts: Float64Array; vs: Float64Array } {
    return this.read(s, ws, ws + this.blockRange - 1);
  }

  /** Forgets what `s` holds before `before` (a window boundary) — after it was persisted to a block. */
  dropBefore(s: MemSeries, before: number): void {
    if (s.wins) {
      // Windows are sorted: the ones kept are a tail, copied at its exact size.
      let k = 0;
      while (k < s.wins.length && s.wins[k]! < before) k += 3;
      if (k > 0) s.wins = k < s.wins.length ? s.wins.slice(k) : null;
    }
    if (s.openN > 0 && s.openWin < before) s.openN = 0;
    if (s.ooo && !s.ooo.removeRange(-Infinity, before)) s.ooo = null;
    if (!s.inHead()) {
      if (s.slot >= 0) {
        this.freeRows.push(s.slot);
        s.slot = -1;
      }
      s.headMinT = Infinity;
    } else s.headMinT = Math.max(s.headMinT, before);
  }

  /** Drops the arenas of windows before `before`. */
  dropArenasBefore(before: number): void {
    for (const ws of [...this.arenas.keys()]) if (ws < before) this.arenas.delete(ws);
  }

  /** Bytes of memory the head's sample storage holds. */
  bytes(): number {
    let b = this.slabT.byteLength + this.slabV.byteLength + this.lastV.byteLength;
    for (const a of this.arenas.values()) b += a.capacity();
    return b;
  }

  windows(): number[] {
    return [...this.arenas.keys()].sort((a, b) => a - b);
  }
}

function writeU32(b: Uint8Array, p: number, v: number): void {
  b[p] = v & 0xff;
  b[p + 1] = (v >>> 8) & 0xff;
  b[p + 2] = (v >>> 16) & 0xff;
  b[p + 3] = (v >>> 24) & 0xff;
}

function readU32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

const EMPTY = new Float64Array(0);

/** Decoding space shared by every head read (reads are synchronous). */
let scratchT: Float64Array = new Float64Array(4096);
let scratchV: Float64Array = new Float64Array(4096);

function grow(a: Float64Array, used: number, need: number): Float64Array {
  const b = new Float64Array(Math.max(need, a.length * 2));
  b.set(a.subarray(0, used));
  return b;
}

export function concat(parts: Float64Array[]): Float64Array {
  if (parts.length === 0) return EMPTY;
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Float64Array(n);
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}

/** The samples with mint <= t <= maxt of a time-ordered pair of arrays (views, no copy). */
export function clip(ts: Float64Array, vs: Float64Array, mint: number, maxt: number): { ts: Float64Array; vs: Float64Array } {
  let lo = 0;
  let hi = ts.length;
  while (lo < ts.length && ts[lo]! < mint) lo++;
  while (hi > lo && ts[hi - 1]! > maxt) hi--;
  if (lo === 0 && hi === ts.length) return { ts, vs };
  return { ts: ts.subarray(lo, hi), vs: vs.subarray(lo, hi) };
}

/** Merges two time-ordered sample lists; on equal timestamps the first list wins. */
export function mergeSorted(aT: Float64Array, aV: Float64Array, b: { ts: Float64Array; vs: Float64Array }): { ts: Float64Array; vs: Float64Array } {
  const bT = b.ts;
  const bV = b.vs;
  if (bT.length === 0) return { ts: aT, vs: aV };
  if (aT.length === 0) return { ts: bT, vs: bV };
  if (aT[aT.length - 1]! < bT[0]!) return { ts: concat([aT, bT]), vs: concat([aV, bV]) };
  const ts = new Float64Array(aT.length + bT.length);
  const vs = new Float64Array(aT.length + bT.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < aT.length || j < bT.length) {
    if (j >= bT.length || (i < aT.length && aT[i]! <= bT[j]!)) {
      if (j < bT.length && aT[i] === bT[j]) j++;
      ts[k] = aT[i]!;
      vs[k++] = aV[i++]!;
    } else {
      ts[k] = bT[j]!;
      vs[k++] = bV[j++]!;
    }
  }
  return { ts: ts.subarray(0, k), vs: vs.subarray(0, k) };
}
