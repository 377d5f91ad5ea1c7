import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelsFromObject, Matcher } from '@vigil/core';
import { isStaleNaN, STALE_NAN, StorageRejection } from '../storage/index.ts';
import { openDB } from './index.ts';
import { DB } from './db.ts';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'vigil-tsdb-'));
}

async function samples(db: DB, matchers: Matcher[], mint = -Infinity, maxt = Infinity): Promise<Array<[string, number[], number[]]>> {
  const q = await db.querier(mint, maxt);
  const set = await q.select(true, undefined, ...matchers);
  return set.series.map((s) => {
    const it = s.iterator();
    const ts: number[] = [];
    const vs: number[] = [];
    while (it.next()) {
      ts.push(it.t);
      vs.push(it.v);
    }
    return [JSON.stringify(s.labels), ts, vs];
  });
}

const up = (job: string) => labelsFromObject({ __name__: 'up', job });

test('committed samples survive a restart through the WAL, staleness markers bit for bit', async () => {
  const dir = tmp();
  try {
    let db = await openDB({ dir, headSnapshotOnShutdown: false });
    const app = db.appender();
    let ref = app.append(0, up('a'), 1000, 1);
    ref = app.append(ref, up('a'), 2000, 0.5);
    app.append(ref, up('a'), 3000, STALE_NAN);
    app.append(0, up('b'), 1000, 7);
    await app.commit();
    const uncommitted = db.appender();
    uncommitted.append(0, up('c'), 1000, 1);
    await db.close();

    db = await openDB({ dir, headSnapshotOnShutdown: false });
    const got = await samples(db, [new Matcher('=', '__name__', 'up')]);
    assert.equal(got.length, 2, 'only committed series come back');
    assert.deepEqual(got[0]![1], [1000, 2000, 3000]);
    assert.equal(got[0]![2][1], 0.5);
    assert.ok(isStaleNaN((await firstValueAt(db, 'a', 3000))!), 'stale marker keeps its bit pattern');
    assert.deepEqual(got[1]![2], [7]);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function firstValueAt(db: DB, job: string, t: number): Promise<number | undefined> {
  const q = await db.querier(t, t);
  const set = await q.select(false, undefined, new Matcher('=', 'job', job));
  const it = set.series[0]!.iterator();
  return it.next() ? it.v : undefined;
}

test('append follows Prometheus rules: out of order and different duplicates refused, equal duplicates accepted', async () => {
  const dir = tmp();
  try {
    const db = await openDB({ dir, headSnapshotOnShutdown: false });
    const a = db.appender();
    a.append(0, up('a'), 10_000, 1);
    await a.commit();
    const b = db.appender();
    assert.doesNotThrow(() => b.append(0, up('a'), 10_000, 1));
    assert.throws(() => b.append(0, up('a'), 10_000, 2), (e: unknown) => e instanceof StorageRejection && e.reason === 'duplicate_sample');
    assert.throws(() => b.append(0, up('a'), 9_000, 1), (e: unknown) => e instanceof StorageRejection && e.reason === 'out_of_order');
    b.append(0, up('a'), 11_000, 3);
    assert.throws(() => b.append(0, up('a'), 10_500, 3), (e: unknown) => e instanceof StorageRejection && e.reason === 'out_of_order');
    await b.commit();
    assert.deepEqual((await samples(db, [new Matcher('=', 'job', 'a')]))[0]![1], [10_000, 11_000]);
    const metrics = await db.metrics.rejected.get();
    const byReason = Object.fromEntries(metrics.values.map((v) => [v.labels.reason, v.value]));
    assert.deepEqual(byReason, { duplicate_sample: 1, out_of_order: 2 });
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('out-of-order window accepts older samples and keeps time order', async () => {
  const dir = tmp();
  try {
    const db = await openDB({ dir, outOfOrderWindowMs: 60_000 });
    const a = db.appender();
    a.append(0, up('a'), 100_000, 1);
    a.append(0, up('a'), 50_000, 2);
    await a.commit();
    assert.deepEqual((await samples(db, [new Matcher('=', 'job', 'a')]))[0]![1], [50_000, 100_000]);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a torn WAL tail is cut off with a warning and the rest is served', async () => {
  const dir = tmp();
  try {
    let db = await openDB({ dir, headSnapshotOnShutdown: false });
    for (let i = 1; i <= 5; i++) {
      const a = db.appender();
      a.append(0, up('a'), i * 1000, i);
      await a.commit();
    }
    await db.close();
    const walDir = join(dir, 'wal');
    const seg = join(walDir, readdirSync(walDir).sort()[0]!);
    const size = statSync(seg).size;
    truncateSync(seg, size - 7); // tear the last record
    db = await openDB({ dir, headSnapshotOnShutdown: false });
    assert.equal(db.replayStats!.corruptions.length, 1);
    assert.match(db.replayStats!.corruptions[0]!.reason, /torn record/);
    assert.deepEqual((await samples(db, [new Matcher('=', 'job', 'a')]))[0]![1], [1000, 2000, 3000, 4000]);
    // Appending after the repair works and survives another restart.
    const a = db.appender();
    a.append(0, up('a'), 6000, 6);
    await a.commit();
    await db.close();
    db = await openDB({ dir, headSnapshotOnShutdown: false });
    assert.deepEqual((await samples(db, [new Matcher('=', 'job', 'a')]))[0]![1], [1000, 2000, 3000, 4000, 6000]);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a flipped byte fails the checksum; records before it are kept', async () => {
  const dir = tmp();
  try {
    let db = await openDB({ dir, headSnapshotOnShutdown: false });
    for (let i = 1; i <= 3; i++) {
      const a = db.appender();
      a.append(0, up('a'), i * 1000, i);
      await a.commit();
    }
    await db.close();
    const walDir = join(dir, 'wal');
    const seg = join(walDir, readdirSync(walDir).sort()[0]!);
    const buf = readFileSync(seg);
    buf[buf.length - 3] ^= 0xff;
    writeFileSync(seg, buf);
    appendFileSync(seg, Buffer.from([0x02, 0xff])); // and garbage after it
    db = await openDB({ dir, headSnapshotOnShutdown: false });
    assert.equal(db.replayStats!.corruptions[0]!.reason, 'checksum mismatch');
    assert.deepEqual((await samples(db, [new Matcher('=', 'job', 'a')]))[0]![1], [1000, 2000]);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('select serves all four matcher types, including matchers that match the empty string', async () => {
  const dir = tmp();
  try {
    const db = await openDB({ dir, headSnapshotOnShutdown: false });
    const a = db.appender();
    a.append(0, labelsFromObject({ __name__: 'm', env: 'prod', route: '/a' }), 1000, 1);
    a.append(0, labelsFromObject({ __name__: 'm', env: 'dev', route: '/b' }), 1000, 1);
    a.append(0, labelsFromObject({ __name__: 'm', route: '/c' }), 1000, 1);
    await a.commit();
    const names = async (...ms: Matcher[]) => (await samples(db, ms)).map(([l]) => JSON.parse(l).find((x: { name: string }) => x.name === 'route').value).sort();
    const m = new Matcher('=', '__name__', 'm');
    assert.deepEqual(await names(m, new Matcher('=', 'env', 'prod')), ['/a']);
    assert.deepEqual(await names(m, new Matcher('!=', 'env', 'prod')), ['/b', '/c']);
    assert.deepEqual(await names(m, new Matcher('=~', 'env', 'pro.*|dev')), ['/a', '/b']);
    assert.deepEqual(await names(m, new Matcher('!~', 'env', 'prod')), ['/b', '/c']);
    assert.deepEqual(await names(m, new Matcher('=', 'env', '')), ['/c']);
    assert.deepEqual(await names(m, new Matcher('=~', 'route', '/(a|c)')), ['/a', '/c']);
    const q = await db.querier(-Infinity, Infinity);
    assert.deepEqual(await q.labelValues('env'), ['dev', 'prod']);
    assert.deepEqual(await q.labelNames(new Matcher('=', 'route', '/c')), ['__name__', 'route']);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a WAL checkpoint replaces the segments it covers and replays with later commits', async () => {
  const dir = tmp();
  try {
    let db = await openDB({ dir, headSnapshotOnShutdown: false });
    for (let i = 1; i <= 4; i++) {
      const a = db.appender();
      a.append(0, up('a'), i * 1000, i);
      if (i === 4) a.append(0, up('b'), i * 1000, STALE_NAN);
      await a.commit();
    }
    const bytes = db.checkpoint();
    assert.ok(bytes > 0);
    const walDir = join(dir, 'wal');
    const files = readdirSync(walDir).sort();
    assert.ok(files.some((f) => /^checkpoint\.\d{8}$/.test(f)), files.join());
    assert.deepEqual(files.filter((f) => /^\d{8}$/.test(f)).length, 1, 'only the segment opened after the checkpoint remains');
    const a = db.appender();
    a.append(0, up('a'), 5000, 5);
    a.append(0, up('c'), 5000, 1);
    await a.commit();
    await db.close();

    db = await openDB({ dir, headSnapshotOnShutdown: false });
    const got = await samples(db, [new Matcher('=', '__name__', 'up')]);
    assert.deepEqual(got.map((g) => g[1]), [[1000, 2000, 3000, 4000, 5000], [4000], [5000]]);
    assert.ok(isStaleNaN((await firstValueAt(db, 'b', 4000))!), 'staleness marker survives the checkpoint');
    await db.close();

    // A damaged checkpoint loses only what it held; later segments still replay.
    const cp = join(walDir, readdirSync(walDir).find((f) => /^checkpoint\.\d{8}$/.test(f))!);
    truncateSync(cp, statSync(cp).size - 5);
    db = await openDB({ dir, headSnapshotOnShutdown: false });
    assert.equal(db.replayStats!.corruptions[0]!.segment.startsWith('checkpoint.'), true);
    const after = await samples(db, [new Matcher('=', 'job', 'c')]);
    assert.deepEqual(after[0]![1], [5000], 'a series created after the checkpoint survives');
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a storage directory held by a live process is refused; a stale lock is taken over', async () => {
  const dir = tmp();
  try {
    writeFileSync(join(dir, 'lock'), `${process.ppid}\n`);
    await assert.rejects(openDB({ dir, headSnapshotOnShutdown: false }), (e: unknown) => (e as { code?: string }).code === 'VIGIL_ERR_TSDB_LOCKED' && /in use by process/.test((e as Error).message));
    writeFileSync(join(dir, 'lock'), '999999999\n');
    const db = await openDB({ dir, headSnapshotOnShutdown: false });
    assert.equal(readFileSync(join(dir, 'lock'), 'utf8').trim(), String(process.pid));
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('WAL replay rebuilds the head exactly: runs across rows and windows, out-of-order samples, repeats, staleness markers, several replay batches', async () => {
  const dir = tmp();
  const saved = DB.replayBatchSamples;
  // Small batches, so replay applies many of them and series' runs are cut at batch ends.
  DB.replayBatchSamples = 97;
  try {
    const opts = { dir, headSnapshotOnShutdown: false, outOfOrderWindowMs: 600_000, maintenanceIntervalMs: 3_600_000 };
    let db = await openDB(opts);
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    // 40 series over 3 hours at 15 s (crossing a 2-hour window boundary), some late, some repeated.
    const t0 = 7_200_000 * 1000 - 3_600_000;
    const last = new Map<number, { t: number; v: number }>();
    for (let k = 0; k < 720; k++) {
      const app = db.appender();
      for (let i = 0; i < 40; i++) {
        if ((i + k) % 7 === 0) continue; // gaps: series miss some commits
        const labels = labelsFromObject({ __name__: 'replay', i: String(i) });
        const t = t0 + k * 15_000;
        const v = i % 3 === 0 ? Math.floor(rand() * 1000) : i % 3 === 1 ? Math.round(rand() * 1e4) / 1e4 : k % 50 === 49 ? STALE_NAN : rand();
        app.append(0, labels, t, v);
        if (rand() < 0.05) app.append(0, labels, t - 15_000 * (1 + Math.floor(rand() * 20)) - 1, v + 1); // late, inside the window
        const prev = last.get(i);
        if (prev && rand() < 0.05) {
          try {
            app.append(0, labels, prev.t, prev.v); // repeat of the previous commit's sample: accepted, not stored twice
          } catch (e) {
            assert.ok(e instanceof StorageRejection);
          }
        }
        last.set(i, { t, v });
      }
      await app.commit();
    }
    const before = await samples(db, [new Matcher('=', '__name__', 'replay')]);
    const headSamples = db.head.samples;
    assert.ok(headSamples > 20_000);
    await db.close();
    db = await openDB(opts);
    const after = await samples(db, [new Matcher('=', '__name__', 'replay')]);
    assert.equal(after.length, 40);
    // Bit-for-bit values (staleness markers included), same timestamps.
    const bits = (vs: number[]) => Buffer.from(new Float64Array(vs).buffer).toString('hex');
    assert.deepEqual(
      after.map(([l, ts, vs]) => [l, ts, bits(vs)]),
      before.map(([l, ts, vs]) => [l, ts, bits(vs)]),
    );
    assert.equal(db.head.samples, headSamples);
    await db.close();
  } finally {
    DB.replayBatchSamples = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('running head snapshots: written in the background as the WAL grows; a crash restarts from the newest plus the WAL after it; a checkpoint drops it', async () => {
  const dir = tmp();
  try {
    // A tiny threshold: a snapshot is due after almost every commit, so ingestion goes on while one is written.
    const opts = { dir, headSnapshotOnShutdown: false, headSnapshotWalBytes: 30_000, outOfOrderWindowMs: 600_000, maintenanceIntervalMs: 3_600_000 };
    let db = await openDB(opts);
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const t0 = 7_200_000 * 1000 - 1_800_000;
    const commitRange = async (from: number, to: number) => {
      for (let k = from; k < to; k++) {
        const app = db.appender();
        for (let i = 0; i < 60; i++) {
          if ((i + k) % 9 === 0) continue;
          const labels = labelsFromObject({ __name__: 'snap', i: String(i) });
          const t = t0 + k * 15_000;
          app.append(0, labels, t, i % 2 ? Math.round(rand() * 1e4) / 1e4 : k % 40 === 39 ? STALE_NAN : rand());
          if (rand() < 0.04) app.append(0, labels, t - 15_000 * (1 + Math.floor(rand() * 10)) - 7, rand());
        }
        await app.commit();
        if (k % 5 === 0) await new Promise((r) => setImmediate(r)); // let a due snapshot start, as a server's event loop would
      }
    };
    await commitRange(0, 300);
    await new Promise((r) => setImmediate(r));
    await db.headSnapshotSettled();
    assert.ok(statSync(join(dir, 'head.snapshot')).size > 0, 'a snapshot was written while running');
    await commitRange(300, 420); // more after the newest snapshot, some while one is written
    const before = await samples(db, [new Matcher('=', '__name__', 'snap')]);
    const headSamples = db.head.samples;
    await db.close(); // no shutdown snapshot: as after kill -9, only the running one is there
    writeFileSync(join(dir, 'head.snapshot.bg.tmp'), 'left by an interrupted write');

    db = await openDB(opts);
    assert.equal(db.headSnapshotLoaded, true);
    const walBytes = readdirSync(join(dir, 'wal')).reduce((a, f) => a + statSync(join(dir, 'wal', f)).size, 0);
    assert.ok(db.replayStats!.bytes > 0 && db.replayStats!.bytes < walBytes, `replayed ${db.replayStats!.bytes} of ${walBytes} WAL bytes`);
    assert.ok(!readdirSync(dir).includes('head.snapshot.bg.tmp'), 'leftover temporary file removed');
    const bits = (vs: number[]) => Buffer.from(new Float64Array(vs).buffer).toString('hex');
    const after = await samples(db, [new Matcher('=', '__name__', 'snap')]);
    assert.deepEqual(
      after.map(([l, ts, vs]) => [l, ts, bits(vs)]),
      before.map(([l, ts, vs]) => [l, ts, bits(vs)]),
    );
    assert.equal(db.head.samples, headSamples);

    db.checkpoint();
    assert.ok(!readdirSync(dir).includes('head.snapshot'), 'a checkpoint deletes the snapshot whose segments it removes');
    await db.close();
    db = await openDB({ ...opts, headSnapshotWalBytes: 0 });
    assert.equal(db.headSnapshotLoaded, false);
    assert.deepEqual((await samples(db, [new Matcher('=', '__name__', 'snap')])).map(([l, ts, vs]) => [l, ts, bits(vs)]), before.map(([l, ts, vs]) => [l, ts, bits(vs)]));
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
