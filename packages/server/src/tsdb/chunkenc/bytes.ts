/**
 * Growable byte buffer and reader with the integer encodings the chunk and
 * block formats use: unsigned LEB128 varints that hold any integer up to
 * 2^53, zigzag for signed ones, and fixed-width little-endian words.
 */
export class ByteWriter {
  buf: Uint8Array;
  len = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v;
  }

  u32(v: number): void {
    this.ensure(4);
    const b = this.buf;
    let p = this.len;
    b[p++] = v & 0xff;
    b[p++] = (v >>> 8) & 0xff;
    b[p++] = (v >>> 16) & 0xff;
    b[p++] = (v >>> 24) & 0xff;
    this.len = p;
  }

  /** Unsigned varint; `v` must be a non-negative integer below 2^53. */
  uvarint(v: number): void {
    this.ensure(8);
    const b = this.buf;
    let p = this.len;
    // Above 2^31 in double arithmetic, below in int32 (`%` on a double is a library call).
    while (v > 0x7fffffff) {
      b[p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    while (v >= 0x80) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p++] = v;
    this.len = p;
  }

  varint(v: number): void {
    this.uvarint(zigzag(v));
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.len);
    this.len += src.length;
  }

  f64(v: number): void {
    this.ensure(8);
    F64[0] = v;
    // Eight stores beat a TypedArray.set call for eight bytes.
    const b = this.buf;
    const p = this.len;
    for (let i = 0; i < 8; i++) b[p + i] = F64_BYTES[i]!;
    this.len = p + 8;
  }

  string(s: string): void {
    // ASCII (nearly every label name and value) is copied as is; anything else goes through the encoder.
    const n = s.length;
    if (n < 128) {
      this.ensure(1 + n);
      const b = this.buf;
      const p = this.len;
      let ascii = true;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) {
          ascii = false;
          break;
        }
        b[p + 1 + i] = c;
      }
      if (ascii) {
        b[p] = n;
        this.len = p + 1 + n;
        return;
      }
    }
    const b = ENC.encode(s);
    this.uvarint(b.length);
    this.bytes(b);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

const ENC = new TextEncoder();
const DEC = new TextDecoder();
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);

export class ByteReader {
  constructor(
    public buf: Uint8Array,
    public pos = 0,
    public end = buf.length,
  ) {}

  /** Points the reader at `buf[pos, end)` (one reader serves many small reads). */
  reset(buf: Uint8Array, pos: number, end: number): void {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new RangeError(`unexpected end of data at offset ${this.pos} (need ${n} bytes, ${this.end - this.pos} left)`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  uvarint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      this.need(1);
      const c = this.buf[this.pos++]!;
      v += (c & 0x7f) * mul;
      if (c < 0x80) return v;
      mul *= 0x80;
    }
    throw new RangeError(`varint too long at offset ${this.pos}`);
  }

  varint(): number {
    return unzigzag(this.uvarint());
  }

  f64(): number {
    this.need(8);
    const b = this.buf;
    const p = this.pos;
    for (let i = 0; i < 8; i++) F64_BYTES[i] = b[p + i]!;
    this.pos = p + 8;
    return F64[0]!;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    const n = this.uvarint();
    return DEC.decode(this.bytes(n));
  }
}

/** Maps signed integers to unsigned ones, small magnitudes to small numbers; exact for |v| < 2^52. */
export function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

export function unzigzag(u: number): number {
  // Small values (nearly all) in int32 arithmetic: `%` on a double is a
  // library call in V8, and decoding runs this once per sample.
  if (u <= 0x7fffffff) return (u >>> 1) ^ -(u & 1);
  const h = Math.floor(u / 2);
  return u - 2 * h === 0 ? h : -h - 1;
}
