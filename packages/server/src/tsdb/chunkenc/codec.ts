import { ByteReader, ByteWriter, zigzag, unzigzag } from './bytes.ts';
import { FRAME, packedBits, packInto, unpackFrom } from './bitpack.ts';

/**
 * Vigil's sample chunk encoding (format: docs/format/chunks.md).
 *
 * Timestamps: the first relative to a base the container gives, the first
 * delta, then bit-packed zigzag delta-of-deltas (regular scrapes cost about
 * a bit per frame). Values: when every value is a decimal with at most
 * {@link MAX_DECIMALS} digits after the point (what exporters print), the
 * integer mantissas at a common exponent, stored as bit-packed zigzag
 * deltas (gauges) or delta-of-deltas (counters), whichever is smaller; any
 * other chunk (NaN, ±Inf, −0, long binary fractions) falls back to a
 * byte-aligned XOR of the IEEE 754 bits, which is lossless for every bit
 * pattern, the staleness NaN included.
 */
export const MODE_DELTA = 0;
export const MODE_DELTA2 = 1;
export const MODE_XOR = 2;
export const MAX_DECIMALS = 15;
/** Mantissas are kept below this so deltas of deltas stay exact doubles. */
const MAX_MANTISSA = 2 ** 49;
const POW10 = Array.from({ length: MAX_DECIMALS + 1 }, (_, i) => 10 ** i);

const scratch = { a: new Float64Array(1024), b: new Float64Array(1024), c: new Float64Array(1024) };
function scratchArrays(n: number): { a: Float64Array; b: Float64Array; c: Float64Array } {
  if (scratch.a.length < n) {
    scratch.a = new Float64Array(n * 2);
    scratch.b = new Float64Array(n * 2);
    scratch.c = new Float64Array(n * 2);
  }
  return scratch;
}

/** Smallest exponent at which `v` is an exact decimal mantissa, or -1. */
function decimalExponent(v: number): number {
  if (!Number.isFinite(v) || Object.is(v, -0)) return -1;
  for (let e = 0; e <= MAX_DECIMALS; e++) {
    const p = POW10[e]!;
    const m = Math.round(v * p);
    if (Math.abs(m) >= MAX_MANTISSA) return -1;
    if (m / p === v) return e;
  }
  return -1;
}

/** Appends the chunk of samples `[start, end)` (time-ordered, at least one) to `w`. */
export function encodeChunk(w: ByteWriter, ts: ArrayLike<number>, vs: ArrayLike<number>, start: number, end: number, base: number): void {
  const n = end - start;
  if (n <= 0) throw new RangeError('empty chunk');
  const { a, b, c } = scratchArrays(n);
  // Mode first, so a reader knows the layout before anything else.
  const exp = mantissas(vs, start, n, a);
  let mode = MODE_XOR;
  let chosenWidths: number[] | undefined;
  let m0 = 0;
  let d1 = 0;
  if (exp >= 0) {
    m0 = a[0]!;
    // delta costs vs delta-of-delta costs, estimated by frame maxima.
    let prev = m0;
    let prevD = 0;
    let maxD = 0;
    let maxDD = 0;
    for (let i = 1; i < n; i++) {
      const d = a[i]! - prev;
      const dd = zigzag(d - prevD);
      b[i] = dd; // dod (index 1 holds d1, replaced below)
      if (i >= 2 && dd > maxDD) maxDD = dd;
      prev = a[i]!;
      prevD = d;
      const zd = zigzag(d);
      a[i - 1] = zd;
      if (zd > maxD) maxD = zd;
    }
    d1 = n > 1 ? unzigzag(a[0]!) : 0;
    // Exact packed sizes when the maxima differ; equal maxima cost the same, so delta (one varint less) wins.
    let costDelta: number;
    let costDelta2: number;
    if (maxD === maxDD) {
      costDelta = 0;
      costDelta2 = 1;
    } else if (n >= 3 && n - 1 <= FRAME && maxD < 256 && maxDD < 256) {
      // One frame each, narrow: what packedBits would find, without scanning again.
      widthsD[0] = narrowWidth(maxD);
      widthsDD[0] = narrowWidth(maxDD);
      costDelta = 8 + (n - 1) * widthsD[0];
      costDelta2 = 8 + (n - 2) * widthsDD[0] + 8;
    } else {
      costDelta = packedBits(a, 0, n - 1, widthsD);
      costDelta2 = packedBits(b, 2, n, widthsDD) + 8;
    }
    mode = costDelta2 < costDelta ? MODE_DELTA2 : MODE_DELTA;
    chosenWidths = maxD === maxDD ? undefined : mode === MODE_DELTA ? widthsD : widthsDD;
  }
  w.u8(mode);
  w.uvarint(n);
  // Timestamps.
  w.varint(ts[start]! - base);
  if (n > 1) {
    const td1 = ts[start + 1]! - ts[start]!;
    w.varint(td1);
    const dods = c;
    let prevT = ts[start + 1]!;
    let prevD = td1;
    let any = 0;
    for (let i = 2; i < n; i++) {
      const d = ts[start + i]! - prevT;
      const dod = zigzag(d - prevD);
      dods[i - 2] = dod;
      any += dod;
      prevT = ts[start + i]!;
      prevD = d;
    }
    // Regular intervals: every frame is zeros, one width-0 byte each (what packInto writes for them).
    if (any === 0) for (let f = 0; f < n - 2; f += FRAME) w.u8(0);
    else packInto(w, dods, 0, n - 2);
  }
  // Values.
  if (mode === MODE_XOR) {
    writeXor(w, vs, start, end);
    return;
  }
  w.u8(exp);
  w.varint(m0);
  if (mode === MODE_DELTA) packInto(w, a, 0, n - 1, chosenWidths);
  else {
    if (n > 1) w.varint(d1);
    packInto(w, b, 2, n, chosenWidths);
  }
}

