import { existsSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Label } from '@vigil/core';
import { ByteReader, ByteWriter } from './chunkenc/bytes.ts';
import { Arena, PAGE } from './arena.ts';
import { OPEN_ROW, type Head } from './head.ts';
import { type MemSeries, OooBuffer } from './series.ts';
import type { SeriesCatalog } from './catalog.ts';
import type { WalPosition } from './wal.ts';
import { syncDir, writeFileAndSync } from './block/writer.ts';

/**
 * The head written to one file (format: docs/format/head-snapshot.md):
 * series, their open rows and group addresses, and the window arenas' pages
 * byte for byte, with the WAL position it covers. Written at a clean shutdown
 * and, while running, in the background each time enough WAL has been written
 * since the last one; start-up loads it and replays only the WAL after that
 * position, instead of decoding and re-encoding every sample. It stays valid
 * until a WAL checkpoint or a head block cut, which delete it first.
 */
export const SNAPSHOT_FILE = 'head.snapshot';
const BACKGROUND_TMP = 'head.snapshot.bg.tmp';
const MAGIC = 0x53484756; // "VGHS"
const VERSION = 3; // 2: group headers carry their last sample's offset; 3: label pairs, open rows as the slab

export interface SnapshotState {
  pos: WalPosition;
  maxT: number;
  headMinT: number;
}

/**
 * The head's state captured synchronously, everything that can change while
 * ingestion goes on: the header (WAL position, sample count), each series'
 * numbers (timestamps, open row, window list, out-of-order buffer), a copy of
 * the open rows, and the window arenas' pages referenced (not copied) with
 * how much of each was in use. Arena bytes below that mark never change
 * except a group's `next` link, which only a walk past the series' captured
 * last group could read, and none does; so writing the pages later still
 * writes the captured state. What cannot change is left for
 * {@link finishCapture}: the series' ids and label sets (label pairs are
 * frozen, shared objects), from which the symbol and pair tables are built.
 */
export interface HeadCapture {
  readonly header: Uint8Array;
  /** The series in the snapshot, in file order. */
  readonly series: readonly MemSeries[];
  /** Each series' numbers as the file has them after its labels: series k's are `numbers[at[k] .. at[k+1])`. */
  readonly numbers: Uint8Array;
  readonly at: Uint32Array;
  /** Open rows and arenas, as written after the series. */
  readonly tail: Uint8Array[];
}

/** A capture turned into the file's bytes (without the trailing checksum). */
export interface CaptureBytes {
  parts: Uint8Array[];
  bytes: number;
}

/** Series whose ids and labels are encoded between two turns of the event loop ({@link finishCaptureInSlices}). */
const FINISH_SLICE = 16_384;

export function captureHeadSnapshot(head: Head, catalog: SeriesCatalog, state: SnapshotState): HeadCapture {
  const hw = new ByteWriter(64);
  hw.u32(MAGIC);
  hw.u8(VERSION);
  hw.uvarint(head.blockRange);
  hw.uvarint(state.pos.segment);
  hw.uvarint(state.pos.offset);
  hw.f64(state.maxT);
  hw.f64(state.headMinT);
  hw.f64(head.samples);
  const series: MemSeries[] = [];
  for (const s of catalog.values()) if (s.inHead()) series.push(s);
  // Sized for the usual series (one or two windows) so it rarely grows (each growth copies).
  const w = new ByteWriter(Math.max(1 << 16, series.length * 48));
  const at = new Uint32Array(series.length + 1);
  for (let k = 0; k < series.length; k++) {
    const s = series[k]!;
    at[k] = w.len;
    w.f64(s.lastT);
    w.f64(s.headMinT);
    w.f64(s.openWin);
    w.uvarint(s.openN);
    w.uvarint(s.slot + 1);
    const wins = s.wins;
    if (wins) {
      w.uvarint(wins.length / 3);
      for (let i = 0; i < wins.length; i++) w.f64(wins[i]!);
    } else w.uvarint(0);
    const o = s.ooo;
    w.uvarint(o ? o.n : 0);
    for (let i = 0; o && i < o.n; i++) {
      w.f64(o.ts[i]!);
      w.f64(o.vs[i]!);
    }
  }
  at[series.length] = w.len;
  // The open rows as the slab holds them (copied: ingestion goes on writing them).
  const rows = head.rows;
  const rw = new ByteWriter(8);
  rw.uvarint(rows);
  const tail: Uint8Array[] = [rw.buf.subarray(0, rw.len)];
  tail.push(littleEndianBytes(head.slabT.slice(0, rows * OPEN_ROW)));
  tail.push(littleEndianBytes(head.slabV.slice(0, rows * OPEN_ROW)));
  tail.push(littleEndianBytes(head.lastV.slice(0, rows)));
  const arenas = [...head.arenas.entries()];
  const aw = new ByteWriter(64 + arenas.length * 32);
  aw.uvarint(arenas.length);
  let cut = 0;
  for (const [ws, a] of arenas) {
    aw.f64(ws);
    aw.uvarint(a.pages.length);
    aw.uvarint(a.off);
    aw.f64(a.bytes);
    tail.push(aw.buf.subarray(cut, aw.len));
    cut = aw.len;
    a.pages.forEach((p, i) => tail.push(i === a.pages.length - 1 ? p.subarray(0, a.off) : p));
  }
  if (aw.len > cut) tail.push(aw.buf.subarray(cut, aw.len));
  return { header: hw.buf.subarray(0, hw.len), series, numbers: w.buf.subarray(0, w.len), at, tail };
}

