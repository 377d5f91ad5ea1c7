import type { ByteReader, ByteWriter } from './bytes.ts';

/**
 * Frame-of-reference bit packing of non-negative integers below 2^53:
 * values go in frames of {@link FRAME}; each frame is one byte holding the
 * bit width of its largest value, then the values at that width, LSB first,
 * padded to a whole byte. A frame of zeros costs one byte, so runs of equal
 * deltas (regular scrape intervals, constant counters) are nearly free.
 */
export const FRAME = 64;
const TWO32 = 4294967296;

function bitWidth(v: number): number {
  if (v === 0) return 0;
  if (v < TWO32) return 32 - Math.clz32(v);
  return 32 + (32 - Math.clz32(Math.floor(v / TWO32)));
}

export function packInto(w: ByteWriter, vals: ArrayLike<number>, start: number, end: number): void {
  for (let f = start; f < end; f += FRAME) {
    const fe = Math.min(end, f + FRAME);
    let max = 0;
    for (let i = f; i < fe; i++) if (vals[i]! > max) max = vals[i]!;
    const width = bitWidth(max);
    w.u8(width);
    if (width === 0) continue;
    w.ensure(Math.ceil(((fe - f) * width) / 8) + 1);
    if (width <= 24) {
      // Fast path: a 32-bit accumulator holds the pending bits (fewer than 8 before each add).
      const b = w.buf;
      let p = w.len;
      let acc = 0;
      let nb = 0;
      for (let i = f; i < fe; i++) {
        acc |= vals[i]! << nb;
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
      const v = vals[i]!;
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
    const width = b[r.pos++]!;
    if (width > 53) throw new RangeError(`bit width ${width} out of range at offset ${r.pos - 1}`);
    if (width === 0) {
      out.fill(0, f, fe);
      continue;
    }
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
      continue;
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
}