/**
 * The integer mantissas of vs[start, start + n) at the smallest exponent
 * that makes every value exact, into `out`; returns the exponent, or -1 when
 * some value is no short decimal (the chunk is XOR-coded). One pass in the
 * usual case: values are checked at the exponent found so far, and only the
 * values before a raise are computed again.
 */
function mantissas(vs: ArrayLike<number>, start: number, n: number, out: Float64Array): number {
  let exp = 0;
  let p = 1;
  // out[from, i) hold exact mantissas at exponent `exp`.
  let from = 0;
  for (let i = 0; i < n; i++) {
    const v = vs[start + i]!;
    const m = Math.round(v * p);
    if (m / p === v && Math.abs(m) < MAX_MANTISSA && !Object.is(v, -0)) {
      out[i] = m;
      continue;
    }
    const e = decimalExponent(v);
    if (e < 0) return -1;
    if (e <= exp) return slowMantissas(vs, start, n, out);
    exp = e;
    p = POW10[e]!;
    from = i;
    out[i] = Math.round(v * p);
  }
  for (let i = 0; i < from; i++) {
    const v = vs[start + i]!;
    const m = Math.round(v * p);
    if (Math.abs(m) >= MAX_MANTISSA || m / p !== v) return -1;
    out[i] = m;
  }
  return exp;
}

/** {@link mantissas} in two plain passes: the exponent first (the largest any value needs), then every mantissa checked at it. */
function slowMantissas(vs: ArrayLike<number>, start: number, n: number, out: Float64Array): number {
  let exp = 0;
  for (let i = 0; i < n; i++) {
    const v = vs[start + i]!;
    const p = POW10[exp]!;
    const m = Math.round(v * p);
    if (m / p === v && Math.abs(m) < MAX_MANTISSA && !Object.is(v, -0)) continue;
    const e = decimalExponent(v);
    if (e < 0) return -1;
    if (e > exp) exp = e;
  }
  const p = POW10[exp]!;
  for (let i = 0; i < n; i++) {
    const m = Math.round(vs[start + i]! * p);
    if (Math.abs(m) >= MAX_MANTISSA || m / p !== vs[start + i]!) return -1;
    out[i] = m;
  }
  return exp;
}

function narrowWidth(max: number): number {
  return max === 0 ? 0 : 32 - Math.clz32(max);
}

const widthsD: number[] = [];
const widthsDD: number[] = [];

const F = new Float64Array(2);
const W = new Uint32Array(F.buffer);

function writeXor(w: ByteWriter, vs: ArrayLike<number>, start: number, end: number): void {
  w.f64(vs[start]!);
  F[0] = vs[start]!;
  let ph = W[1]!;
  let pl = W[0]!;
  for (let i = start + 1; i < end; i++) {
    F[1] = vs[i]!;
    const h = W[3]!;
    const l = W[2]!;
    const xh = (h ^ ph) >>> 0;
    const xl = (l ^ pl) >>> 0;
    ph = h;
    pl = l;
    if (xh === 0 && xl === 0) {
      w.u8(0);
      continue;
    }
    // Bytes 0..3 are xl (LSB first), 4..7 are xh.
    let lead = 0;
    for (let k = 7; k >= 0 && byteAt(xh, xl, k) === 0; k--) lead++;
    let trail = 0;
    for (let k = 0; k < 8 && byteAt(xh, xl, k) === 0; k++) trail++;
    w.u8(0x80 | (lead << 3) | trail);
    w.ensure(8);
    for (let k = trail; k < 8 - lead; k++) w.buf[w.len++] = byteAt(xh, xl, k);
  }
}

function byteAt(xh: number, xl: number, k: number): number {
  return k < 4 ? (xl >>> (k * 8)) & 0xff : (xh >>> ((k - 4) * 8)) & 0xff;
}

export interface DecodedChunk {
  n: number;
  ts: Float64Array;
  vs: Float64Array;
}

