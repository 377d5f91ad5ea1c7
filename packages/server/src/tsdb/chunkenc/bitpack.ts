import type { ByteReader, ByteWriter } from './bytes.ts';

/**
 * Patched frame-of-reference bit packing of non-negative integers below
 * 2^53: values go in frames of {@link FRAME}; each frame is one header byte
 * (bit width `w` in the low 6 bits, 0x80 when exceptions follow), then, with
 * exceptions, their count and `(index:u8, value:uvarint)` each, then every
 * value at `w` bits, LSB first, padded to a whole byte (an exception's slot
 * holds 0). The writer picks the `w` that makes the frame smallest, so one
 * outlier (a scrape gap, a counter reset) costs a few bytes instead of
 * widening 64 values. A frame of zeros costs one byte, so runs of equal
 * deltas (regular scrape intervals, constant counters) are nearly free.
 */
export const FRAME = 64;
const TWO32 = 4294967296;
const EXCEPTIONS = 0x80;
const widthCounts = new Int32Array(54);

/** The cheapest width for values [f, fe) and its cost in bits (exceptions included). */
const result = { width: 0, bits: 8 };

function bestWidth(vals: ArrayLike<number>, f: number, fe: number): { width: number; bits: number } {
  let max = 0;
  for (let i = f; i < fe; i++) if (vals[i]! > max) max = vals[i]!;
  const n = fe - f;
  if (max < 256) {
    // Narrow frames: an exception (at least 16 bits) rarely pays; plain width.
    result.width = bitWidth(max);
    result.bits = 8 + n * result.width;
    return result;
  }
  widthCounts.fill(0);
  let maxW = 0;
  for (let i = f; i < fe; i++) {
    const bw = bitWidth(vals[i]!);
    widthCounts[bw]!++;
    if (bw > maxW) maxW = bw;
  }
  let best = maxW;
  let bestBits = n * maxW;
  // Walk widths downwards: values wider than w become exceptions.
  let excBits = 0;
  let excCount = 0;
  for (let w = maxW - 1; w >= 0; w--) {
    // Values of width w+1 stop fitting.
    const c = widthCounts[w + 1]!;
    if (c > 0) {
      excCount += c;
      // Bytes of a varint of a (w+1)-bit value, plus the index byte.
      excBits += c * 8 * (1 + Math.ceil((w + 1) / 7));
      if (excCount >= n) break;
    }
    const bits = n * w + excBits + 8; // the exception count: one byte (a frame holds at most 64)
    if (bits < bestBits) {
      bestBits = bits;
      best = w;
    }
  }
  result.width = best;
  result.bits = bestBits + 8;
  return result;
}

/** Exact size in bits of the packed form of values [start, end). */
export function packedBits(vals: ArrayLike<number>, start: number, end: number, widths?: number[]): number {
  let bits = 0;
  let k = 0;
  for (let f = start; f < end; f += FRAME) {
    const r = bestWidth(vals, f, Math.min(end, f + FRAME));
    bits += r.bits;
    if (widths) widths[k++] = r.width;
  }
  return bits;
}

function bitWidth(v: number): number {
  if (v === 0) return 0;
  if (v < TWO32) return 32 - Math.clz32(v);
  return 32 + (32 - Math.clz32(Math.floor(v / TWO32)));
}

/** Packs values [start, end); `widths` may carry the per-frame widths {@link packedBits} chose for the same values. */
export function packInto(w: ByteWriter, vals: ArrayLike<number>, start: number, end: number, widths?: readonly number[]): void {
  let k = 0;
  for (let f = start; f < end; f += FRAME) {
    const fe = Math.min(end, f + FRAME);
    const width = widths ? widths[k++]! : bestWidth(vals, f, fe).width;
    const limit = width >= 53 ? Infinity : 2 ** width;
    let exc = 0;
    for (let i = f; i < fe; i++) if (vals[i]! >= limit) exc++;
    if (exc > 0) {
      w.u8(width | EXCEPTIONS);
      w.uvarint(exc);
      for (let i = f; i < fe; i++) {
        if (vals[i]! < limit) continue;
        w.u8(i - f);
        w.uvarint(vals[i]!);
      }
    } else w.u8(width);
    if (width === 0) continue;
    w.ensure(Math.ceil(((fe - f) * width) / 8) + 1);
    if (width <= 24) {
      // Fast path: a 32-bit accumulator holds the pending bits (fewer than 8 before each add).
      const b = w.buf;
      let p = w.len;
      let acc = 0;
      let nb = 0;
      for (let i = f; i < fe; i++) {
        const v = vals[i]!;
        acc |= (v < limit ? v : 0) << nb;
        nb += width;
        while (nb >= 8) {
          b[p++] = acc & 0xff;
          acc >>>= 8;
          nb -= 8;
        }
      }
      if (nb > 0) b[p++] = acc & 0xff;
      w.len = p;
      continue;
    }
    sB = w.buf;
    sP = w.len;
    sCur = 0;
    sPos = 0;
    for (let i = f; i < fe; i++) {
      const v = vals[i]! < limit ? vals[i]! : 0;
      if (width <= 32) writeBits(v, width);
      else {
        writeBits(v % TWO32, 32);
        writeBits(Math.floor(v / TWO32), width - 32);
      }
    }
    if (sPos > 0) sB[sP++] = sCur;
    w.len = sP;
  }
}

