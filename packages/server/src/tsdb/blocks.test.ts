import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelsFromObject, Matcher } from '@vigil/core';
import { Registry } from 'prom-client';
import { STALE_NAN, StorageRejection } from '../storage/index.ts';
import { openDB } from './index.ts';
import type { DB, DBOptions } from './db.ts';
import { isULID } from './block/ulid.ts';

const RANGE = 10_000;

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'vigil-blocks-'));
}

async function read(db: DB, matchers: Matcher[], mint = -Infinity, maxt = Infinity): Promise<Map<string, Array<[number, number]>>> {
  const q = await db.querier(mint, maxt);
  const set = await q.select(true, undefined, ...matchers);
  const out = new Map<string, Array<[number, number]>>();
  for (const s of set.series) {
    const it = s.iterator();
    const xs: Array<[number, number]> = [];
    while (it.next()) xs.push([it.t, it.v]);
    out.set(s.labels.map((l) => `${l.name}=${l.value}`).join(','), xs);
  }
  return out;
}

const all = () => [new Matcher('=~', '__name__', '.+')];

/** Writes `series` series × samples at 1 s spacing from t=0, values with 4 decimals, a staleness marker at the end of series 0. */
async function fill(db: DB, series: number, upTo: number, from = 0): Promise<Map<string, Array<[number, number]>>> {
  const want = new Map<string, Array<[number, number]>>();
  for (let t = from; t < upTo; t += 1000) {
    const a = db.appender();
    for (let i = 0; i < series; i++) {
      const ls = labelsFromObject({ __name__: i % 2 ? 'gauge' : 'requests_total', instance: `host-${i}` });
      const v = t === upTo - 1000 && i === 0 ? STALE_NAN : i % 2 ? Math.round(Math.sin(t / 7000 + i) * 1e4) / 1e4 : t / 100 + i;
      a.append(0, ls, t, v);
      const key = `__name__=${i % 2 ? 'gauge' : 'requests_total'},instance=host-${i}`;
      if (!want.has(key)) want.set(key, []);
      want.get(key)!.push([t, v]);
    }
    await a.commit();
  }
  return want;
}

function blocksIn(dir: string): string[] {
  return readdirSync(dir).filter(isULID).sort();
}

function assertSame(got: Map<string, Array<[number, number]>>, want: Map<string, Array<[number, number]>>): void {
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
  for (const [k, xs] of want) {
    const g = got.get(k)!;
    assert.equal(g.length, xs.length, `${k}: ${g.length} samples, want ${xs.length}`);
    for (let i = 0; i < xs.length; i++) {
      assert.equal(g[i]![0], xs[i]![0], `${k}[${i}] t`);
      assert.ok(Object.is(g[i]![1], xs[i]![1]) || (Number.isNaN(g[i]![1]) && Number.isNaN(xs[i]![1])), `${k}[${i}] v ${g[i]![1]} want ${xs[i]![1]}`);
    }
  }
}

async function open(dir: string, extra: Partial<DBOptions> = {}): Promise<DB> {
  return openDB({ dir, blockRangeMs: RANGE, maintenanceIntervalMs: 3_600_000, registry: new Registry(), ...extra });
}