/** Decodes one chunk starting at `r.pos`; throws a RangeError naming the offset when the bytes are not a chunk. */
export function decodeChunk(r: ByteReader, base: number): DecodedChunk {
  const n = chunkSamples(r);
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  decodeChunkInto(r, base, ts, vs, 0);
  return { n, ts, vs };
}

/** The sample count of the chunk at `r.pos`, without moving `r`. */
export function chunkSamples(r: ByteReader): number {
  const at = r.pos;
  const mode = r.u8();
  if (mode > MODE_XOR) throw new RangeError(`unknown chunk encoding ${mode} at offset ${at}`);
  const n = r.uvarint();
  r.pos = at;
  if (n === 0 || n > 1 << 24) throw new RangeError(`implausible chunk sample count ${n} at offset ${at}`);
  return n;
}

let tmp = new Float64Array(256);

/**
 * Decodes one chunk starting at `r.pos` into `ts`/`vs` from index `off`
 * (the caller makes room: {@link chunkSamples} tells how much); returns the
 * sample count. Allocates nothing for chunks of up to 256 samples.
 */
export function decodeChunkInto(r: ByteReader, base: number, ts: Float64Array, vs: Float64Array, off: number): number {
  const at = r.pos;
  const mode = r.u8();
  if (mode > MODE_XOR) throw new RangeError(`unknown chunk encoding ${mode} at offset ${at}`);
  const n = r.uvarint();
  if (n === 0 || n > 1 << 24) throw new RangeError(`implausible chunk sample count ${n} at offset ${at}`);
  if (off + n > ts.length || off + n > vs.length) throw new RangeError(`chunk of ${n} samples at offset ${at} does not fit its output`);
  if (tmp.length < n) tmp = new Float64Array(n * 2);
  const t0 = base + r.varint();
  ts[off] = t0;
  if (n > 1) {
    const td1 = r.varint();
    let prevT = t0 + td1;
    ts[off + 1] = prevT;
    if (n > 2) {
      unpackFrom(r, tmp, n - 2);
      let prevD = td1;
      for (let i = 2; i < n; i++) {
        const d = prevD + unzigzag(tmp[i - 2]!);
        prevT += d;
        ts[off + i] = prevT;
        prevD = d;
      }
    }
  }
  if (mode === MODE_XOR) {
    readXor(r, vs, off, n);
    return n;
  }
  const exp = r.u8();
  if (exp > MAX_DECIMALS) throw new RangeError(`decimal exponent ${exp} out of range at offset ${r.pos - 1}`);
  const p = POW10[exp]!;
  let m = r.varint();
  vs[off] = m / p;
  if (mode === MODE_DELTA) {
    if (n > 1) {
      unpackFrom(r, tmp, n - 1);
      for (let i = 1; i < n; i++) {
        m += unzigzag(tmp[i - 1]!);
        vs[off + i] = m / p;
      }
    }
  } else if (n > 1) {
    let d = r.varint();
    m += d;
    vs[off + 1] = m / p;
    if (n > 2) {
      unpackFrom(r, tmp, n - 2);
      for (let i = 2; i < n; i++) {
        d += unzigzag(tmp[i - 2]!);
        m += d;
        vs[off + i] = m / p;
      }
    }
  }
  return n;
}

function readXor(r: ByteReader, vs: Float64Array, off: number, n: number): void {
  // Written word by word so NaN payloads (the staleness marker) survive bit for bit.
  const out = new Uint32Array(vs.buffer, vs.byteOffset + off * 8, n * 2);
  const first = r.bytes(8);
  W[0] = (first[0]! | (first[1]! << 8) | (first[2]! << 16) | (first[3]! << 24)) >>> 0;
  W[1] = (first[4]! | (first[5]! << 8) | (first[6]! << 16) | (first[7]! << 24)) >>> 0;
  out[0] = W[0]!;
  out[1] = W[1]!;
  for (let i = 1; i < n; i++) {
    const c = r.u8();
    if (c !== 0) {
      if ((c & 0x80) === 0) throw new RangeError(`bad XOR control byte at offset ${r.pos - 1}`);
      const lead = (c >> 3) & 7;
      const trail = c & 7;
      if (lead + trail > 7) throw new RangeError(`bad XOR control byte at offset ${r.pos - 1}`);
      let xh = 0;
      let xl = 0;
      for (let k = trail; k < 8 - lead; k++) {
        const byte = r.u8();
        if (k < 4) xl |= byte << (k * 8);
        else xh |= byte << ((k - 4) * 8);
      }
      W[0] = (W[0]! ^ xl) >>> 0;
      W[1] = (W[1]! ^ xh) >>> 0;
    }
    out[2 * i] = W[0]!;
    out[2 * i + 1] = W[1]!;
  }
}

/** Encodes into a fresh byte array. */
export function encodeChunkBytes(ts: ArrayLike<number>, vs: ArrayLike<number>, start: number, end: number, base: number): Uint8Array {
  const w = new ByteWriter(64 + (end - start) * 3);
  encodeChunk(w, ts, vs, start, end, base);
  return w.finish();
}
