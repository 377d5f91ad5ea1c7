import { closeSync, existsSync, openSync, readFileSync, readSync, statSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import { ByteReader } from '../chunkenc/bytes.ts';
import { decodeChunk } from '../chunkenc/codec.ts';
import { CHUNKS_MAGIC, FORMAT_VERSION, INDEX_MAGIC } from './writer.ts';
import { type BlockMeta, CHUNKS_FILE, INDEX_FILE, type IndexSeries, META_FILE } from './meta.ts';

/** A block file that cannot be read: names the file and the byte offset. */
export class BlockCorruption extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    reason: string,
  ) {
    super(`${file}: offset ${offset}: ${reason}`);
    this.name = 'BlockCorruption';
  }
}

export type { IndexSeries } from './meta.ts';

export function readMeta(dir: string): BlockMeta {
  const file = join(dir, META_FILE);
  let meta: BlockMeta;
  try {
    meta = JSON.parse(readFileSync(file, 'utf8')) as BlockMeta;
  } catch (e) {
    throw new BlockCorruption(file, 0, `unreadable meta.json: ${(e as Error).message}`);
  }
  if (typeof meta.ulid !== 'string' || !Number.isFinite(meta.minTime) || !Number.isFinite(meta.maxTime) || meta.maxTime < meta.minTime) {
    throw new BlockCorruption(file, 0, 'meta.json lacks ulid/minTime/maxTime');
  }
  if (meta.ulid !== basename(dir)) throw new BlockCorruption(file, 0, `meta.json names block ${JSON.stringify(meta.ulid)}, directory is ${basename(dir)}`);
  if (meta.vigil?.format !== FORMAT_VERSION) throw new BlockCorruption(file, 0, `unsupported block format ${JSON.stringify(meta.vigil?.format)}`);
  return meta;
}

/** Decodes a block's index file (checksummed, deflate-compressed); labels are produced through `mkLabel` (interning). */
export function readIndex(dir: string, blockMin: number, blockMax: number, mkLabel: (name: string, value: string) => { name: string; value: string } = (name, value) => ({ name, value })): IndexSeries[] {
  const file = join(dir, INDEX_FILE);
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new BlockCorruption(file, 0, `cannot read: ${(e as Error).message}`);
  }
  if (buf.length < 16) throw new BlockCorruption(file, 0, `index too short (${buf.length} bytes)`);
  const hr = new ByteReader(buf);
  if (hr.u32() !== INDEX_MAGIC) throw new BlockCorruption(file, 0, 'bad magic number');
  const version = hr.u8();
  if (version !== FORMAT_VERSION) throw new BlockCorruption(file, 4, `unsupported index version ${version}`);
  hr.pos = 8;
  const rawLen = hr.u32();
  const body = buf.subarray(12, buf.length - 4);
  const want = new ByteReader(buf, buf.length - 4).u32();
  if (crc32(body) !== want) throw new BlockCorruption(file, 12, 'checksum mismatch');
  let raw: Buffer;
  try {
    raw = inflateRawSync(body);
  } catch (e) {
    throw new BlockCorruption(file, 12, `cannot inflate: ${(e as Error).message}`);
  }
  if (raw.length !== rawLen) throw new BlockCorruption(file, 12, `inflated ${raw.length} bytes, header says ${rawLen}`);
  const r = new ByteReader(raw);
  try {
    const min = r.varint();
    const max = r.varint();
    if (min !== blockMin || max !== blockMax) throw new RangeError(`index covers [${min}, ${max}) but meta.json says [${blockMin}, ${blockMax})`);
    const nsym = r.uvarint();
    const symbols: string[] = new Array(nsym);
    for (let i = 0; i < nsym; i++) symbols[i] = r.string();
    const nseries = r.uvarint();
    const out: IndexSeries[] = new Array(nseries);
    let off = 0;
    for (let i = 0; i < nseries; i++) {
      const nl = r.uvarint();
      const labels = new Array(nl);
      for (let k = 0; k < nl; k++) {
        const name = symbols[r.uvarint()];
        const value = symbols[r.uvarint()];
        if (name === undefined || value === undefined) throw new RangeError(`symbol reference out of range at offset ${r.pos}`);
        labels[k] = mkLabel(name, value);
      }
      off += r.varint();
      const len = r.uvarint();
      const mint = blockMin + r.varint();
      const maxt = mint + r.uvarint();
      const n = r.uvarint();
      out[i] = { labels, off, len, mint, maxt, n };
    }
    return out;
  } catch (e) {
    throw new BlockCorruption(file, 12, `decoded index body: ${(e as Error).message}`);
  }
}

