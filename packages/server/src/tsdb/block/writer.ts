import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { compareLabels, type Labels } from '@vigil/core';
import { ByteWriter } from '../chunkenc/bytes.ts';
import { encodeChunk } from '../chunkenc/codec.ts';
import { ulid as newULID } from './ulid.ts';
import { type BlockMeta, CHUNKS_FILE, INDEX_FILE, type IndexSeries, META_FILE } from './meta.ts';

export const CHUNKS_MAGIC = 0x48434756; // "VGCH" little-endian
export const INDEX_MAGIC = 0x58494756; // "VGIX"
export const FORMAT_VERSION = 1;
const FLUSH_AT = 1 << 20;

/**
 * Writes one block: series are added in any order with all their samples in
 * the block's range; each becomes one chunk (format: docs/format/blocks.md).
 * The block is built in `<ulid>.tmp` and renamed into place by
 * {@link finish}, so a crash never leaves a half-written block under a
 * valid name.
 */
export class BlockWriter {
  readonly ulid: string;
  private readonly tmp: string;
  private readonly fd: number;
  private readonly w = new ByteWriter(FLUSH_AT + 65536);
  private written = 0;
  private readonly entries: IndexSeries[] = [];
  private samples = 0;
  private readonly chunk = new ByteWriter(4096);

  constructor(
    private readonly parent: string,
    readonly minTime: number,
    readonly maxTime: number,
    private readonly compaction: BlockMeta['compaction'] = { level: 1, sources: [] },
    id = newULID(),
  ) {
    this.ulid = id;
    this.tmp = join(parent, `${id}.tmp`);
    mkdirSync(this.tmp, { recursive: true });
    this.fd = openSync(join(this.tmp, CHUNKS_FILE), 'w');
    this.w.u32(CHUNKS_MAGIC);
    this.w.u8(FORMAT_VERSION);
    this.w.u8(0);
    this.w.u8(0);
    this.w.u8(0);
  }

  /** Adds a series with its samples (time-ordered, inside [minTime, maxTime)); empty series are skipped. */
  add(labels: Labels, ts: ArrayLike<number>, vs: ArrayLike<number>, n = ts.length): void {
    if (n === 0) return;
    const c = this.chunk;
    c.len = 0;
    encodeChunk(c, ts, vs, 0, n, this.minTime);
    const off = this.written + this.w.len;
    this.w.bytes(c.buf.subarray(0, c.len));
    this.w.u32(crc32(c.buf.subarray(0, c.len)));
    this.entries.push({ labels, off, len: c.len, mint: ts[0]!, maxt: ts[n - 1]!, n });
    this.samples += n;
    if (this.w.len >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    let p = 0;
    while (p < this.w.len) p += writeSync(this.fd, this.w.buf, p, this.w.len - p);
    this.written += this.w.len;
    this.w.len = 0;
  }

  /** Writes index and meta, fsyncs and renames the block into place; returns its meta (undefined when it held no series). */
  finish(): BlockMeta | undefined {
    this.flush();
    fsyncSync(this.fd);
    closeSync(this.fd);
    if (this.entries.length === 0) {
      rmSync(this.tmp, { recursive: true, force: true });
      return undefined;
    }
    this.entries.sort((a, b) => compareLabels(a.labels, b.labels));
    writeFileAndSync(join(this.tmp, INDEX_FILE), encodeIndex(this.entries, this.minTime, this.maxTime));
    const meta: BlockMeta = {
      ulid: this.ulid,
      minTime: this.minTime,
      maxTime: this.maxTime,
      stats: { numSamples: this.samples, numSeries: this.entries.length, numChunks: this.entries.length },
      compaction: { ...this.compaction, sources: this.compaction.sources.length ? this.compaction.sources : [this.ulid] },
      version: 1,
      vigil: { format: FORMAT_VERSION },
    };
    writeFileAndSync(join(this.tmp, META_FILE), Buffer.from(JSON.stringify(meta, null, '\t')));
    const final = join(this.parent, this.ulid);
    renameSync(this.tmp, final);
    syncDir(this.parent);
    return meta;
  }

  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

function encodeIndex(entries: IndexSeries[], blockMin: number, blockMax: number): Buffer {
  const symbols = new Map<string, number>();
  for (const e of entries) {
    for (const l of e.labels) {
      symbols.set(l.name, 0);
      symbols.set(l.value, 0);
    }
  }
  const sorted = [...symbols.keys()].sort();
  sorted.forEach((s, i) => symbols.set(s, i));
  const w = new ByteWriter(1 << 16);
  // The block's range again, under the checksum: meta.json has none, so a damaged meta cannot shift every timestamp.
  w.varint(blockMin);
  w.varint(blockMax);
  w.uvarint(sorted.length);
  for (const s of sorted) w.string(s);
  w.uvarint(entries.length);
  let prevOff = 0;
  for (const e of entries) {
    w.uvarint(e.labels.length);
    for (const l of e.labels) {
      w.uvarint(symbols.get(l.name)!);
      w.uvarint(symbols.get(l.value)!);
    }
    w.varint(e.off - prevOff);
    prevOff = e.off;
    w.uvarint(e.len);
    w.varint(e.mint - blockMin);
    w.uvarint(e.maxt - e.mint);
    w.uvarint(e.n);
  }
  const raw = w.finish();
  const body = deflateRawSync(raw, { level: 6 });
  const head = new ByteWriter(16);
  head.u32(INDEX_MAGIC);
  head.u8(FORMAT_VERSION);
  head.u8(0);
  head.u8(0);
  head.u8(0);
  head.u32(raw.length);
  const trailer = new ByteWriter(4);
  trailer.u32(crc32(body));
  return Buffer.concat([head.finish(), body, trailer.finish()]);
}

export function writeFileAndSync(path: string, data: Uint8Array): void {
  writeFileSync(path, data);
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  }
}
