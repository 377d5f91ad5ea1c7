import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matcher, labelsFromStrings } from '@vigil/core';
import { STALE_NAN, StorageRejection, isStaleNaN } from '../storage/index.ts';
import { createMemoryStorage } from './memory-storage.ts';

const a = labelsFromStrings('__name__', 'up', 'job', 'a');
const b = labelsFromStrings('__name__', 'up', 'job', 'b');
const c = labelsFromStrings('__name__', 'other', 'job', 'a', 'x', 'y');

async function seeded() {
  const db = createMemoryStorage();
  const app = db.appender();
  for (let t = 0; t < 100; t += 10) {
    app.append(0, a, t, t);
    app.append(0, b, t, -t);
  }
  app.append(0, c, 5, 1);
  app.append(0, a, 100, STALE_NAN);
  await app.commit();
  return db;
}

async function collect(db: Awaited<ReturnType<typeof seeded>>, mint: number, maxt: number, ...ms: Matcher[]) {
  const q = await db.querier(mint, maxt);
  const set = await q.select(true, undefined, ...ms);
  return set.series.map((s) => {
    const it = s.iterator();
    const pts: [number, number][] = [];
    while (it.next()) pts.push([it.t, it.v]);
    return { job: s.labels.find((l) => l.name === 'job')?.value, name: s.labels[0]!.value, pts };
  });
}

test('append semantics: out of order and different duplicate rejected, equal duplicate accepted', async () => {
  const db = await seeded();
  const app = db.appender();
  assert.throws(() => app.append(0, b, 50, 1), (e: unknown) => e instanceof StorageRejection && e.reason === 'out_of_order');
  assert.throws(() => app.append(0, b, 90, 1), (e: unknown) => e instanceof StorageRejection && e.reason === 'duplicate_sample');
  app.append(0, b, 90, -90);
  // The stale marker is compared bit-for-bit: an ordinary NaN is a different value.
  assert.throws(() => app.append(0, a, 100, NaN), StorageRejection);
  app.append(0, a, 100, STALE_NAN);
  const ref = app.append(0, b, 100, 7);
  assert.equal(app.append(ref, b, 110, 8), ref);
  // Inside one transaction, ordering is checked against pending samples too.
  assert.throws(() => app.append(ref, b, 105, 8), StorageRejection);
  await app.commit();
  const got = await collect(db, 95, 200, new Matcher('=', 'job', 'b'));
  assert.deepEqual(got[0]!.pts, [[100, 7], [110, 8]]);
});

test('rollback drops samples and uncommitted data is invisible', async () => {
  const db = await seeded();
  const app = db.appender();
  app.append(0, b, 500, 1);
  const q = await db.querier(0, 1000);
  await app.rollback();
  assert.equal((await collect(db, 400, 600, new Matcher('=', 'job', 'b'))).length, 0);
  q.close();
});

test('select honours all matcher types and mint/maxt', async () => {
  const db = await seeded();
  assert.deepEqual((await collect(db, 0, 1000, new Matcher('=', '__name__', 'up'))).map((s) => s.job), ['a', 'b']);
  assert.deepEqual((await collect(db, 0, 1000, new Matcher('!=', 'job', 'a'))).map((s) => s.job), ['b']);
  assert.deepEqual((await collect(db, 0, 1000, new Matcher('=~', 'job', 'a|c'))).map((s) => s.name), ['other', 'up']);
  assert.deepEqual((await collect(db, 0, 1000, new Matcher('!~', '__name__', 'u.'))).map((s) => s.name), ['other']);
  // Anchored: "u" alone does not match "up".
  assert.equal((await collect(db, 0, 1000, new Matcher('=~', '__name__', 'u'))).length, 0);
  // Absent label behaves as the empty string.
  assert.deepEqual((await collect(db, 0, 1000, new Matcher('=~', '__name__', '.+'), new Matcher('=', 'x', ''))).map((s) => s.job), ['a', 'b']);
  const win = await collect(db, 20, 40, new Matcher('=', 'job', 'a'), new Matcher('=', '__name__', 'up'));
  assert.deepEqual(win[0]!.pts, [[20, 20], [30, 30], [40, 40]]);
  const q = await db.querier(100, 100);
  const it = (await q.select(false, undefined, new Matcher('=', 'job', 'a'))).series[0]!.iterator();
  assert.ok(it.next());
  assert.ok(isStaleNaN(it.v));
});

test('iterator seek', async () => {
  const db = await seeded();
  const q = await db.querier(0, 1000);
  const [s] = (await q.select(false, undefined, new Matcher('=', 'job', 'b'))).series;
  const it = s!.iterator();
  assert.ok(it.seek(25));
  assert.equal(it.t, 30);
  assert.ok(it.seek(10)); // stays put
  assert.equal(it.t, 30);
  assert.ok(it.next());
  assert.equal(it.t, 40);
  assert.equal(it.seek(1000), false);
});

test('labelNames and labelValues', async () => {
  const db = await seeded();
  const q = await db.querier(0, 1000);
  assert.deepEqual(await q.labelNames(), ['__name__', 'job', 'x']);
  assert.deepEqual(await q.labelValues('job'), ['a', 'b']);
  assert.deepEqual(await q.labelValues('job', new Matcher('=', '__name__', 'other')), ['a']);
  const late = await db.querier(200, 300);
  assert.deepEqual(await late.labelNames(), []);
  assert.equal(await db.startTime(), 0);
});