/**
 * The file's bytes from a capture, built at once (at shutdown, with
 * ingestion stopped).
 */
export function finishCapture(cap: HeadCapture): CaptureBytes {
  const steps = buildBytes(cap);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The same in slices of series with a turn of the event loop between them,
 * so a running snapshot does this work without holding up ingestion (the
 * inputs cannot change meanwhile).
 */
export async function finishCaptureInSlices(cap: HeadCapture): Promise<CaptureBytes> {
  const steps = buildBytes(cap);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * Builds the file's bytes from a capture: the symbol and label-pair tables
 * (each pair numbered by identity, its strings looked up once), then each
 * series' id and labels followed by its captured numbers. Yields after each
 * slice of series.
 */
function* buildBytes(cap: HeadCapture): Generator<void, CaptureBytes> {
  const { series, numbers, at } = cap;
  const pairs = new Map<Label, number>();
  const pairList: Label[] = [];
  const symbols = new Map<string, number>();
  const symList: string[] = [];
  const sym = (x: string) => {
    let i = symbols.get(x);
    if (i === undefined) {
      symbols.set(x, (i = symList.length));
      symList.push(x);
    }
    return i;
  };
  const pairSyms: number[] = [];
  for (let k = 0; k < series.length; k++) {
    if (k > 0 && k % FINISH_SLICE === 0) yield;
    for (const l of series[k]!.labels) {
      if (pairs.has(l)) continue;
      pairs.set(l, pairList.length);
      pairList.push(l);
      pairSyms.push(sym(l.name), sym(l.value));
    }
  }
  const w = new ByteWriter(Math.max(1 << 16, numbers.length + series.length * 16));
  w.uvarint(symList.length);
  for (const x of symList) w.string(x);
  w.uvarint(pairList.length);
  for (const x of pairSyms) w.uvarint(x);
  w.uvarint(series.length);
  for (let k = 0; k < series.length; k++) {
    if (k > 0 && k % FINISH_SLICE === 0) yield;
    const s = series[k]!;
    w.uvarint(s.id);
    w.uvarint(s.labels.length);
    for (const l of s.labels) w.uvarint(pairs.get(l)!);
    w.bytes(numbers.subarray(at[k]!, at[k + 1]!));
  }
  const parts = [cap.header, w.buf.subarray(0, w.len), ...cap.tail];
  let bytes = 4;
  for (const p of parts) bytes += p.length;
  return { parts, bytes };
}

function littleEndianBytes(a: Uint32Array | Float64Array): Uint8Array {
  if (!LITTLE_ENDIAN) throw new Error('head snapshots need a little-endian machine');
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Writes the head to `head.snapshot` now (at shutdown, with ingestion stopped); returns its size. */
export function writeHeadSnapshot(dir: string, head: Head, catalog: SeriesCatalog, state: SnapshotState): number {
  const { parts, bytes } = finishCapture(captureHeadSnapshot(head, catalog, state));
  let crc = 0;
  for (const p of parts) crc = crc32(p, crc);
  const sum = Buffer.alloc(4);
  sum.writeUInt32LE(crc);
  const file = join(dir, SNAPSHOT_FILE);
  const tmp = `${file}.tmp`;
  writeFileAndSync(tmp, Buffer.concat([...parts, sum]));
  renameSync(tmp, file);
  return bytes;
}

/**
 * Writes a capture to `head.snapshot` in the background (the event loop goes
 * on: ingestion continues while the label tables are built, in slices, and
 * while the pages are written). Each page is copied
 * before it is checksummed and written, so the file's checksum covers what
 * was written even if a group link changes meanwhile. `current()` is asked
 * just before the rename: when it says no (a newer snapshot, a checkpoint or
 * shutdown made this one stale), the temporary file is deleted instead.
 * `syncFirst` (the WAL segment the snapshot's position is in) is fsynced
 * before the rename, so a snapshot never names WAL records a power cut lost.
 * Returns the size written, or undefined when it was dropped.
 */
export async function writeHeadSnapshotInBackground(dir: string, capture: HeadCapture, current: () => boolean, syncFirst?: string): Promise<number | undefined> {
  const cap = await finishCaptureInSlices(capture);
  if (!current()) return undefined;
  const file = join(dir, SNAPSHOT_FILE);
  const tmp = join(dir, BACKGROUND_TMP);
  const fh = await open(tmp, 'w');
  let ok = false;
  try {
    const copy = Buffer.allocUnsafe(PAGE);
    let crc = 0;
    for (const p of cap.parts) {
      for (let at = 0; at < p.length; at += PAGE) {
        const view = copy.subarray(0, Math.min(PAGE, p.length - at));
        view.set(p.subarray(at, at + view.length));
        crc = crc32(view, crc);
        let done = 0;
        while (done < view.length) done += (await fh.write(view, done, view.length - done)).bytesWritten;
      }
    }
    const sum = Buffer.alloc(4);
    sum.writeUInt32LE(crc);
    await fh.write(sum, 0, 4);
    await fh.sync();
    ok = true;
  } finally {
    await fh.close();
    if (!ok) await unlink(tmp).catch(() => undefined);
  }
  // The WAL up to the snapshot's position must be on disk before the snapshot names it.
  if (syncFirst && current()) {
    try {
      const seg = await open(syncFirst, 'r');
      try {
        await seg.sync();
      } finally {
        await seg.close();
      }
    } catch (e) {
      if (current()) throw e; // else a checkpoint deleted the segment: the snapshot is stale anyway
    }
  }
  if (!current()) {
    await unlink(tmp).catch(() => undefined);
    return undefined;
  }
  renameSync(tmp, file);
  return cap.bytes;
}

/**
 * Loads a snapshot into an empty head and catalog; returns its state, or
 * undefined when there is none. Throws (leaving head and catalog to be
 * rebuilt from the WAL by the caller) when the file is damaged.
 */
export function readHeadSnapshot(dir: string, head: Head, catalog: SeriesCatalog): (SnapshotState & { bytes: number }) | undefined {
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
  const npairs = r.uvarint();
  const pairs: Label[] = new Array(npairs);
  for (let i = 0; i < npairs; i++) {
    const name = symbols[r.uvarint()];
    const value = symbols[r.uvarint()];
    if (name === undefined || value === undefined) throw new Error(`${file}: label pair ${i} names a missing symbol`);
    pairs[i] = { name, value };
  }
  const nseries = r.uvarint();
  const slotted: MemSeries[] = [];
  for (let k = 0; k < nseries; k++) {
    const id = r.uvarint();
    const nl = r.uvarint();
    const labels: Label[] = new Array(nl);
    for (let i = 0; i < nl; i++) {
      const l = pairs[r.uvarint()];
      if (l === undefined) throw new Error(`${file}: series ${id} names a missing label pair`);
      labels[i] = l;
    }
    const { series: s } = catalog.getOrCreate(labels, id);
    s.lastT = r.f64();
    s.headMinT = r.f64();
    s.openWin = r.f64();
    s.openN = r.uvarint();
    s.slot = r.uvarint() - 1;
    if (s.openN > OPEN_ROW) throw new Error(`${file}: open row of ${s.openN} samples`);
    if (s.slot >= 0) slotted.push(s);
    else if (s.openN > 0) throw new Error(`${file}: series ${id} has open samples but no row`);
    const nw = r.uvarint();
    if (nw > 0) {
      const wins = new Array<number>(nw * 3); // exact size: push would leave room for a dozen more
      for (let i = 0; i < nw * 3; i++) wins[i] = r.f64();
      s.wins = wins;
    }
    const no = r.uvarint();
    if (no > 0) {
      s.ooo = new OooBuffer();
      for (let i = 0; i < no; i++) s.ooo.insert(r.f64(), r.f64());
    }
  }
  const rows = r.uvarint();
  const slabT = new Uint32Array(rows * OPEN_ROW);
  new Uint8Array(slabT.buffer).set(r.bytes(slabT.byteLength));
  const slabV = new Float64Array(rows * OPEN_ROW);
  new Uint8Array(slabV.buffer).set(r.bytes(slabV.byteLength));
  const lastV = new Float64Array(rows);
  new Uint8Array(lastV.buffer).set(r.bytes(lastV.byteLength));
  head.loadRows(rows, slabT, slabV, lastV, slotted.map((s) => s.slot));
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
  return { pos, maxT, headMinT, bytes: buf.length };
}

/** Deletes the snapshot and any temporary file an interrupted write left. */
export function removeHeadSnapshot(dir: string): void {
  deleteHeadSnapshot(dir);
  removeSnapshotLeftovers(dir);
}

/** Deletes the snapshot file, durably (the directory is synced), leaving temporary files to their writers. */
export function deleteHeadSnapshot(dir: string): void {
  const file = join(dir, SNAPSHOT_FILE);
  if (!existsSync(file)) return;
  unlinkSync(file);
  syncDir(dir);
}

/** Deletes temporary files an interrupted snapshot write left behind. */
export function removeSnapshotLeftovers(dir: string): void {
  for (const f of [`${SNAPSHOT_FILE}.tmp`, BACKGROUND_TMP]) {
    const p = join(dir, f);
    if (existsSync(p)) unlinkSync(p);
  }
}