/**
 * An open block: the chunk locations of its series keyed by the storage's
 * series ids (sorted, binary-searched), and the chunks file read on demand
 * (never loaded whole), so memory does not grow with history.
 */
export class Block {
  readonly meta: BlockMeta;
  ids = new Uint32Array(0);
  private offs = new Float64Array(0);
  private lens = new Uint32Array(0);
  private fd: number;
  readonly bytes: number;
  private closed = false;

  constructor(readonly dir: string) {
    this.meta = readMeta(dir);
    const chunks = join(dir, CHUNKS_FILE);
    try {
      this.fd = openSync(chunks, 'r');
    } catch (e) {
      throw new BlockCorruption(chunks, 0, `cannot open: ${(e as Error).message}`);
    }
    const head = Buffer.alloc(8);
    const got = readSync(this.fd, head, 0, 8, 0);
    if (got < 8 || head.readUInt32LE(0) !== CHUNKS_MAGIC) {
      closeSync(this.fd);
      throw new BlockCorruption(chunks, 0, 'bad magic number');
    }
    this.bytes = dirBytes(dir);
  }

  get ulid(): string {
    return this.meta.ulid;
  }

  /** Sets the id → chunk mapping; `entries[i]` belongs to series id `ids[i]`. */
  setSeries(ids: number[], entries: IndexSeries[]): void {
    const order = ids.map((_, i) => i).sort((a, b) => ids[a]! - ids[b]!);
    this.ids = Uint32Array.from(order, (i) => ids[i]!);
    this.offs = Float64Array.from(order, (i) => entries[i]!.off);
    this.lens = Uint32Array.from(order, (i) => entries[i]!.len);
  }

  private find(id: number): number {
    const ids = this.ids;
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo < ids.length && ids[lo] === id ? lo : -1;
  }

  has(id: number): boolean {
    return this.find(id) >= 0;
  }

  /** The samples of series `id`, or undefined when the block does not hold it. Throws {@link BlockCorruption} on a bad chunk. */
  read(id: number): { ts: Float64Array; vs: Float64Array } | undefined {
    const i = this.find(id);
    if (i < 0) return undefined;
    if (this.closed) throw new Error(`block ${this.ulid} is closed`);
    const off = this.offs[i]!;
    const len = this.lens[i]!;
    const buf = Buffer.allocUnsafe(len + 4);
    const got = readSync(this.fd, buf, 0, len + 4, off);
    const file = join(this.dir, CHUNKS_FILE);
    if (got !== len + 4) throw new BlockCorruption(file, off, `chunk truncated (read ${got} of ${len + 4} bytes)`);
    if (crc32(buf.subarray(0, len)) !== buf.readUInt32LE(len)) throw new BlockCorruption(file, off, 'chunk checksum mismatch');
    try {
      const c = decodeChunk(new ByteReader(buf, 0, len), this.meta.minTime);
      return { ts: c.ts, vs: c.vs };
    } catch (e) {
      throw new BlockCorruption(file, off, (e as Error).message);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

export function dirBytes(dir: string): number {
  let total = 0;
  if (!existsSync(dir)) return 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    total += f.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}
