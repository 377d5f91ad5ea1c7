import { closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readSync, renameSync, statSync, unlinkSync, writeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Label, Logger } from '@vigil/core';

/**
 * Write-ahead log: numbered segment files in `<dir>/wal`, each a sequence of
 * records `type:u8 len:u32le crc32:u32le payload[len]` (format in
 * docs/format/wal.md). Records are written with one write(2) per commit; the
 * OS page cache makes them survive a process crash (kill -9). Segments are
 * fsynced when they are closed and on clean shutdown, so a power cut can lose
 * at most the commits of the last unsynced segment — the policy Prometheus
 * uses for its WAL.
 */
export const RECORD_SERIES = 1;
export const RECORD_SAMPLES = 2;
/** Samples with varint ref and time deltas (half the size of type 2); what Vigil writes. */
export const RECORD_SAMPLES_V2 = 3;
const HEADER = 9;
const SEGMENT_BYTES = 128 * 1024 * 1024;

export interface WalSeries {
  ref: number;
  labels: Label[];
}

export interface ReplayHandlers {
  series(s: WalSeries): void;
  /** The arrays may be reused after the call returns: copy what must outlive it. */
  samples(refs: Uint32Array, ts: Float64Array, vs: Float64Array, n: number): void;
  /** Called as each segment starts replaying (its number). */
  progress?(segment: number): void;
}

/** A place in the log: a segment number and a byte offset in it. */
export interface WalPosition {
  segment: number;
  offset: number;
}

export interface ReplayStats {
  segments: number;
  records: number;
  /** Bytes of log read (after the head snapshot's position when one was loaded). */
  bytes: number;
  /** Corruptions found and cut off (segment name + byte offset each). */
  corruptions: Array<{ segment: string; offset: number; reason: string }>;
}

const dec = new TextDecoder();

function segmentName(n: number): string {
  return String(n).padStart(8, '0');
}

export class WAL {
  private fd = -1;
  private segment = 0;
  private size = 0;
  /** Bytes of records written since it was opened for writing. */
  written = 0;
  private readonly dir: string;

  constructor(
    root: string,
    private readonly logger: Logger,
  ) {
    this.dir = join(root, 'wal');
    mkdirSync(this.dir, { recursive: true });
  }

  segments(): number[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => /^\d{8}$/.test(f))
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** The newest complete checkpoint: its name and the last segment it covers. */
  checkpoint(): { name: string; upTo: number } | undefined {
    if (!existsSync(this.dir)) return undefined;
    const cps = readdirSync(this.dir)
      .filter((f) => /^checkpoint\.\d{8}$/.test(f))
      .sort();
    const last = cps[cps.length - 1];
    return last ? { name: last, upTo: Number(last.slice('checkpoint.'.length)) } : undefined;
  }

