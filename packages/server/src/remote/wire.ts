import type { Label } from '@vigil/core';

/**
 * A direct reader for remote-write 1.0 `WriteRequest` bytes (prompb:
 * WriteRequest{1: TimeSeries*}, TimeSeries{1: Label*, 2: Sample*},
 * Label{1: name, 2: value}, Sample{1: double value, 2: int64 timestamp}),
 * walking the buffer without building an object per label or sample: the
 * receiver's hot path. Other fields (metadata, exemplars, native
 * histograms) are skipped by wire type. Errors name the byte offset.
 */
export class WireError extends Error {}

let pos = 0;

function varint(buf: Uint8Array, end: number): number {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new WireError(`truncated varint at offset ${pos}`);
    const b = buf[pos++]!;
    v += (b & 0x7f) * mul;
    if (b < 0x80) return v;
    mul *= 128;
  }
  throw new WireError(`varint longer than 10 bytes at offset ${pos}`);
}

/** An int64 varint as a number, negative values included (two's complement over 10 bytes); exact below 2^53 in magnitude. */
function varintInt64(buf: Uint8Array, end: number): number {
  const start = pos;
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 7; i++) {
    if (pos >= end) throw new WireError(`truncated varint at offset ${pos}`);
    const b = buf[pos++]!;
    v += (b & 0x7f) * mul;
    if (b < 0x80) return v;
    mul *= 128;
  }
  // Longer than 49 bits (negative numbers take 10 bytes): exact arithmetic.
  pos = start;
  let big = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new WireError(`truncated varint at offset ${pos}`);
    const b = buf[pos++]!;
    big |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return Number(BigInt.asIntN(64, big));
    shift += 7n;
  }
  throw new WireError(`varint longer than 10 bytes at offset ${pos}`);
}

function skip(buf: Uint8Array, wire: number, end: number): void {
  switch (wire) {
    case 0:
      varint(buf, end);
      return;
    case 1:
      pos += 8;
      break;
    case 2: {
      const n = varint(buf, end);
      pos += n;
      break;
    }
    case 5:
      pos += 4;
      break;
    default:
      throw new WireError(`unsupported wire type ${wire} at offset ${pos}`);
  }
  if (pos > end) throw new WireError(`field runs past its message end (${end}) at offset ${pos}`);
}

/** One time series as found in the buffer; valid only during the callback. */
export interface WireSeries {
  buf: Buffer;
  /** Byte range holding all its Label fields, when they are contiguous (the usual case). */
  labelsStart: number;
  labelsEnd: number;
  labelsContiguous: boolean;
  /** Where the TimeSeries message lies (for the slow path). */
  start: number;
  end: number;
  /** Decoded samples: ts[i], vs[i] for i < n. */
  n: number;
  ts: Float64Array;
  vs: Float64Array;
}


/** Calls `fn` for every TimeSeries of a decompressed WriteRequest. */
export function forEachWireSeries(buf: Buffer, fn: (s: WireSeries) => void): void {
  const s: WireSeries = { buf, labelsStart: 0, labelsEnd: 0, labelsContiguous: true, start: 0, end: 0, n: 0, ts: new Float64Array(16), vs: new Float64Array(16) };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const total = buf.length;
  pos = 0;
  while (pos < total) {
    const tag = varint(buf, total);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field !== 1 || wire !== 2) {
      skip(buf, wire, total);
      continue;
    }
    const len = varint(buf, total);
    const end = pos + len;
    if (end > total) throw new WireError(`time series at offset ${pos} runs past the request end`);
    s.start = pos;
    s.end = end;
    s.n = 0;
    s.labelsStart = -1;
    s.labelsEnd = -1;
    s.labelsContiguous = true;
    let lastWasLabel = false;
    while (pos < end) {
      const fieldStart = pos;
      const t = varint(buf, end);
      const f = Math.floor(t / 8);
      const w = t & 7;
      if (f === 1 && w === 2) {
        if (s.labelsStart < 0) s.labelsStart = fieldStart;
        else if (!lastWasLabel) s.labelsContiguous = false;
        const l = varint(buf, end);
        pos += l;
        if (pos > end) throw new WireError(`label at offset ${fieldStart} runs past its series`);
        s.labelsEnd = pos;
        lastWasLabel = true;
        continue;
      }
      lastWasLabel = false;
      if (f === 2 && w === 2) {
        const l = varint(buf, end);
        const sEnd = pos + l;
        if (sEnd > end) throw new WireError(`sample at offset ${fieldStart} runs past its series`);
        let v = 0;
        let ts = 0;
        while (pos < sEnd) {
          const st = varint(buf, sEnd);
          const sf = Math.floor(st / 8);
          const sw = st & 7;
          if (sf === 1 && sw === 1) {
            if (pos + 8 > sEnd) throw new WireError(`truncated sample value at offset ${pos}`);
            v = view.getFloat64(pos, true);
            pos += 8;
          } else if (sf === 2 && sw === 0) {
            ts = varintInt64(buf, sEnd);
          } else skip(buf, sw, sEnd);
        }
        if (s.n === s.ts.length) {
          const nt = new Float64Array(s.n * 2);
          nt.set(s.ts);
          const nv = new Float64Array(s.n * 2);
          nv.set(s.vs);
          s.ts = nt;
          s.vs = nv;
        }
        s.ts[s.n] = ts;
        s.vs[s.n] = v;
        s.n++;
        continue;
      }
      skip(buf, w, end);
    }
    if (s.labelsStart < 0) {
      s.labelsStart = s.labelsEnd = end;
    }
    fn(s);
    pos = end;
  }
}