test('the head is cut into blocks once it spans 1.5 ranges; queries read blocks and head alike; a restart loads the blocks', async () => {
  const dir = tmp();
  try {
    const db = await open(dir);
    const want = await fill(db, 20, 47_000);
    db.maintain();
    // Head spanned 0..46 s: windows [0,10) … [30,40) are cut (46 − 40 <= 15 stops), then the
    // completed 30 s range [0,30) is compacted into one level-2 block.
    const spans = blocksIn(dir)
      .map((u) => JSON.parse(readFileSync(join(dir, u, 'meta.json'), 'utf8')))
      .map((m) => [m.minTime, m.maxTime, m.compaction.level])
      .sort((a, b) => a[0] - b[0]);
    assert.deepEqual(spans, [
      [0, 30_000, 2],
      [30_000, 40_000, 1],
    ]);
    assertSame(await read(db, all()), want);
    // Only part of the range: clipped correctly across a block boundary.
    const part = await read(db, all(), 9_000, 12_000);
    assert.deepEqual(part.get('__name__=requests_total,instance=host-0')!.map((x) => x[0]), [9000, 10000, 11000, 12000]);
    await db.close();
    const db2 = await open(dir);
    assertSame(await read(db2, all()), want);
    assert.ok(db2.headSnapshotLoaded, 'a clean close leaves a head snapshot that the next open loads');
    // Samples older than the last block are out of bounds now.
    const a = db2.appender();
    assert.throws(() => a.append(0, labelsFromObject({ __name__: 'gauge', instance: 'host-1' }), 25_000, 1), (e: unknown) => e instanceof StorageRejection && e.reason === 'out_of_bounds');
    await db2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('level compaction merges three blocks of a completed range into one; parents are deleted; data unchanged', async () => {
  const dir = tmp();
  try {
    const db = await open(dir);
    const want = await fill(db, 10, 80_000);
    db.maintain();
    const metas = blocksIn(dir).map((u) => JSON.parse(readFileSync(join(dir, u, 'meta.json'), 'utf8')));
    // [0,30) compacted (level 2); [30,60) compacted; [60,...) still level 1.
    const spans = metas.map((m) => [m.minTime, m.maxTime, m.compaction.level]).sort((a, b) => a[0] - b[0]);
    assert.deepEqual(spans.slice(0, 2), [
      [0, 30_000, 2],
      [30_000, 60_000, 2],
    ]);
    assertSame(await read(db, all()), want);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('retention by time and by size deletes whole old blocks', async () => {
  const dir = tmp();
  try {
    const db = await open(dir, { retentionMs: 30_000 });
    await fill(db, 10, 80_000);
    db.maintain();
    for (const u of blocksIn(dir)) {
      const m = JSON.parse(readFileSync(join(dir, u, 'meta.json'), 'utf8'));
      assert.ok(m.maxTime > 79_000 - 30_000, `block ${m.minTime}-${m.maxTime} should have been deleted`);
    }
    const got = await read(db, all());
    assert.ok(Math.min(...[...got.values()].map((xs) => xs[0]![0])) >= 40_000);
    await db.close();
    const db2 = await open(dir, { retentionBytes: 1 });
    db2.maintain();
    assert.equal(blocksIn(dir).length, 0, 'size retention removes every block when the limit is below the WAL');
    await db2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt block is moved aside with a warning and the rest is served; a corrupt chunk becomes a query warning', async () => {
  const dir = tmp();
  try {
    const db = await open(dir);
    await fill(db, 4, 47_000);
    db.maintain();
    await db.close();
    const [b0, b1] = blocksIn(dir);
    writeFileSync(join(dir, b0!, 'index'), 'garbage');
    const chunks = join(dir, b1!, 'chunks');
    const buf = readFileSync(chunks);
    buf[12] = buf[12]! ^ 0xff;
    writeFileSync(chunks, buf);
    const db2 = await open(dir);
    assert.equal(db2.corruptBlocks.length, 1);
    assert.match(db2.corruptBlocks[0]!.reason, /index: offset 0: index too short/);
    assert.ok(existsSync(join(dir, `${b0}.corrupt`)));
    const q = await db2.querier(-Infinity, Infinity);
    const set = await q.select(true, undefined, ...all());
    let n = 0;
    for (const s of set.series) {
      const it = s.iterator();
      while (it.next()) n++;
    }
    assert.ok(n > 0);
    assert.ok(set.warnings!.some((w) => /chunks: offset \d+: chunk checksum mismatch/.test(w)), set.warnings!.join('\n'));
    await db2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('delete_series hides samples at once, survives a restart, and clean_tombstones rewrites the blocks', async () => {
  const dir = tmp();
  try {
    const db = await open(dir);
    await fill(db, 4, 47_000);
    db.maintain();
    const m = [new Matcher('=', 'instance', 'host-0')];
    assert.equal(db.deleteSeries(m, 5_000, 40_000), 1);
    const ts = (await read(db, m)).get('__name__=requests_total,instance=host-0')!.map((x) => x[0]);
    assert.ok(ts.every((t) => t < 5_000 || t > 40_000), ts.join());
    await db.close();
    const db2 = await open(dir);
    assert.deepEqual((await read(db2, m)).get('__name__=requests_total,instance=host-0')!.map((x) => x[0]), ts);
    const before = blocksIn(dir);
    assert.equal(db2.cleanTombstones(), 2);
    assert.notDeepEqual(blocksIn(dir), before);
    assert.deepEqual((await read(db2, m)).get('__name__=requests_total,instance=host-0')!.map((x) => x[0]), ts);
    await db2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a snapshot holds every sample, head included, as blocks that open as a storage of their own', async () => {
  const dir = tmp();
  const snap = tmp();
  try {
    const db = await open(dir);
    const want = await fill(db, 6, 47_000);
    db.maintain();
    db.snapshot(join(snap, 's1'), true);
    await db.close();
    const copy = await open(join(snap, 's1'));
    assertSame(await read(copy, all()), want);
    await copy.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(snap, { recursive: true, force: true });
  }
});

test('out-of-order samples inside the window are kept through blocks and restarts', async () => {
  const dir = tmp();
  try {
    const db = await open(dir, { outOfOrderWindowMs: 5_000 });
    const ls = labelsFromObject({ __name__: 'x', job: 'j' });
    for (const t of [1000, 3000, 5000, 2000, 4000, 12_000, 11_000, 30_000]) {
      const a = db.appender();
      a.append(0, ls, t, t / 1000);
      await a.commit();
    }
    const want = [1000, 2000, 3000, 4000, 5000, 11_000, 12_000, 30_000];
    db.maintain();
    assert.ok(blocksIn(dir).length >= 1);
    assert.deepEqual([...(await read(db, all())).values()][0]!.map((x) => x[0]), want);
    await db.close();
    const db2 = await open(dir, { outOfOrderWindowMs: 5_000 });
    assert.deepEqual([...(await read(db2, all())).values()][0]!.map((x) => x[0]), want);
    await db2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('head snapshot: a clean close writes it, the next open loads it and replays only later WAL records; it is kept, so a crash after that restarts from it plus the later WAL; a damaged one is ignored', async () => {
  const dir = tmp();
  try {
    const db = await open(dir, { outOfOrderWindowMs: 5_000 });
    const want = await fill(db, 30, 25_000);
    const a = db.appender();
    a.append(0, labelsFromObject({ __name__: 'gauge', instance: 'host-1' }), 21_500, 7); // out of order, kept in the OOO buffer
    await a.commit();
    want.get('__name__=gauge,instance=host-1')!.splice(22, 0, [21_500, 7]);
    await db.close();
    assert.ok(existsSync(join(dir, 'head.snapshot')));
    const db2 = await open(dir, { outOfOrderWindowMs: 5_000 });
    assert.ok(db2.headSnapshotLoaded);
    assert.equal(db2.replayStats!.records, 0, 'nothing after the snapshot to replay');
    assert.ok(existsSync(join(dir, 'head.snapshot')), 'kept once loaded: still valid with the WAL after it');
    assertSame(await read(db2, all()), want);
    const more = await fill(db2, 30, 30_000, 25_000);
    for (const [k, xs] of more) want.get(k)!.push(...xs);
    // Simulate a crash: no close, so no new snapshot; the lock is released by hand.
    (db2 as unknown as { wal: { close(): void } }).wal.close();
    (db2 as unknown as { lock: { release(): void } }).lock.release();
    const db3 = await open(dir, { outOfOrderWindowMs: 5_000 });
    assert.ok(db3.headSnapshotLoaded, 'the crash restarts from the snapshot');
    assert.ok(db3.replayStats!.records > 0, 'and replays the WAL written after it');
    assertSame(await read(db3, all()), want);
    await db3.close();
    const snap = join(dir, 'head.snapshot');
    const buf = readFileSync(snap);
    buf[buf.length >> 1] ^= 0xff;
    writeFileSync(snap, buf);
    const db4 = await open(dir, { outOfOrderWindowMs: 5_000 });
    assert.ok(!db4.headSnapshotLoaded, 'a damaged snapshot is ignored');
    assertSame(await read(db4, all()), want);
    await db4.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('repeated reads are served from the decoded-read cache and see every later append, in order or not', async () => {
  const dir = tmp();
  try {
    const db = await open(dir, { outOfOrderWindowMs: 10_000 });
    const ls = labelsFromObject({ __name__: 'c', job: 'x' });
    const add = async (t: number, v: number) => {
      const a = db.appender();
      a.append(0, ls, t, v);
      await a.commit();
    };
    for (let t = 1000; t <= 40_000; t += 1000) await add(t, t);
    const times = async (mint: number, maxt: number) => [...(await read(db, all(), mint, maxt)).values()][0]!.map((x) => x[0]);
    assert.deepEqual(await times(35_000, 40_000), [35_000, 36_000, 37_000, 38_000, 39_000, 40_000]);
    assert.deepEqual(await times(36_000, 38_000), [36_000, 37_000, 38_000], 'a narrower range from the cached read');
    await add(41_000, 1);
    assert.deepEqual(await times(36_000, 41_000), [36_000, 37_000, 38_000, 39_000, 40_000, 41_000]);
    await add(38_500, 2); // out of order
    assert.deepEqual(await times(38_000, 39_000), [38_000, 38_500, 39_000]);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