let sB: Uint8Array = new Uint8Array(0);
let sP = 0;
let sCur = 0;
let sPos = 0;

/** Appends the low `k` (<= 32) bits of `x`, LSB first. */
function writeBits(x: number, k: number): void {
  x >>>= 0;
  while (k > 0) {
    const room = 8 - sPos;
    const take = k < room ? k : room;
    sCur |= (x & ((1 << take) - 1)) << sPos;
    x >>>= take;
    k -= take;
    sPos += take;
    if (sPos === 8) {
      sB[sP++] = sCur;
      sCur = 0;
      sPos = 0;
    }
  }
}

/** Reads `n` values written by {@link packInto} into `out[0..n)`. */
export function unpackFrom(r: ByteReader, out: Float64Array, n: number): void {
  const b = r.buf;
  for (let f = 0; f < n; f += FRAME) {
    const fe = Math.min(n, f + FRAME);
    if (r.pos >= r.end) throw new RangeError(`bit-packed frame missing at offset ${r.pos}`);
    const head = b[r.pos++]!;
    const width = head & 0x3f;
    if (width > 53 || (head & 0x40) !== 0) throw new RangeError(`bit width ${width} out of range at offset ${r.pos - 1}`);
    let excStart = -1;
    let excN = 0;
    if (head & EXCEPTIONS) {
      excN = r.uvarint();
      if (excN > fe - f) throw new RangeError(`${excN} exceptions in a frame of ${fe - f} at offset ${r.pos}`);
      excStart = r.pos;
      for (let k = 0; k < excN; k++) {
        r.u8();
        r.uvarint();
      }
    }
    if (width === 0) out.fill(0, f, fe);
    else unpackFrame(r, out, f, fe, width);
    if (excStart >= 0) {
      const save = r.pos;
      r.pos = excStart;
      for (let k = 0; k < excN; k++) {
        const idx = r.u8();
        if (idx >= fe - f) throw new RangeError(`exception index ${idx} outside its frame at offset ${r.pos - 1}`);
        out[f + idx] = r.uvarint();
      }
      r.pos = save;
    }
  }
}

function unpackFrame(r: ByteReader, out: Float64Array, f: number, fe: number, width: number): void {
  const b = r.buf;
  const bytes = Math.ceil(((fe - f) * width) / 8);
  if (r.pos + bytes > r.end) throw new RangeError(`bit-packed frame truncated at offset ${r.pos}`);
  if (width <= 24) {
    const mask = (1 << width) - 1;
    let p = r.pos;
    let acc = 0;
    let nb = 0;
    for (let i = f; i < fe; i++) {
      while (nb < width) {
        acc = (acc | (b[p++]! << nb)) >>> 0;
        nb += 8;
      }
      out[i] = acc & mask;
      acc >>>= width;
      nb -= width;
    }
    r.pos += bytes;
    return;
  }
  let p = r.pos;
  let cur = b[p]!;
  let pos = 0;
  for (let i = f; i < fe; i++) {
    let v = 0;
    let got = 0;
    let mul = 1;
    while (got < width) {
      if (pos === 8) {
        cur = b[++p]!;
        pos = 0;
      }
      const want = width - got;
      const room = 8 - pos;
      const take = want < room ? want : room;
      v += ((cur >>> pos) & ((1 << take) - 1)) * mul;
      mul *= 1 << take;
      got += take;
      pos += take;
    }
    out[i] = v;
  }
  r.pos += bytes;
}