/** Decodes the labels of a series (any order, empty values kept). */
export function decodeWireLabels(s: WireSeries): Label[] {
  const buf = s.buf;
  const out: Label[] = [];
  const saved = pos;
  pos = s.start;
  while (pos < s.end) {
    const t = varint(buf, s.end);
    const f = Math.floor(t / 8);
    const w = t & 7;
    if (f !== 1 || w !== 2) {
      skip(buf, w, s.end);
      continue;
    }
    const l = varint(buf, s.end);
    const lEnd = pos + l;
    let name = '';
    let value = '';
    while (pos < lEnd) {
      const lt = varint(buf, lEnd);
      const lf = Math.floor(lt / 8);
      const lw = lt & 7;
      if (lw === 2 && (lf === 1 || lf === 2)) {
        const n = varint(buf, lEnd);
        if (pos + n > lEnd) throw new WireError(`label string at offset ${pos} runs past its label`);
        const str = buf.toString('utf8', pos, pos + n);
        pos += n;
        if (lf === 1) name = str;
        else value = str;
      } else skip(buf, lw, lEnd);
    }
    out.push({ name, value });
  }
  pos = saved;
  return out;
}

/** 30-bit hash of the series' raw label bytes (an unboxed integer key; collisions are told apart by comparing the labels). */
export function hashWireLabels(s: WireSeries): number {
  const buf = s.buf;
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = s.labelsStart; i < s.labelsEnd; i++) {
    const c = buf[i]!;
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 13;
  }
  return ((h1 ^ (h2 >>> 7)) >>> 0) & 0x3fffffff;
}

/**
 * Whether the series' wire labels are exactly `labels`, in order (remote
 * write requires sorted labels), without decoding strings: ASCII bytes are
 * compared with the string's char codes, anything else falls back to a
 * decode of that one string.
 */
export function wireLabelsEqual(s: WireSeries, labels: readonly Label[]): boolean {
  const buf = s.buf;
  let p = s.labelsStart;
  let i = 0;
  const saved = pos;
  try {
    while (p < s.labelsEnd) {
      if (i >= labels.length) return false;
      pos = p;
      varint(buf, s.labelsEnd); // tag (checked contiguous = field 1)
      const l = varint(buf, s.labelsEnd);
      const lEnd = pos + l;
      let seen = 0;
      while (pos < lEnd) {
        const lt = varint(buf, lEnd);
        const lf = Math.floor(lt / 8);
        const lw = lt & 7;
        if (lw !== 2 || (lf !== 1 && lf !== 2)) return false;
        const n = varint(buf, lEnd);
        const str = lf === 1 ? labels[i]!.name : labels[i]!.value;
        if (!bytesEqualString(buf, pos, n, str)) return false;
        seen |= lf;
        pos += n;
      }
      if (seen !== 3) return false; // an absent name or value (empty string) takes the slow path
      p = lEnd;
      i++;
    }
    return i === labels.length;
  } finally {
    pos = saved;
  }
}

function bytesEqualString(buf: Buffer, at: number, n: number, str: string): boolean {
  if (n === str.length) {
    let ascii = true;
    for (let k = 0; k < n; k++) {
      const b = buf[at + k]!;
      if (b >= 0x80) {
        ascii = false;
        break;
      }
      if (b !== str.charCodeAt(k)) return false;
    }
    if (ascii) return true;
  }
  return buf.toString('utf8', at, at + n) === str;
}
