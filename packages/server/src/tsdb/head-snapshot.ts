import { existsSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Label } from '@vigil/core';
import { ByteReader, ByteWriter } from './chunkenc/bytes.ts';
import { Arena, PAGE } from './arena.ts';
import { OPEN_ROW, type Head } from './head.ts';
import { OooBuffer } from './series.ts';
import type { SeriesCatalog } from './catalog.ts';
import type { WalPosition } from './wal.ts';
import { writeFileAndSync } from './block/writer.ts';

/**
 * The head as it was at a clean shutdown (format: docs/format/head-snapshot.md):
 * series, their open rows and group addresses, and the window arenas' pages
 * byte for byte, with the WAL position it covers. Start-up loads it and
 * replays only the WAL after that position, instead of decoding and
 * re-encoding every sample; the file is deleted once loaded, so a later crash
 * replays the whole WAL as before.
 */
export const SNAPSHOT_FILE = 'head.snapshot';
const MAGIC = 0x53484756; // "VGHS"
const VERSION = 2; // 2: group headers carry their last sample's offset

export interface SnapshotState {
  pos: WalPosition;
  maxT: number;
  headMinT: number;
}

export function writeHeadSnapshot(dir: string, head: Head, catalog: SeriesCatalog, state: SnapshotState): number {
  const w = new ByteWriter(1 << 20);
  w.u32(MAGIC);
  w.u8(VERSION);
  w.uvarint(head.blockRange);
  w.uvarint(state.pos.segment);
  w.uvarint(state.pos.offset);
  w.f64(state.maxT);
  w.f64(state.headMinT);
  w.f64(head.samples);
  // Symbols.
  const symbols = new Map<string, number>();
  const sym = (s: string) => {
    let i = symbols.get(s);
    if (i === undefined) symbols.set(s, (i = symbols.size));
    return i;
  };
  const series = [...catalog.values()].filter((s) => s.inHead());
  for (const s of series) for (const l of s.labels) (sym(l.name), sym(l.value));
  w.uvarint(symbols.size);
  for (const s of symbols.keys()) w.string(s);
  w.uvarint(series.length);
  for (const s of series) {
    w.uvarint(s.id);
    w.uvarint(s.labels.length);
    for (const l of s.labels) {
      w.uvarint(symbols.get(l.name)!);
      w.uvarint(symbols.get(l.value)!);
    }
    w.f64(s.lastT);
    w.f64(s.headMinT);
    w.f64(s.openWin);
    w.uvarint(s.openN);
    if (s.slot >= 0) w.f64(head.lastV[s.slot]!);
    else w.f64(0);
    for (let i = 0; i < s.openN; i++) {
      w.u32(head.slabT[s.slot * OPEN_ROW + i]!);
      w.f64(head.slabV[s.slot * OPEN_ROW + i]!);
    }
    const wins = s.wins ?? [];
    w.uvarint(wins.length / 3);
    for (const x of wins) w.f64(x);
    const o = s.ooo;
    w.uvarint(o ? o.n : 0);
    for (let i = 0; o && i < o.n; i++) {
      w.f64(o.ts[i]!);
      w.f64(o.vs[i]!);
    }
  }
  const arenas = [...head.arenas.entries()];
  w.uvarint(arenas.length);
  for (const [ws, a] of arenas) {
    w.f64(ws);
    w.uvarint(a.pages.length);
    w.uvarint(a.off);
    w.f64(a.bytes);
    a.pages.forEach((p, i) => w.bytes(i === a.pages.length - 1 ? p.subarray(0, a.off) : p));
  }
  const body = w.buf.subarray(0, w.len);
  const sum = Buffer.alloc(4);
  sum.writeUInt32LE(crc32(body));
  const file = join(dir, SNAPSHOT_FILE);
  const tmp = `${file}.tmp`;
  writeFileAndSync(tmp, Buffer.concat([body, sum]));
  renameSync(tmp, file);
  return body.length + 4;
}

/**
 * Loads a snapshot into an empty head and catalog; returns its state, or
 * undefined when there is none. Throws (leaving head and catalog to be
 * rebuilt from the WAL by the caller) when the file is damaged.
 */
export function readHeadSnapshot(dir: string, head: Head, catalog: SeriesCatalog): SnapshotState | undefined {
  const file = join(dir, SNAPSHOT_FILE);
  if (!existsSync(file)) return undefined;
  const buf = readFileSync(file);
  if (buf.length < 8) throw new Error(`${file}: too short`);
  const body = buf.subarray(0, buf.length - 4);
  if (crc32(body) !== buf.readUInt32LE(buf.length - 4)) throw new Error(`${file}: checksum mismatch`);
  const r = new ByteReader(body);
  if (r.u32() !== MAGIC) throw new Error(`${file}: bad magic number`);
  const version = r.u8();
  if (version !== VERSION) throw new Error(`${file}: unsupported version ${version}`);
  const range = r.uvarint();
  if (range !== head.blockRange) throw new Error(`${file}: written with block range ${range} ms, storage uses ${head.blockRange} ms`);
  const pos = { segment: r.uvarint(), offset: r.uvarint() };
  const maxT = r.f64();
  const headMinT = r.f64();
  head.samples = r.f64();
  const nsym = r.uvarint();
  const symbols: string[] = new Array(nsym);
  for (let i = 0; i < nsym; i++) symbols[i] = r.string();
  const nseries = r.uvarint();
  for (let k = 0; k < nseries; k++) {
    const id = r.uvarint();
    const nl = r.uvarint();
    const labels: Label[] = new Array(nl);
    for (let i = 0; i < nl; i++) labels[i] = { name: symbols[r.uvarint()]!, value: symbols[r.uvarint()]! };
    const { series: s } = catalog.getOrCreate(labels, id);
    s.lastT = r.f64();
    s.headMinT = r.f64();
    s.openWin = r.f64();
    s.openN = r.uvarint();
    const lastV = r.f64();
    if (s.openN > OPEN_ROW) throw new Error(`${file}: open row of ${s.openN} samples`);
    if (s.lastT > -Infinity) {
      s.slot = head.allocRow();
      head.lastV[s.slot] = lastV;
    }
    for (let i = 0; i < s.openN; i++) {
      head.slabT[s.slot * OPEN_ROW + i] = r.u32();
      head.slabV[s.slot * OPEN_ROW + i] = r.f64();
    }
    const nw = r.uvarint();
    if (nw > 0) {
      s.wins = [];
      for (let i = 0; i < nw * 3; i++) s.wins.push(r.f64());
    }
    const no = r.uvarint();
    if (no > 0) {
      s.ooo = new OooBuffer();
      for (let i = 0; i < no; i++) s.ooo.insert(r.f64(), r.f64());
    }
  }
  const na = r.uvarint();
  for (let k = 0; k < na; k++) {
    const ws = r.f64();
    const npages = r.uvarint();
    const off = r.uvarint();
    const a = new Arena();
    a.bytes = r.f64();
    for (let i = 0; i < npages; i++) {
      const page = new Uint8Array(PAGE);
      page.set(r.bytes(i === npages - 1 ? off : PAGE));
      a.pages.push(page);
    }
    a.off = npages ? off : PAGE;
    head.arenas.set(ws, a);
  }
  if (r.pos !== body.length) throw new Error(`${file}: ${body.length - r.pos} trailing bytes`);
  return { pos, maxT, headMinT };
}

export function removeHeadSnapshot(dir: string): void {
  const file = join(dir, SNAPSHOT_FILE);
  if (existsSync(file)) unlinkSync(file);
}