  /**
   * Writes the head's state as a checkpoint covering every segment up to
   * the current one, then deletes those segments: the WAL stays bounded by
   * what the head holds. The current segment is closed first, so commits
   * made afterwards go to a new segment the checkpoint does not cover.
   * Crash-safe: written to a temporary file, fsynced and renamed; older
   * segments are removed only after the rename.
   */
  writeCheckpoint(write: (emit: (series: readonly WalSeries[], refs: Uint32Array, ts: Float64Array, vs: Float64Array, n: number) => void) => void): number {
    const upTo = this.cut();
    const tmp = join(this.dir, `checkpoint.${segmentName(upTo)}.tmp`);
    const fd = openSync(tmp, 'w');
    let bytes = 0;
    try {
      write((series, refs, ts, vs, n) => {
        const parts: Buffer[] = [];
        if (series.length) parts.push(record(RECORD_SERIES, encodeSeries(series)));
        if (n > 0) parts.push(record(RECORD_SAMPLES_V2, encodeSamples(refs, ts, vs, n)));
        for (const b of parts) {
          let w = 0;
          while (w < b.length) w += writeSync(fd, b, w);
          bytes += b.length;
        }
      });
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const final = join(this.dir, `checkpoint.${segmentName(upTo)}`);
    renameSync(tmp, final);
    for (const f of readdirSync(this.dir)) {
      if (/^checkpoint\.\d{8}(\.tmp)?$/.test(f) && f !== `checkpoint.${segmentName(upTo)}`) unlinkSync(join(this.dir, f));
    }
    this.deleteUpTo(upTo);
    return bytes;
  }

  /**
   * Reads every segment in order and feeds the records to the handlers. A
   * torn or corrupt record ends the replay: the segment is truncated at its
   * offset and later segments are deleted, so what was acknowledged before
   * the damage is kept and the log is appendable again.
   */
  replay(h: ReplayHandlers, from?: WalPosition): ReplayStats {
    const stats: ReplayStats = { segments: 0, records: 0, bytes: 0, corruptions: [] };
    const cp = this.checkpoint();
    // A checkpoint replays first; segments it covers are skipped (they may
    // survive a crash between the checkpoint's rename and their deletion).
    // With `from` (a head snapshot's position), everything before it is skipped.
    const segs = this.segments().filter((n) => (!cp || n > cp.upTo) && (!from || n >= from.segment));
    const files: Array<{ name: string; segIndex: number }> = [];
    if (cp && !from) files.push({ name: cp.name, segIndex: -1 });
    segs.forEach((n, i) => files.push({ name: segmentName(n), segIndex: i }));
    // Segment numbers have no holes (a checkpoint covering n is written after
    // segment n+1 was opened), so a missing number is a lost segment: it is
    // reported, recreated empty (reported once) and the segments after it
    // still replay (samples of series it introduced cannot be named and are
    // dropped).
    let next = cp && !from ? cp.upTo + 1 : undefined;
    // One read buffer for every file (a segment is up to 128 MiB): a fresh
    // one per segment costs its page faults again each time.
    let readBuf = Buffer.allocUnsafe(0);
    for (const file of files) {
      const si = file.segIndex;
      const name = file.name;
      const path = join(this.dir, name);
      if (si >= 0) {
        const n = Number(name);
        if (next !== undefined && n > next) {
          const reason = n - 1 > next ? `segments ${segmentName(next)} to ${segmentName(n - 1)} missing` : 'segment missing';
          stats.corruptions.push({ segment: segmentName(next), offset: 0, reason });
          this.logger.warn({ segment: segmentName(next), reason }, 'WAL corruption: missing segment; replaying the segments after it');
          for (let g = next; g < n; g++) closeSync(openSync(join(this.dir, segmentName(g)), 'a'));
        }
        next = n + 1;
        h.progress?.(n);
      }
      const fdr = openSync(path, 'r');
      let buf: Buffer;
      try {
        const size = fstatSync(fdr).size;
        if (readBuf.length < size) readBuf = Buffer.allocUnsafe(Math.max(size, Math.min(SEGMENT_BYTES, readBuf.length * 2)));
        let got = 0;
        while (got < size) {
          const r = readSync(fdr, readBuf, got, size - got, got);
          if (r === 0) break;
          got += r;
        }
        buf = readBuf.subarray(0, got);
      } finally {
        closeSync(fdr);
      }
      stats.segments++;
      let off = from && si >= 0 && Number(name) === from.segment ? Math.min(from.offset, buf.length) : 0;
      stats.bytes += buf.length - off;
      let bad: string | undefined;
      while (off < buf.length) {
        if (buf.length - off < HEADER) {
          bad = 'torn record header';
          break;
        }
        const type = buf[off]!;
        const len = buf.readUInt32LE(off + 1);
        const sum = buf.readUInt32LE(off + 5);
        if (type !== RECORD_SERIES && type !== RECORD_SAMPLES && type !== RECORD_SAMPLES_V2) {
          bad = `unknown record type ${type}`;
          break;
        }
        if (off + HEADER + len > buf.length) {
          bad = 'torn record payload';
          break;
        }
        const payload = buf.subarray(off + HEADER, off + HEADER + len);
        if (crc32(payload) !== sum) {
          bad = 'checksum mismatch';
          break;
        }
        try {
          decodeRecord(type, payload, h);
        } catch (err) {
          bad = `undecodable record: ${(err as Error).message}`;
          break;
        }
        stats.records++;
        off += HEADER + len;
      }
      if (bad !== undefined) {
        stats.corruptions.push({ segment: name, offset: off, reason: bad });
        this.logger.warn({ segment: name, offset: off, reason: bad }, 'WAL corruption: truncating segment and dropping later segments');
        const fd = openSync(path, 'r+');
        ftruncateSync(fd, off);
        fsyncSync(fd);
        closeSync(fd);
        // Damage inside the checkpoint loses only what it held: the segments
        // after it are still replayed. Damage in a segment ends the log there.
        if (si < 0) continue;
        for (const later of segs.slice(si + 1)) unlinkSync(join(this.dir, segmentName(later)));
        break;
      }
    }
    return stats;
  }

  /** Opens a fresh segment after the existing ones for writing. */
  openForWrite(): void {
    const segs = this.segments();
    const last = Math.max(segs.length ? segs[segs.length - 1]! : 0, this.checkpoint()?.upTo ?? 0);
    this.segment = last + 1;
    this.openSegment();
  }

  private openSegment(): void {
    this.fd = openSync(join(this.dir, segmentName(this.segment)), 'a');
    this.size = fstatSync(this.fd).size;
  }

  /**
   * Writes one commit — its new series, then its samples — in a single
   * write; returns bytes written. Samples come as parallel typed arrays so
   * NaN payloads (staleness markers) reach the disk bit for bit.
   */
  logRaw(series: readonly WalSeries[], refs: Uint32Array, ts: Float64Array, vs: Float64Array, n: number): number {
    let bytes = 0;
    if (series.length) bytes += this.writeRecord(record(RECORD_SERIES, encodeSeries(series)), -1);
    if (n > 0) {
      // Encoded straight into a reused buffer after room for the record header: no per-commit garbage.
      const need = HEADER + 20 + n * 28;
      if (scratch.length < need) scratch = Buffer.allocUnsafe(Math.max(need, scratch.length * 2));
      const len = encodeSamplesInto(scratch, HEADER, refs, ts, vs, n) - HEADER;
      scratch[0] = RECORD_SAMPLES_V2;
      scratch.writeUInt32LE(len, 1);
      scratch.writeUInt32LE(crc32(scratch.subarray(HEADER, HEADER + len)), 5);
      bytes += this.writeRecord(scratch, HEADER + len);
    }
    return bytes;
  }

  private writeRecord(buf: Buffer, len: number): number {
    const size = len < 0 ? buf.length : len;
    if (this.size > 0 && this.size + size > SEGMENT_BYTES) this.rotate();
    let written = 0;
    while (written < size) written += writeSync(this.fd, buf, written, size - written);
    this.size += size;
    this.written += size;
    return size;
  }

  private rotate(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.segment++;
    this.openSegment();
  }

  /** Current segment number (for checkpoints). */
  currentSegment(): number {
    return this.segment;
  }

  /** Path of segment `n` (the one being written, for one). */
  segmentPath(n: number): string {
    return join(this.dir, segmentName(n));
  }

  /** Where the next record will be written. */
  position(): WalPosition {
    return { segment: this.segment, offset: this.size };
  }

  /** The newest checkpoint's last covered segment, or -1. */
  checkpointUpTo(): number {
    return this.checkpoint()?.upTo ?? -1;
  }

  /** Starts a new segment and returns the number of the last closed one. */
  cut(): number {
    const last = this.segment;
    this.rotate();
    return last;
  }

  /** Deletes segments numbered <= n. */
  deleteUpTo(n: number): void {
    for (const s of this.segments()) if (s <= n) unlinkSync(join(this.dir, segmentName(s)));
  }

  bytes(): number {
    let total = 0;
    for (const s of this.segments()) {
      try {
        total += statSync(join(this.dir, segmentName(s))).size;
      } catch {
        // deleted concurrently
      }
    }
    return total;
  }

  close(): void {
    if (this.fd >= 0) {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}

function record(type: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER + payload.length);
  out[0] = type;
  out.writeUInt32LE(payload.length, 1);
  out.writeUInt32LE(crc32(payload), 5);
  payload.copy(out, HEADER);
  return out;
}

function encodeSeries(series: readonly WalSeries[]): Buffer {
  // Strings are written straight into the record (no encoded copy per name
  // and value: with many new series those were most of the garbage, and
  // glibc kept the memory after the ingestion peak).
  let size = 4;
  for (const s of series) {
    size += 6;
    for (const l of s.labels) size += 8 + Buffer.byteLength(l.name) + Buffer.byteLength(l.value);
  }
  const buf = Buffer.allocUnsafe(size);
  let off = buf.writeUInt32LE(series.length, 0);
  for (const s of series) {
    off = buf.writeUInt32LE(s.ref, off);
    off = buf.writeUInt16LE(s.labels.length, off);
    for (const l of s.labels) {
      off = writeString(buf, off, l.name);
      off = writeString(buf, off, l.value);
    }
  }
  return buf;
}

/** u32le byte length + UTF-8 bytes of `s` at `off`; returns the offset after them. */
function writeString(buf: Buffer, off: number, s: string): number {
  const n = buf.write(s, off + 4, 'utf8');
  buf.writeUInt32LE(n, off);
  return off + 4 + n;
}

/** Reused by {@link WAL.logRaw} for the samples of every commit (single-threaded). */
let scratch = Buffer.allocUnsafe(1 << 16);

/**
 * Samples record v2: `count:uvarint baseT:varint`, then per sample
 * `zigzag(ref - prevRef):uvarint zigzag(t - baseT):uvarint v:f64le`
 * (prevRef starts at 0). A batch from one scrape or request shares its
 * timestamp and has ascending refs, so a sample takes 10 bytes.
 */
function encodeSamples(refs: Uint32Array, ts: Float64Array, vs: Float64Array, n: number): Buffer {
  const buf = Buffer.allocUnsafe(20 + n * 28);
  return buf.subarray(0, encodeSamplesInto(buf, 0, refs, ts, vs, n));
}

/** Writes a v2 samples payload at `at`; returns the offset after it. */
function encodeSamplesInto(buf: Buffer, at: number, refs: Uint32Array, ts: Float64Array, vs: Float64Array, n: number): number {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  let off = putUvarint(buf, at, n);
  const baseT = n > 0 ? ts[0]! : 0;
  off = putUvarint(buf, off, zz(baseT));
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const r = refs[i]!;
    off = putUvarint(buf, off, zz(r - prev));
    prev = r;
    off = putUvarint(buf, off, zz(ts[i]! - baseT));
    view.setFloat64(off, vs[i]!, true);
    off += 8;
  }
  return off;
}

function zz(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

function unzz(u: number): number {
  // int32 arithmetic for small values: `%` on a double is a library call in V8.
  if (u <= 0x7fffffff) return (u >>> 1) ^ -(u & 1);
  const h = Math.floor(u / 2);
  return u - 2 * h === 0 ? h : -h - 1;
}

function putUvarint(b: Buffer, off: number, v: number): number {
  while (v > 0x7fffffff) {
    b[off++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  while (v >= 0x80) {
    b[off++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  b[off++] = v;
  return off;
}

let rpos = 0;
function getUvarint(b: Buffer, end: number): number {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 8; i++) {
    if (rpos >= end) throw new Error(`samples record truncated at byte ${rpos}`);
    const c = b[rpos++]!;
    if (c < 0x80) return v + c * mul;
    v += (c & 0x7f) * mul;
    mul *= 0x80;
  }
  throw new Error(`varint too long at byte ${rpos}`);
}

// Reused between records: handlers get views valid only during their call.
let decRefs = new Uint32Array(1 << 16);
let decTs = new Float64Array(1 << 16);
let decVs = new Float64Array(1 << 16);

function decodeSamplesV2(p: Buffer, h: ReplayHandlers): void {
  rpos = 0;
  const end = p.length;
  const n = getUvarint(p, end);
  if (n > end) throw new Error(`samples record claims ${n} samples in ${end} bytes`);
  const baseT = unzz(getUvarint(p, end));
  if (decRefs.length < n) {
    decRefs = new Uint32Array(n * 2);
    decTs = new Float64Array(n * 2);
    decVs = new Float64Array(n * 2);
  }
  const refs = decRefs;
  const ts = decTs;
  const vs = decVs;
  const bits = new DataView(p.buffer, p.byteOffset, p.length);
  let prev = 0;
  let q = rpos;
  for (let i = 0; i < n; i++) {
    // One-byte varints (the usual case) inline; longer ones through getUvarint.
    let c = q < end ? p[q]! : 0x80;
    if (c < 0x80) q++;
    else {
      rpos = q;
      c = getUvarint(p, end);
      q = rpos;
    }
    prev += unzz(c);
    refs[i] = prev;
    c = q < end ? p[q]! : 0x80;
    if (c < 0x80) q++;
    else {
      rpos = q;
      c = getUvarint(p, end);
      q = rpos;
    }
    ts[i] = baseT + (unzz(c));
    if (q + 8 > end) throw new Error(`samples record truncated at byte ${q}`);
    vs[i] = bits.getFloat64(q, true);
    q += 8;
  }
  rpos = q;
  if (rpos !== end) throw new Error(`samples record has ${end - rpos} trailing bytes`);
  h.samples(refs, ts, vs, n);
}

function decodeRecord(type: number, p: Buffer, h: ReplayHandlers): void {
  if (type === RECORD_SERIES) {
    const n = p.readUInt32LE(0);
    let off = 4;
    // Decoded whole before any is handed over: an undecodable record (a
    // samples record whose type byte was damaged, say) must add no series.
    const out: WalSeries[] = [];
    for (let i = 0; i < n; i++) {
      const ref = p.readUInt32LE(off);
      const nl = p.readUInt16LE(off + 4);
      off += 6;
      const labels: Label[] = [];
      for (let j = 0; j < nl; j++) {
        const nlen = p.readUInt32LE(off);
        const name = dec.decode(p.subarray(off + 4, off + 4 + nlen));
        off += 4 + nlen;
        const vlen = p.readUInt32LE(off);
        const value = dec.decode(p.subarray(off + 4, off + 4 + vlen));
        off += 4 + vlen;
        labels.push({ name, value });
      }
      out.push({ ref, labels });
    }
    if (off !== p.length) throw new Error(`series record has ${p.length - off} trailing bytes`);
    for (const s of out) h.series(s);
    return;
  }
  if (type === RECORD_SAMPLES_V2) {
    decodeSamplesV2(p, h);
    return;
  }
  const n = p.readUInt32LE(0);
  if (p.length !== 4 + n * 20) throw new Error(`samples record length ${p.length} does not fit ${n} samples`);
  const refs = new Uint32Array(n);
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  // Copy value bits through a Float64Array view so staleness-marker NaN payloads survive.
  const bits = new DataView(p.buffer, p.byteOffset, p.length);
  let off = 4;
  for (let i = 0; i < n; i++) {
    refs[i] = bits.getUint32(off, true);
    ts[i] = bits.getFloat64(off + 4, true);
    vs[i] = bits.getFloat64(off + 12, true);
    off += 20;
  }
  h.samples(refs, ts, vs, n);
}
